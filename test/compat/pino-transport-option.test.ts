import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ConfigError, configJsonSchema, createLogger, type Logger } from '../../src/index.js';
import { tempFolder } from '../transports/http/receiver.js';

// pino's `transport` option, as services pass it to pino: its file and pretty targets become
// streamlog's file and console entries, and the files hold the bytes pino's worker writes.

const PINO = createRequire(import.meta.url).resolve('pino');

/** Runs pino in a child process with `options`, making the calls of `calls`, until its transport has written. */
function pinoWrites(options: Record<string, unknown>, calls: string): void {
  const script = `const pino = require(${JSON.stringify(PINO)});
    const log = pino(${JSON.stringify(options)});
    ${calls}`;
  const result = spawnSync('sh', ['-c', `ulimit -f 8192 && exec "${process.execPath}" -e "$SCRIPT"`], {
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
    env: { ...process.env, SCRIPT: script },
  });
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}

const CALLS = `log.debug('below the level');
  log.info({ user: 'ann', n: 1 }, 'signed in');
  log.warn({ list: [1, 2] }, 'slow');
  log.error(new Error('boom'), 'failed');
  log.child({ reqId: 'r1' }).info('from a child');`;

function runCalls(log: Logger): void {
  log.debug('below the level');
  log.info({ user: 'ann', n: 1 }, 'signed in');
  log.warn({ list: [1, 2] }, 'slow');
  log.error(new Error('boom'), 'failed');
  log.child({ reqId: 'r1' }).info('from a child');
}

/** The lines of a file, parsed, with the error's stack cut to its first line (the two call sites differ). */
function linesOf(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      const err = parsed.err as { stack?: string } | undefined;
      if (err?.stack) err.stack = err.stack.split('\n')[0]!;
      return parsed;
    });
}

