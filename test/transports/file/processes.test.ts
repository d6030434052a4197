import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/index.js';
import { DIST_ESM, requireBuild } from '../../built.js';
import { canMountTmpfs, onTinyTmpfs } from '../../helpers.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'streamlog-procs-'));
}

/** Starts a child running `body` against the build; resolves with its exit code and output. */
function run(body: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  requireBuild();
  const script = `import { createLogger } from ${JSON.stringify(DIST_ESM)};\n${body}`;
  return new Promise((resolve) => {
    // A hang is a failure, not a stuck suite: the child is killed after 20 s.
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every line of every file in `dir` (gunzipping .gz), with the files' plain sizes. */
function readAll(dir: string): { lines: string[]; sizes: Record<string, number> } {
  const lines: string[] = [];
  const sizes: Record<string, number> = {};
  for (const name of readdirSync(dir)) {
    const raw = readFileSync(join(dir, name));
    const text = name.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    sizes[name] = Buffer.byteLength(text);
    lines.push(...text.split('\n').filter(Boolean));
  }
  return { lines, sizes };
}

describe('several processes on one path', () => {
  it('4 processes × 50,000 lines, rotating at 1MB with gzip: every line exactly once, every file sound', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const writer = (w: number) => `
      const log = createLogger({ base: null, transports: [{ type: 'file', path: ${JSON.stringify(path)},
        rotate: { size: '1MB', compress: true } }] });
      for (let i = 0; i < 50000; i++) {
        log.info({ w: ${w}, i }, 'shared');
        if (i % 1000 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await log.close();
      process.stdout.write(JSON.stringify(log.stats()));
    `;
    const results = await Promise.all([0, 1, 2, 3].map((w) => run(writer(w))));
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ logged: 50_000, delivered: 50_000, failed: 0 });
    }
    const names = readdirSync(dir);
    expect(names.filter((n) => n.endsWith('.tmp') || n.endsWith('.rotating'))).toEqual([]);
    const { lines, sizes } = readAll(dir);
    for (const [name, size] of Object.entries(sizes)) {
      expect(size, name).toBeLessThanOrEqual(2 * 1024 * 1024);
      expect(size, name).toBeGreaterThan(0);
    }
    const seen = new Set<string>();
    for (const line of lines) {
      const { w, i } = JSON.parse(line) as { w: number; i: number };
      const key = `${w}:${i}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
    expect(seen.size).toBe(200_000);
  }, 120_000);

  it("rotation never touches a neighbour's file: server.8080.log beside server.log", async () => {
    const dir = tempDir();
    const neighbour = createLogger({
      exitFlush: false,
      base: null,
      transports: [{ type: 'file', path: join(dir, 'server.8080.log') }],
    });
    const rotating = createLogger({
      exitFlush: false,
      base: null,
      transports: [
        { type: 'file', path: join(dir, 'server.log'), rotate: { size: '2KB', maxFiles: 2, compress: true } },
      ],
    });
    for (let i = 0; i < 600; i++) {
      neighbour.info({ i }, 'neighbour');
      rotating.info({ i }, 'rotating');
    }
    await Promise.all([neighbour.close(), rotating.close()]);
    const neighbourLines = readFileSync(join(dir, 'server.8080.log'), 'utf8').split('\n').filter(Boolean);
    expect(neighbourLines).toHaveLength(600);
    expect(readdirSync(dir).filter((n) => n.startsWith('server.8080'))).toEqual(['server.8080.log']);
  });
});

describe('the clock, not the record, decides time rotation', () => {
  it('records dated years ahead neither rotate nor prune', async () => {
    const dir = tempDir();
    const path = join(dir, 'app.log');
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [{ type: 'file', path, rotate: { interval: 'daily', maxFiles: 3 } }],
    });
    for (let i = 0; i < 100; i++) log.info({ i }, 'today');
    const stream = log.stream();
    for (let year = 1; year <= 4; year++)
      stream.write(`{"time":${Date.now() + year * 366 * 86_400_000},"msg":"future"}\n`);
    stream.end();
    await new Promise((resolve) => stream.on('finish', resolve));
    for (let i = 100; i < 200; i++) log.info({ i }, 'still today');
    await log.close();
    expect(readdirSync(dir)).toEqual(['app.log']);
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(204);
  });
});

describe('opening never blocks', () => {
  const fifo = (): string => {
    const path = join(tempDir(), 'pipe.log');
    execFileSync('mkfifo', [path]);
    return path;
  };
  it.each([
    ['a FIFO with no reader', fifo, /ENXIO/],
    ['a path under /proc', () => '/proc/streamlog-test/deeper/app.log', /cannot open log file/],
  ])('%s: createLogger returns at once and the records fail, reported', async (_name, makePath, diagnostic) => {
    const result = await run(`
      const diagnostics = [];
      const log = createLogger({ base: null, diagnostics: (m) => diagnostics.push(m),
        transports: [{ type: 'file', path: ${JSON.stringify(makePath())} }] });
      log.info('nowhere to go');
      await log.flush();
      process.stdout.write(JSON.stringify({ stats: log.stats(), diagnostics }));
      process.exit(0);
    `);
    expect(result.code).toBe(0);
    const { stats, diagnostics } = JSON.parse(result.stdout);
    expect(stats).toMatchObject({ logged: 1, failed: 1 });
    expect(diagnostics.join('\n')).toMatch(diagnostic);
  });
});

describe('SIGKILL and exit handlers', () => {
  it('SIGKILL loses at most bufferSize bytes plus one line, counted in bytes for CJK text', () => {
    requireBuild();
    const dir = tempDir();
    const path = join(dir, 'cjk.log');
    const line = '日本語のログ'.repeat(50);
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const file = { type: 'file', path: ${JSON.stringify(path)} };
      const log = createLogger({ base: null, timestamp: false, transports: [file] });
      // 198 lines of ~930 bytes stay under 64 Ki UTF-16 units: a bound kept in units would hold them all.
      for (let i = 0; i < 198; i++) log.info({ i }, ${JSON.stringify(line)});
      process.kill(process.pid, 'SIGKILL');
    `;
    spawnSync(process.execPath, ['--input-type=module', '-e', script]);
    const written = existsSync(path) ? statSync(path).size : 0;
    const oneLine = Buffer.byteLength(`{"level":30,"i":100,"msg":"${line}"}\n`);
    expect(198 * oneLine - written).toBeLessThanOrEqual(64 * 1024 + oneLine);
    for (const text of readFileSync(path, 'utf8').split('\n').filter(Boolean))
      expect(() => JSON.parse(text)).not.toThrow();
  });

  it('a line logged from an exit handler registered after createLogger reaches the file', async () => {
    const dir = tempDir();
    const path = join(dir, 'exit.log');
    const result = await run(`
      const file = { type: 'file', path: ${JSON.stringify(path)} };
      const log = createLogger({ base: null, timestamp: false, transports: [file] });
      process.on('exit', (code) => log.info({ code }, 'exiting'));
      log.info('main done');
      process.exit(3);
    `);
    expect(result.code).toBe(3);
    expect(readFileSync(path, 'utf8')).toBe('{"level":30,"msg":"main done"}\n{"level":30,"code":3,"msg":"exiting"}\n');
  });
});

