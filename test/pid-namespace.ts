import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A new PID namespace makes its first process init (pid 1), as a container's command is. */
export const canMakeInit =
  process.platform === 'linux' && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;

/** The pid, as this process sees it, of the one child `unshare --fork` made. */
export function childOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return children === '' ? undefined : Number(children.split(' ')[0]);
  } catch {
    return undefined;
  }
}
