import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  openSync,
  renameSync,
  rmSync,
  unlinkSync,
} from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { fileAgeMs } from '../../core/io/file-system-clock.js';

/** A temporary file older than this was left by a compressor that died. */
const STALE_MS = 10 * 60_000;

/**
 * gzips `path` to `path.gz` in the background: written to a temporary name first and
 * renamed when complete, so a crash never leaves a truncated `.gz` that looks finished.
 * The temporary name is claimed exclusively, so of several processes sharing the folder
 * exactly one compresses a given file; the others skip it (undefined).
 */
export async function gzipFile(path: string): Promise<string | undefined> {
  const target = `${path}.gz`;
  const temporary = `${target}.tmp`;
  const fd = claim(temporary);
  if (fd === undefined) return undefined;
  if (existsSync(target) || !existsSync(path)) {
    // Another process finished it between our listing and our claim.
    closeSync(fd);
    rmSync(temporary, { force: true });
    // A .gz is only ever a finished temporary renamed: a plain file beside it is one whose
    // compressor was killed before removing it, and left there every line would be read twice.
    if (existsSync(target)) rmSync(path, { force: true });
    return undefined;
  }
  try {
    await pipeline(createReadStream(path), createGzip(), createWriteStream(temporary, { fd }));
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  renameSync(temporary, target);
  unlinkSync(path);
  return target;
}

function claim(temporary: string): number | undefined {
  try {
    return openSync(temporary, 'wx', 0o640);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  try {
    // By the clock that stamps the live compressor's writes, not ours: a process whose clock
    // was off took every one for left over, and two wrote one file. Either way from now: one
    // left while the clock was ahead, then set back, is in the future.
    if (Math.abs(fileAgeMs(temporary)) < STALE_MS) return undefined;
    rmSync(temporary, { force: true });
    return openSync(temporary, 'wx', 0o640);
  } catch {
    return undefined;
  }
}
