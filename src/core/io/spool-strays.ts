import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lockHeld } from './pid-lock.js';
import { readOwnFile } from './safe-open.js';

/** A spool file nobody will send: its path and the bytes after its committed offset. */
export interface StraySpool {
  path: string;
  bytes: number;
}

/**
 * Spool files in `dir` of one family (`prefix`, such as `http-`, whose names come from the
 * destination) that are not `name`'s, still hold unsent lines, and that no live logger
 * holds. A destination whose url or preset changed leaves such a file behind, and no logger
 * of the new config will ever read it: without a word its records would be lost in silence.
 */
export function straySpools(dir: string, prefix: string, name: string): StraySpool[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const strays: StraySpool[] = [];
  for (const entry of entries.sort()) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.ndjson') || entry.startsWith(`${name}.`)) continue;
    const path = join(dir, entry);
    try {
      const stat = lstatSync(path);
      if (!stat.isFile()) continue;
      const bytes = stat.size - committedOffset(path, stat.size);
      if (bytes > 0 && !lockHeld(`${path}.lock`)) strays.push({ path, bytes });
    } catch {
      // Gone meanwhile, or not ours to read: nothing to say about it.
    }
  }
  return strays;
}

function committedOffset(path: string, size: number): number {
  try {
    const offset = Number(readOwnFile(`${path}.offset`, 32));
    return Number.isInteger(offset) && offset > 0 && offset <= size ? offset : 0;
  } catch {
    return 0;
  }
}
