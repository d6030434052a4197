import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

/** Runs a script in a fresh node process that logs `count` lines, then leaves by `ending`. */
function run(count: number, ending: string, format = 'json'): { lines: string[]; status: number | null } {
  requireBuild();
  const script = `
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    const log = createLogger({ transports: [{ type: 'console', format: ${JSON.stringify(format)} }] });
    for (let i = 0; i < ${count}; i++) log.info({ i }, 'line');
    ${ending}
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { lines: result.stdout.split('\n').filter(Boolean), status: result.status };
}

describe('nothing buffered is lost on exit', () => {
  it('process.exit() right after logging writes every line', () => {
    const { lines, status } = run(1000, 'process.exit(0);');
    expect(status).toBe(0);
    expect(lines).toHaveLength(1000);
    expect(JSON.parse(lines[999]!)).toMatchObject({ i: 999 });
  });

  it('process.exit() after more than one buffer of lines writes every line, in order', () => {
    const { lines } = run(50_000, 'process.exit(3);');
    expect(lines).toHaveLength(50_000);
    expect(lines.map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(Array.from({ length: 50_000 }, (_, i) => i));
  });

  it('returning from main with lines pending writes every line', () => {
    expect(run(20_000, '').lines).toHaveLength(20_000);
  });

  it('process.exit() with the text formatter writes every line', () => {
    const { lines } = run(500, 'process.exit(0);', 'text');
    expect(lines).toHaveLength(500);
    expect(lines[0]).toMatch(/^time=\S+ level=info msg=line i=0$/);
  });
});

describe('a slow reader on the other end of stdout', () => {
  it('EAGAIN on a full non-blocking pipe is waited out: every line arrives, in order', async () => {
    requireBuild();
    const { spawn } = await import('node:child_process');
    const count = 30_000; // ~3 MB: far beyond a 64 KiB pipe buffer
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ transports: [{ type: 'console' }] });
      for (let i = 0; i < ${count}; i++) log.info({ i }, 'line');
      process.exit(0);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 400)); // let the pipe fill up
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout.resume();
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(count);
    expect(lines.every((line, i) => (JSON.parse(line) as { i: number }).i === i)).toBe(true);
  });
});

/** A child that runs `body` against the build; its stdout and exit status. */
function script(body: string): { stdout: string; stderr: string; status: number | null; signal: string | null } {
  requireBuild();
  const code = `import { createLogger, Transport, registerTransport } from ${JSON.stringify(DIST_ESM)};\n${body}`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status, signal: result.signal };
}

const STALLED = `
  class Stalled extends Transport { type = 'stalled'; handle() {} }
  const log = createLogger({ base: null, timestamp: false, transports: [new Stalled(), { type: 'console' }] });
`;

describe('timeouts keep the process alive until they give up', () => {
  it('close({ timeoutMs }) against a stalled target returns, and code after the await runs', () => {
    const out = script(`${STALLED}
      log.info('queued');
      const settled = await log.close({ timeoutMs: 100 });
      process.stdout.write('after close: ' + settled + ' abandoned=' + log.stats().targets[0].abandoned + '\\n');
    `);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('after close: false abandoned=1');
  });

  it('flush({ timeoutMs }) against a stalled target returns false, and code after the await runs', () => {
    const out = script(`${STALLED}
      log.info('queued');
      const settled = await log.flush({ timeoutMs: 100 });
      process.stdout.write('after flush: ' + settled + '\\n');
      process.exit(0);
    `);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('after flush: false');
  });
});

describe('signals and exceptions the application handles itself', () => {
  it("an app's process.once('SIGTERM') registered before createLogger runs to completion", () => {
    const out = script(`
      process.once('SIGTERM', async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        log.info('graceful shutdown done');
        await log.close();
        process.exit(0);
      });
      const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });
      log.info('up');
      process.kill(process.pid, 'SIGTERM');
      setInterval(() => {}, 1000);
    `);
    expect(out.signal).toBeNull();
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('graceful shutdown done');
  });

  it('no fatal record for an exception the app handles in its own uncaughtException listener', () => {
    const out = script(`
      const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });
      process.on('uncaughtException', (error) => {
        log.warn('handled: ' + error.message);
        setTimeout(() => process.exit(0), 10);
      });
      setTimeout(() => { throw new Error('recoverable'); }, 1);
    `);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('handled: recoverable');
    expect(out.stdout).not.toContain('"level":60');
  });

  it('the fatal record is still written for an exception that ends the process', () => {
    const out = script(`
      const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });
      setTimeout(() => { throw new Error('fatal one'); }, 1);
    `);
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('"level":60');
    expect(out.stdout).toContain('fatal one');
  });
});

describe('exceptions Node handles otherwise than by listeners (found by attacking the ends of a process)', () => {
  it('--unhandled-rejections=strict: an unhandledRejection listener handles nothing, the fatal record written', () => {
    requireBuild();
    const code = `import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });
      process.on('unhandledRejection', () => log.warn('rejection seen'));
      setTimeout(() => Promise.reject(new Error('db connection lost')), 1);`;
    const out = spawnSync(process.execPath, ['--unhandled-rejections=strict', '--input-type=module', '-e', code], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(out.status).toBe(1);
    expect(out.stdout).toContain('"level":60');
    expect(out.stdout).toContain('db connection lost');
  });

  it('no fatal record for an exception a capture callback takes (domains, the REPL): the process lives on', () => {
    const out = script(`
      const log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });
      process.setUncaughtExceptionCaptureCallback((error) => log.warn('captured: ' + error.message));
      setTimeout(() => { throw new Error('taken'); }, 1);
      setTimeout(() => log.info('still running'), 50);
    `);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('captured: taken');
    expect(out.stdout).toContain('still running');
    expect(out.stdout).not.toContain('"level":60');
  });
});

describe('lines logged from exit handlers', () => {
  it.each([
    ['registered after createLogger', false],
    ['registered before createLogger', true],
  ])('reach stdout when the handler is %s', (_name, before) => {
    const handler = `process.on('exit', () => log.info('from the exit handler'));`;
    const out = script(`
      let log;
      ${before ? handler : ''}
      log = createLogger({ base: null, timestamp: false, transports: [{ type: 'console' }] });
      ${before ? '' : handler}
      log.info('last line of main');
    `);
    expect(out.stdout.trim().split('\n')).toEqual([
      '{"level":30,"msg":"last line of main"}',
      '{"level":30,"msg":"from the exit handler"}',
    ]);
  });
});