describe("pino's transport option", () => {
  it('a pino/file target writes the lines pino writes to that file', async () => {
    const dir = tempFolder('pino-transport-file');
    const common = { base: null, timestamp: false };
    pinoWrites(
      { ...common, transport: { target: 'pino/file', options: { destination: join(dir, 'pino.log') } } },
      CALLS,
    );
    const log = createLogger({
      exitFlush: false,
      ...common,
      transport: { target: 'pino/file', options: { destination: join(dir, 'ours.log') } },
    });
    runCalls(log);
    await log.close();
    const pinos = linesOf(join(dir, 'pino.log'));
    expect(pinos).toHaveLength(4);
    expect(linesOf(join(dir, 'ours.log'))).toEqual(pinos);
  });

  it('targets, each with its level and its file, write what pino writes to each', async () => {
    const dir = tempFolder('pino-transport-targets');
    const targets = (prefix: string) => ({
      targets: [
        { target: 'pino/file', level: 'warn', options: { destination: join(dir, `${prefix}-warn.log`) } },
        { target: 'pino/file', level: 'info', options: { destination: join(dir, `${prefix}-all.log`) } },
      ],
    });
    pinoWrites({ base: null, timestamp: false, transport: targets('pino') }, CALLS);
    const log = createLogger({ exitFlush: false, base: null, timestamp: false, transport: targets('ours') });
    runCalls(log);
    await log.close();
    for (const file of ['warn', 'all']) {
      const pinos = linesOf(join(dir, `pino-${file}.log`));
      expect(pinos.length).toBe(file === 'warn' ? 2 : 4);
      expect(linesOf(join(dir, `ours-${file}.log`))).toEqual(pinos);
    }
  });

  it('a pino-pretty target is a console entry with the pretty format, on stdout or stderr', async () => {
    const log = createLogger({ exitFlush: false, transport: { target: 'pino-pretty', options: { colorize: false } } });
    const [pretty] = log.transports as unknown as { type: string; formatter?: { name: string } }[];
    expect(pretty!.type).toBe('console');
    expect(pretty!.formatter?.name).toBe('pretty');
    await log.close();
    const onStderr = createLogger({
      exitFlush: false,
      transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:standard' } },
    });
    expect((onStderr.transports[0] as unknown as { formatter?: { name: string } }).formatter?.name).toBe('pretty');
    await onStderr.close();
  });

  it('another target, a pipeline, or transport beside transports is a ConfigError saying what to write', () => {
    expect(() => createLogger({ exitFlush: false, transport: { target: 'pino-loki', options: {} } })).toThrow(
      /^transport\.target: pino's worker transport "pino-loki" is not run here: write "transports" entries/,
    );
    expect(() => createLogger({ exitFlush: false, transport: { pipeline: [] } })).toThrow(/^transport\.pipeline: /);
    expect(() =>
      createLogger({ exitFlush: false, transports: [], transport: { target: 'pino/file', options: {} } }),
    ).toThrow(ConfigError);
    expect(() =>
      createLogger({
        exitFlush: false,
        transport: { targets: [{ target: 'pino/file', options: { destination: 7 } }] },
      }),
    ).toThrow(/^transport\.targets\[0\]\.options\.destination: expected a file path, 1 \(stdout\) or 2 \(stderr\)$/);
  });

  it('targets without a level take info and up as in pino, whatever the logger level; a lone one all', async () => {
    const dir = tempFolder('pino-transport-unleveled');
    const targets = (prefix: string) => ({
      targets: [
        { target: 'pino/file', options: { destination: join(dir, `${prefix}-plain.log`) } },
        { target: 'pino/file', level: 'debug', options: { destination: join(dir, `${prefix}-debug.log`) } },
      ],
    });
    const lone = (prefix: string) => ({
      targets: [{ target: 'pino/file', options: { destination: join(dir, `${prefix}-lone.log`) } }],
    });
    const common = { base: null, timestamp: false, level: 'debug' };
    pinoWrites({ ...common, transport: targets('pino') }, CALLS);
    pinoWrites({ ...common, transport: lone('pino') }, CALLS);
    for (const transport of [targets('ours'), lone('ours')]) {
      const log = createLogger({ exitFlush: false, ...common, transport });
      runCalls(log);
      await log.close();
    }
    for (const [file, count] of [
      ['plain', 4],
      ['debug', 5],
      ['lone', 5],
    ] as const) {
      const pinos = linesOf(join(dir, `pino-${file}.log`));
      expect(pinos.length).toBe(count);
      expect(linesOf(join(dir, `ours-${file}.log`))).toEqual(pinos);
    }
  });

  it('a file mode is kept; append: false (pino empties the file) and dedupe are ConfigErrors', async () => {
    const dir = tempFolder('pino-transport-file-options');
    const path = join(dir, 'mode.log');
    const log = createLogger({
      exitFlush: false,
      transport: { target: 'pino/file', options: { destination: path, mode: 0o600 } },
    });
    log.info('kept private');
    await log.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const old = join(dir, 'old.log');
    writeFileSync(old, 'old\n');
    expect(() =>
      createLogger({
        exitFlush: false,
        transport: { target: 'pino/file', options: { destination: old, append: false } },
      }),
    ).toThrow(/^transport\.options\.append: lines are always appended/);
    expect(readFileSync(old, 'utf8')).toBe('old\n');
    const both = [
      { target: 'pino/file', level: 'info', options: { destination: join(dir, 'a.log') } },
      { target: 'pino/file', level: 'debug', options: { destination: join(dir, 'b.log') } },
    ];
    expect(() => createLogger({ exitFlush: false, transport: { dedupe: true, targets: both } })).toThrow(
      /^transport\.dedupe: pino's dedupe/,
    );
    // A stdout target has no file to empty: append: false changes nothing there, as in pino.
    const out = createLogger({ exitFlush: false, transport: { target: 'pino/file', options: { append: false } } });
    await out.close();
  });

  it('append and dedupe given as ${VAR} (a JSON config) are read as the value they hold', async () => {
    const dir = tempFolder('pino-transport-env-flags');
    const env = { ...process.env, APPEND: 'true', NO_DEDUPE: 'false', NOT_APPEND: 'false', DIR: dir };
    const log = createLogger({
      exitFlush: false,
      env,
      transport: {
        dedupe: '${NO_DEDUPE}' as unknown as boolean,
        targets: [{ target: 'pino/file', options: { destination: '${DIR}/a.log', append: '${APPEND}' } }],
      },
    });
    log.info('appended');
    await log.close();
    expect(linesOf(join(dir, 'a.log'))).toHaveLength(1);
    expect(() =>
      createLogger({
        exitFlush: false,
        env,
        transport: { target: 'pino/file', options: { destination: '${DIR}/b.log', append: '${NOT_APPEND}' } },
      }),
    ).toThrow(/^transport\.options\.append: lines are always appended/);
  });

  it('a level beside a lone target (not in targets) filters nothing, as pino does not read it', async () => {
    const dir = tempFolder('pino-transport-lone-level');
    const lone = (prefix: string) => ({
      target: 'pino/file',
      level: 'warn',
      options: { destination: join(dir, `${prefix}.log`) },
    });
    const common = { base: null, timestamp: false, level: 'debug' };
    pinoWrites({ ...common, transport: lone('pino') }, CALLS);
    const log = createLogger({ exitFlush: false, ...common, transport: lone('ours') });
    runCalls(log);
    await log.close();
    const pinos = linesOf(join(dir, 'pino.log'));
    expect(pinos).toHaveLength(5);
    expect(linesOf(join(dir, 'ours.log'))).toEqual(pinos);
  });

  it("the config's JSON Schema takes transport, as a config file may hold it", () => {
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    const file = {
      transport: { targets: [{ target: 'pino/file', level: 'warn', options: { destination: 'a.log' } }] },
    };
    expect(validate(file), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ transport: { target: 'pino/file', options: { destination: 'a.log' } } })).toBe(true);
    expect(validate({ transport: 'pino/file' })).toBe(false);
  });
});
