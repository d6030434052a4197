import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../built.js';

/** A child makes loggers writing to stdout/stderr; prints how many `error` listeners each stream gained. */
function run(body: string): { stdout: string; stderr: string; status: number | null } {
  requireBuild();
  const script = `
    import { createLogger } from ${JSON.stringify(DIST_ESM)};
    const before = [process.stdout.listenerCount('error'), process.stderr.listenerCount('error')];
    const logs = [];
    ${body}
    for (const log of logs) log.info('hi');
    for (const log of logs) await log.flush();
    const after = [process.stdout.listenerCount('error'), process.stderr.listenerCount('error')];
    process.stdout.write('added ' + after.map((n, i) => n - before[i]).join(',') + '\\n');
    // Warnings are printed on a later tick.
    await new Promise((r) => setTimeout(r, 50));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('stdout and stderr hear errors through one listener each', () => {
  it('20 loggers with a console transport each: no MaxListenersExceededWarning, one listener per stream', () => {
    const { stdout, stderr, status } = run(`
      for (let i = 0; i < 20; i++)
        logs.push(createLogger({ base: null, timestamp: false,
          transports: [{ type: 'console', stderrLevel: 'error' }] }));
    `);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout.split('\n').filter((l) => l === '{"level":30,"msg":"hi"}')).toHaveLength(20);
    expect(stdout).toContain('added 1,1\n');
  });

  it('loggers handed process.stdout, made and closed in turn, add no listener past the first', () => {
    const { stdout, stderr } = run(`
      for (let i = 0; i < 30; i++) {
        const log = createLogger({ base: null, timestamp: false, transports: [process.stdout] });
        log.info('short-lived');
        await log.close();
      }
      for (let i = 0; i < 15; i++)
        logs.push(createLogger({ base: null, timestamp: false, transports: [process.stdout] }));
    `);
    expect(stderr).toBe('');
    expect(stdout).toContain('added 1,0\n');
  });
});
