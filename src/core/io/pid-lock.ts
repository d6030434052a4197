import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** Lock files this process holds: a lock naming our own pid but not in here is left over. */
const heldHere = new Set<string>();

/**
 * A lock file that names its owner: created exclusively and holding the owner's pid, so of
 * several loggers (in one process or many) exactly one holds it; a lock whose owner is dead
 * is taken over. Returns undefined when a live owner holds it.
 */
export function tryLock(path: string): PidLock | undefined {
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o640);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (ownerAlive(path)) return undefined;
      removeQuietly(path);
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
    } finally {
      closeSync(fd);
    }
    heldHere.add(path);
    return new PidLock(path);
  }
  return undefined;
}

export class PidLock {
  constructor(readonly path: string) {}

  release(): void {
    if (!heldHere.delete(this.path)) return;
    removeQuietly(this.path);
  }
}

/** Is the owner named in the lock file alive? A lock still being written counts as alive. */
function ownerAlive(path: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(path, 'utf8'));
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return heldHere.has(path);
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Gone already: taken over, or removed by its owner.
  }
}
