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
