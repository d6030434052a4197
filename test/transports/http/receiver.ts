import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createRawServer, type Server as RawServer, type Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, expect } from 'vitest';
import type { LoggerStats } from '../../../src/index.js';
import { freePort } from '../../setup/free-port.js';
import { DIST_ESM, ROOT, requireBuild } from '../../built.js';

export type ReceiverMode = 'ok' | 'down' | 'stall' | 'unauthorized' | 'refused' | 'poison';

/**
 * A receiver on 127.0.0.1 that counts the records it takes by their `i` field: answers 200
 * ('ok'), 503 ('down'), 401 or 400 to every request ('unauthorized', 'refused'), 400 to a request that holds a
 * record with `"poison":true` and 200 to any other ('poison'), or reads and never answers
 * ('stall'). The mode can change at any time.
 */
export interface CountingReceiver {
  url: string;
  port: number;
  mode: ReceiverMode;
  requests: number;
  /** Every `i` taken (with repeats, so duplicates show). */
  received: number[];
  distinct(): number;
  close(): Promise<void>;
}

export async function countingReceiver(mode: ReceiverMode, port = 0): Promise<CountingReceiver> {
  const state: CountingReceiver = {
    url: '',
    port: 0,
    mode,
    requests: 0,
    received: [],
    distinct: () => new Set(state.received).size,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    state.requests++;
    if (state.mode === 'stall') return;
    if (state.mode === 'down' || state.mode === 'unauthorized' || state.mode === 'refused') {
      res.writeHead(state.mode === 'down' ? 503 : state.mode === 'refused' ? 400 : 401);
      res.end();
      return;
    }
    if (state.mode === 'poison' && body.includes('"poison":true')) {
      res.writeHead(400);
      res.end('poison record');
      return;
    }
    for (const line of body.split('\n')) if (line) state.received.push((JSON.parse(line) as { i: number }).i);
    res.writeHead(200);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  state.port = (server.address() as { port: number }).port;
  state.url = `http://127.0.0.1:${state.port}/ingest`;
  return state;
}

/** A port nothing listens on (connections are refused). */
export const deadPort = freePort;

/** Closes every server of `servers` (and its open connections) after each test of the file. */
export function closeServersAfterEach(servers: Server[]): void {
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (server) =>
          new Promise((resolve) => {
            server.closeAllConnections();
            server.close(resolve);
          }),
      ),
    );
  });
}

/**
 * A receiver on 127.0.0.1 whose answer `respond` writes (the request's body read first), put
 * in `servers` to be closed after the test; counts requests. Its url ends with `path`.
 */
export async function answeringReceiver(
  servers: Server[],
  respond: (req: IncomingMessage, res: ServerResponse, body: string) => void,
  path = '',
): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    requests++;
    respond(req, res, body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}${path}`, requests: () => requests };
}

/**
 * A raw TCP receiver on 127.0.0.1 for answers written byte by byte: each connection goes to
 * `onSocket` (its errors ignored), and closing the server destroys the connections still open.
 * Put in `servers`; resolves to the url of its port, ending with `/ingest`.
 */
export async function rawReceiver(servers: RawServer[], onSocket: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createRawServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  const close = server.close.bind(server);
  server.close = (callback) => {
    for (const socket of sockets) socket.destroy();
    return close(callback);
  };
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/ingest`;
}

/** Closes every raw server of `servers` (and its connections) after each test of the file. */
export function closeRawServersAfterEach(servers: RawServer[]): void {
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      resolve((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'));
    });
  });
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs an ES module script (with `createLogger` and `writeSync` already imported) in a
 * child process. `onStdout` sees output as it comes (to signal the child at the right
 * moment). The receiver runs in this process, so the child is never waited for synchronously.
 */
export function runChild(
  script: string,
  options: {
    timeoutMs?: number;
    /** Sent at timeoutMs (SIGTERM by default); SIGKILL for a child that may hang with SIGTERM caught. */
    killSignal?: NodeJS.Signals;
    /** Stop reading the child's stdout after its first chunk (a reader that stalls). */
    pauseStdout?: boolean;
    args?: string[];
    onStdout?: (text: string, kill: (s: NodeJS.Signals) => void) => void;
  } = {},
): Promise<ChildResult> {
  requireBuild();
  const imports = `import { createLogger } from ${JSON.stringify(DIST_ESM)};\nimport { writeSync } from 'node:fs';`;
  const source = `${imports}\n${script}`;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(options.args ?? []), '--input-type=module', '-e', source], {
      cwd: ROOT,
      timeout: options.timeoutMs ?? 60_000,
      killSignal: options.killSignal,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (options.pauseStdout && child.exitCode === null && child.signalCode === null) child.stdout.pause();
      stdout += d.toString();
      options.onStdout?.(stdout, (signal) => child.kill(signal));
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // A paused stdout never reads its end, and 'close' waits for it.
    if (options.pauseStdout) child.on('exit', () => child.stdout.resume());
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

/** The last line of a child's output that parses as JSON. */
export function lastJson<T>(stdout: string): T {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(lines[i]!) as T;
    } catch {
      // Not the summary line.
    }
  }
  throw new Error(`no JSON line in the child's output: ${stdout.slice(0, 500)}`);
}

/** A fresh folder under the temp folder for one test's files. */
export function tempFolder(name: string): string {
  return mkdtempSync(join(tmpdir(), `streamlog-${name}-`));
}

/** For a child's script: prints the stats from an exit listener added after the logger's, so the end state. */
export const PRINT_AT_EXIT = `process.on('exit', () => writeSync(1, JSON.stringify(log.stats()) + '\\n'));`;

/** The lines of a file (0 when there is no such file). */
export function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length : 0;
}

/** The records waiting in `dir/spool`, by their lines past each file's committed offset. */
export function spooledLines(dir: string): number {
  const spool = join(dir, 'spool');
  if (!existsSync(spool)) return 0;
  return readdirSync(spool)
    .filter((f) => f.endsWith('.ndjson'))
    .reduce((sum, f) => sum + linesAfterOffset(join(spool, f)), 0);
}

/** The lines of a spool file after its `.offset` (all of them without one). */
function linesAfterOffset(path: string): number {
  return waitingLines(path).length;
}

/**
 * The lines of a spool file the next owner will read: those after its `.offset`. Lines
 * before it are settled (a replay out at an exit is written again at the end, marked, and
 * its first copy committed), so a count of every line in the file says nothing.
 */
export function waitingLines(path: string): string[] {
  const offset = existsSync(`${path}.offset`) ? Number(readFileSync(`${path}.offset`, 'utf8')) : 0;
  return readFileSync(path).subarray(offset).toString('utf8').split('\n').filter(Boolean);
}

/** Every record accounted: logged == delivered + failed + dropped + pending. */
export function expectAddsUp(stats: LoggerStats): void {
  expect(stats.delivered + stats.failed + stats.dropped + stats.pending).toBe(stats.logged);
}
