import { createReadStream, createWriteStream, renameSync, rmSync, unlinkSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

/**
 * gzips `path` to `path.gz` in the background: written to a temporary name first and
 * renamed when complete, so a crash never leaves a truncated `.gz` that looks finished.
 */
export async function gzipFile(path: string): Promise<string> {
  const target = `${path}.gz`;
  const temporary = `${target}.tmp`;
  try {
    await pipeline(createReadStream(path), createGzip(), createWriteStream(temporary, { mode: 0o640 }));
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  renameSync(temporary, target);
  unlinkSync(path);
  return target;
}