describe('a full disk', () => {
  it.skipIf(!canMountTmpfs)(
    'no torn line, every record counted, and writing resumes within about a second by default',
    () =>
      onTinyTmpfs(async (mountPoint) => {
        writeFileSync(join(mountPoint, 'filler'), Buffer.alloc(56 * 1024));
        const log = createLogger({
          exitFlush: false,
          base: null,
          transports: [{ type: 'file', path: join(mountPoint, 'app.log') }],
        });
        for (let i = 0; i < 300; i++) log.info({ i }, 'x'.repeat(90));
        await log.flush();
        const full = log.stats();
        expect(full.failed).toBeGreaterThan(0);
        expect(full.delivered + full.failed).toBe(300);
        execFileSync('rm', [join(mountPoint, 'filler')]);
        const resumed = Date.now();
        let i = 300;
        while (log.stats().targets[0]!.delivered === full.targets[0]!.delivered && Date.now() - resumed < 5000) {
          log.info({ i: i++ }, 'space is back');
          await log.flush();
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(log.stats().targets[0]!.delivered).toBeGreaterThan(full.targets[0]!.delivered);
        expect(Date.now() - resumed).toBeLessThan(2500);
        await log.close();
        const stats = log.stats();
        expect(stats.logged).toBe(stats.delivered + stats.failed + stats.dropped);
        const lines = readFileSync(join(mountPoint, 'app.log'), 'utf8').split('\n').filter(Boolean);
        for (const line of lines) expect(() => JSON.parse(line), line.slice(0, 80)).not.toThrow();
        expect(lines.some((l) => l.includes('space is back'))).toBe(true);
      }),
  );
});
