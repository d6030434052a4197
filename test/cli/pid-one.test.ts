import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI } from './run.js';
import { canMakeInit, signalInit } from '../pid-namespace.js';

/**
 * `streamlog pretty` as pid 1 (`CMD ["streamlog", "pretty"]` reading a producer's pipe):
 * signalled once it has printed, or (`stalled`) once its reader has stopped taking its output.
 * Resolves with the exit code unshare passes on from it, or 'killed' when it had to be killed.
 */
async function prettyAsInit(stalled: boolean): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(
    'unshare',
    ['--pid', '--fork', '--mount-proc', process.execPath, CLI, 'pretty', '--colour', 'never'],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined },
    },
  );
  child.stdin.on('error', () => {});
  let stdout = '';
  if (stalled) {
    // stdout is never read: once the pipe is full, every write waits for a drain that never comes.
    child.stdout.pause();
    child.stdin.write(`${'{"level":30,"msg":"a line to fill the pipe with"}\n'.repeat(20_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  } else {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stdin.write('{"msg":"started"}\n');
    while (!stdout.includes('started')) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const code = await signalInit(child, ['SIGTERM']);
  child.stdout.destroy();
  return { code, stdout };
}

describe.skipIf(!canMakeInit)('the command as pid 1 (a container that runs it directly)', () => {
  it('pretty: SIGTERM prints what was read and ends with 128 + 15 (init ignores the signal raised)', async () => {
    const { code, stdout } = await prettyAsInit(false);
    expect(stdout).toBe('LOG: started\n');
    expect(code).toBe(143);
  }, 20_000);

  it('pretty: SIGTERM with a reader that takes nothing still ends it, with 128 + 15', async () => {
    const { code } = await prettyAsInit(true);
    expect(code).toBe(143);
  }, 20_000);
});

/** `streamlog pretty` as pid 1 reading a pipe, sent `signals` in turn once it has printed; its exit code. */
async function signalledAsInit(signals: NodeJS.Signals[]): Promise<number | null> {
  const child = spawn('unshare', ['--pid', '--fork', '--mount-proc', process.execPath, CLI, 'pretty'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin.on('error', () => {});
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stdin.write('{"msg":"started"}\n');
  while (!stdout.includes('started')) await new Promise((resolve) => setTimeout(resolve, 20));
  const code = await signalInit(child, signals);
  child.stdin.destroy();
  return code;
}

describe.skipIf(!canMakeInit)(
  'pretty as pid 1: the signals it has no handler for end it as they would elsewhere',
  () => {
    it('a second Ctrl-C (SIGINT) ends it with 128 + 2', async () => {
      // Was 1, from unshare once the SIGKILL came: init ignored the second SIGINT as the first.
      expect(await signalledAsInit(['SIGINT', 'SIGINT'])).toBe(130);
    }, 20_000);

    it('SIGHUP (its terminal closed) ends it with 128 + 1', async () => {
      expect(await signalledAsInit(['SIGHUP'])).toBe(129);
    }, 20_000);
  },
);
