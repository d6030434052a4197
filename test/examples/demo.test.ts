import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { requireBuild, ROOT } from '../built.js';
import { tempFolder } from '../transports/http/receiver.js';

/** Runs `node examples/demo.mjs` (what `npm run demo` runs after building), its logs in a temporary folder. */
function runDemo(logDir: string): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  requireBuild();
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'examples', 'demo.mjs')], {
      cwd: ROOT,
      env: { ...process.env, DEMO_LOG_DIR: logDir, LOG_LEVEL: '' },
      timeout: 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** The demo's per-target table, by target id: [type, delivered, failed, dropped, retries]. */
function targetTable(stdout: string): Record<string, string[]> {
  const lines = stdout.split('\n');
  const head = lines.findIndex((l) => /^\s+target\s+type\s+delivered/.test(l));
  const rows: Record<string, string[]> = {};
  for (const line of lines.slice(head + 1, head + 5)) {
    const [id, ...cells] = line.trim().split(/\s+/);
    rows[id!] = cells;
  }
  return rows;
}

it('the demo runs in under a minute, exit 0, and shows every part at work', { timeout: 70_000 }, async () => {
  const logDir = tempFolder('demo');
  const result = await runDemo(logDir);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.ms).toBeLessThan(60_000);
  // Redaction: the secrets never reach the console or the files.
  const everything =
    result.stdout +
    readdirSync(logDir)
      .filter((f) => !f.endsWith('.gz'))
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('');
  for (const secret of ['hunter2', 's3cr3t', '4111 1111']) expect(everything).not.toContain(secret);
  expect(result.stdout).toContain('password: [Redacted]');
  // Errors with causes, child bindings and context on the pretty console.
  expect(result.stdout).toMatch(/ERROR \(orders\/\d+\): payment failed/);
  expect(result.stdout).toMatch(/cause: Error: connect ETIMEDOUT/);
  expect(result.stdout).toMatch(/reqId: req-\d+\n {4}userId: u-\w+\n {4}traceId: trace-/);
  // The table: the validating target refused one record, the http target retried while the
  // receiver was down and still delivered everything, and under majority nothing failed.
  const table = targetTable(result.stdout);
  expect(table.events).toEqual(['validating', expect.any(String), '1', '0', '-']);
  expect(table.central![0]).toBe('http');
  expect(table.central![2]).toBe('0');
  expect(Number(table.central![4])).toBeGreaterThan(0);
  expect(table.central![1]).toBe(table.terminal![1]);
  expect(result.stdout).toMatch(/(\d+) records logged: \1 delivered under the majority strategy, 0 failed, 0 dropped/);
  expect(result.stdout).toMatch(new RegExp(`the receiver holds ${table.central![1]}\\n`));
  // The rotating file rotated, and the demo says where the files are.
  const files = readdirSync(logDir);
  expect(files).toEqual(expect.arrayContaining(['app.log', 'events.log']));
  expect(files.some((f) => f.endsWith('.gz'))).toBe(true);
  for (const f of files) expect(result.stdout).toContain(f);
  expect(existsSync(join(logDir, 'dead-letter.ndjson'))).toBe(false);
});
