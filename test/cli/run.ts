import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../built.js';

/** The built command, as the `bin` entry of package.json names it. */
export const CLI = fileURLToPath(new URL('../../dist/esm/cli/main.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to stdin, then stdin is closed (unless `keepOpen`). */
  input?: string | Buffer;
  keepOpen?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Called with the child once spawned. */
  onSpawn?: (child: import('node:child_process').ChildProcess) => void;
  /** Sees stdout and stderr as they come, with the child (to signal it at the right moment). */
  onOutput?: (out: { stdout: string; stderr: string }, child: import('node:child_process').ChildProcess) => void;
}

/** Runs `streamlog <args>` in a child process, never synchronously (receivers run in this process). */
export function streamlog(args: string[], options: CliOptions = {}): Promise<CliResult> {
  if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm run build` (npm test does it for you)');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env },
      timeout: options.timeoutMs ?? 60_000,
    });
    options.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      options.onOutput?.({ stdout, stderr }, child);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onOutput?.({ stdout, stderr }, child);
    });
    child.stdin.on('error', () => {});
    if (options.input !== undefined) child.stdin.write(options.input);
    if (!options.keepOpen) child.stdin.end();
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** `count` NDJSON lines as a producer (pid 4242 on web-1) writes them, each with its index `i`. */
export function producerLines(count: number, from = 0): string {
  let out = '';
  for (let i = from; i < from + count; i++) {
    const origin = `"pid":4242,"hostname":"web-1","name":"orders"`;
    out += `{"level":30,"time":${1700000000000 + i},${origin},"i":${i},"msg":"order ${i} placed"}\n`;
  }
  return out;
}

/** The rows of the summary table on stderr, by target id. */
export function summaryRows(stderr: string): Record<string, Record<string, string>> {
  const lines = stderr.split('\n');
  const head = lines.findIndex((l) => /^target\s+type\s+delivered/.test(l));
  if (head === -1) throw new Error(`no summary table in: ${stderr.slice(0, 500)}`);
  const columns = lines[head]!.trim().split(/\s+/);
  const rows: Record<string, Record<string, string>> = {};
  for (const line of lines.slice(head + 1)) {
    const cells = line.trim().split(/\s{2,}/);
    if (cells.length < columns.length) break;
    rows[cells[0]!] = Object.fromEntries(columns.map((c, i) => [c, cells[i]!]));
  }
  return rows;
}
