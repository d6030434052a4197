import { execFileSync } from 'node:child_process';

/** Fills what is left of the file system with one file (removed to give the space back). */
export function fill(path: string): void {
  try {
    execFileSync('sh', ['-c', `cat /dev/zero > ${path}`], { stdio: 'ignore' });
  } catch {
    // cat ends with ENOSPC: that is the point.
  }
}

export const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
