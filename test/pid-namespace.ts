import { type ChildProcess, spawnSync } from 'node:child_process';
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

/**
 * Sends `signals` in turn (200 ms apart) to the init `unshare --fork` made, and resolves with
 * the exit code unshare passes on. An init that lives on is killed after 8 s, so that the test
 * reports it (1, from unshare) rather than hangs.
 */
export async function signalInit(unshare: ChildProcess, signals: readonly NodeJS.Signals[]): Promise<number | null> {
  const ended = new Promise<number | null>((resolve) => {
    if (unshare.exitCode !== null) resolve(unshare.exitCode);
    else unshare.once('exit', (code) => resolve(code));
  });
  const init = childOf(unshare.pid as number);
  if (init === undefined) throw new Error('unshare made no child to signal');
  for (const [i, signal] of signals.entries()) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(init, signal);
  }
  const stop = setTimeout(() => process.kill(init, 'SIGKILL'), 8000);
  try {
    return await ended;
  } finally {
    clearTimeout(stop);
  }
}
