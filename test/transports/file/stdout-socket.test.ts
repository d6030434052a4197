import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';

// A parent that spawns with stdio 'pipe' (Node's child_process, execa, many supervisors) and
// systemd's StandardOutput=journal hand the process a socket as stdout. A socket cannot be
// opened by its name (ENXIO), so a file transport or dead letter at `/dev/stdout`, a common
// way to say "stdout" in a config file, failed every record. The descriptor is written now.

/** Runs `config` logging 1,000 records in a child whose stdout is a socket; its lines and stats. */
async function run(config: object): Promise<{ lines: string[]; stats: Record<string, number> }> {
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-stdout-socket-'));
  const file = join(dir, 'run.mjs');
  writeFileSync(
    file,
    `import { createLogger } from ${JSON.stringify(DIST_ESM)};
     const log = createLogger(${JSON.stringify(config)});
     for (let i = 0; i < 1000; i++) log.info({ i }, 'record');
     await log.close();
     const { logged, delivered, failed, deadLettered } = log.stats();
     process.stderr.write(JSON.stringify({ logged, delivered, failed, deadLettered }));`,
  );
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk;
  });
  const status = await new Promise((resolve) => child.on('close', resolve));
  expect(status).toBe(0);
  const lines = out.split('\n').filter((line) => line !== '');
  const stats = err.slice(err.lastIndexOf('{"logged"'));
  return { lines, stats: JSON.parse(stats.slice(0, stats.indexOf('}') + 1)) };
}

describe('/dev/stdout when stdout is a socket', () => {
  it('a file transport at /dev/stdout writes every record', async () => {
    requireBuild();
    const { lines, stats } = await run({ transports: [{ type: 'file', path: '/dev/stdout' }] });
    expect(stats).toEqual({ logged: 1000, delivered: 1000, failed: 0, deadLettered: 0 });
    expect(lines.map((line) => JSON.parse(line).i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('a dead letter at /dev/stdout holds every failed record', async () => {
    requireBuild();
    const { lines, stats } = await run({
      transports: [{ type: 'file', path: '/dev/null/cannot' }],
      router: { deadLetter: '/dev/stdout' },
    });
    expect(stats).toEqual({ logged: 1000, delivered: 0, failed: 1000, deadLettered: 1000 });
    expect(lines.map((line) => JSON.parse(line).record.i).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  it('the stdout a file transport borrowed stays open after close() (console.log still writes)', async () => {
    requireBuild();
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-stdout-socket-'));
    const file = join(dir, 'run.mjs');
    writeFileSync(
      file,
      `import { createLogger } from ${JSON.stringify(DIST_ESM)};
       const log = createLogger({ transports: [{ type: 'file', path: '/dev/stdout' }] });
       log.info('first');
       await log.close();
       console.log('after close');`,
    );
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'inherit'], timeout: 60_000 });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
    expect(out).toContain('"msg":"first"');
    expect(out).toContain('after close\n');
  });
});
