import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, producerLines } from './run.js';

interface Ended {
  code: number | null;
  stderr: string;
}

/** The command with stdout on /dev/full (every write fails with ENOSPC), or on a pipe closed at once. */
function run(args: string[], stdout: 'full' | 'closed', input = ''): Promise<Ended> {
  const fd = stdout === 'full' ? openSync('/dev/full', 'w') : 'pipe';
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', fd, 'pipe'], timeout: 30_000 });
  if (typeof fd === 'number') closeSync(fd);
  // The reader goes away before the command writes anything: its writes meet EPIPE.
  child.stdout?.destroy();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdin!.on('error', () => {});
  child.stdin!.end(input);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe.skipIf(!existsSync('/dev/full'))('stdout that cannot be written', () => {
  it.each([[['pretty', '--colour', 'never']], [['schema']], [['--help']]])(
    '%j to /dev/full: one clear line on stderr, no stack trace, exit 1',
    async (args) => {
      const result = await run(args, 'full', producerLines(1000));
      expect(result.stderr).toBe('streamlog: cannot write to stdout: ENOSPC: no space left on device, write\n');
      expect(result.code).toBe(1);
    },
  );
});

describe('a reader that went away (EPIPE)', () => {
  it.each([[['schema']], [['--help']], [['pretty', '--colour', 'never']]])(
    '%j ends quietly with exit 0',
    async (args) => {
      const result = await run(args, 'closed', producerLines(20_000));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    },
  );
});

describe.skipIf(!existsSync('/dev/full'))('stderr that cannot be written', () => {
  it('the exit code still says how the command went (2: an invalid config), no crash (1)', () => {
    const fd = openSync('/dev/full', 'w');
    const result = spawnSync(process.execPath, [CLI, 'pipe', '-c', 'no-such-config.json'], {
      stdio: ['ignore', 'ignore', fd],
      timeout: 30_000,
    });
    closeSync(fd);
    expect(result.status).toBe(2);
  });
});

describe('stdin that is a directory (Node hands it over as an empty stream)', () => {
  it.each([[['pretty']], [['pipe', '--summary']]])(
    '%j says so on stderr and exits 1, not 0 with nothing read',
    (args) => {
      const dir = mkdtempSync(join(tmpdir(), 'streamlog-stdin-dir-'));
      const config = join(dir, 'streamlog.json');
      writeFileSync(config, JSON.stringify({ transports: [{ type: 'file', path: join(dir, 'out.log') }] }));
      const fd = openSync(dir, 'r');
      const result = spawnSync(process.execPath, [CLI, ...args, ...(args[0] === 'pipe' ? ['-c', config] : [])], {
        stdio: [fd, 'pipe', 'pipe'],
        encoding: 'utf8',
        timeout: 30_000,
        killSignal: 'SIGKILL',
      });
      closeSync(fd);
      expect(result.stderr).toMatch(
        /^streamlog: (reading stopped: )?stdin is a directory \(EISDIR\): nothing to read$/m,
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.status).toBe(1);
    },
  );
});

describe('stdin that fails while read (a socket reset by its peer)', () => {
  it('pretty prints what was read, the line begun too, then says why it stopped: exit 1, no stack trace', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const peer = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const writer = await peer;
    const child = spawn(process.execPath, [CLI, 'pretty', '--colour', 'never'], {
      stdio: [socket, 'pipe', 'pipe'],
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      // The first line is printed, so the line begun after it has been read too: the peer resets.
      if (stdout.includes('one')) writer.resetAndDestroy();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    writer.write('{"msg":"one"}\n{"msg":"begun');
    const code = await new Promise((resolve) => child.on('close', resolve));
    socket.destroy();
    server.close();
    expect(stdout).toBe('LOG: one\n{"msg":"begun\n');
    expect(stderr).toBe('streamlog: reading stopped: read ECONNRESET\n');
    expect(code).toBe(1);
  });
});
