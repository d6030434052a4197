import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  configJsonSchema,
  createLogger,
  type Logger,
  MemoryTransport,
  registerTransport,
} from '../../../src/index.js';
import { DIST_ESM, requireBuild } from '../../built.js';

/*
 * A number or boolean option written as "${VAR}" in a config file: read from a real file,
 * with real environment variables, as an operator tuning one deployment would.
 */
const dir = mkdtempSync(join(tmpdir(), 'streamlog-env-numbers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const setVars: string[] = [];
afterEach(() => {
  for (const name of setVars.splice(0)) delete process.env[name];
});

/** Sets real environment variables for this test (unset again after it). */
function setEnv(vars: Record<string, string>): void {
  for (const [name, value] of Object.entries(vars)) {
    process.env[name] = value;
    setVars.push(name);
  }
}

let files = 0;
/** Writes the config to a file of its own and builds a logger from that file. */
function fromFile(config: unknown): Logger {
  const path = join(dir, `streamlog-${files++}.json`);
  writeFileSync(path, JSON.stringify(config));
  return createLogger(path, { diagnostics: () => {} });
}

function configError(config: unknown): ConfigError {
  try {
    fromFile(config);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const NOT_JSON_NUMBER = 'not a number as JSON writes it (no spaces, no "+", no leading zeros, no hex)';

function memory(log: Logger, id: string): MemoryTransport {
  return log.transport(id) as MemoryTransport;
}

describe('numbers and booleans from ${VAR} in a config file', () => {
  it('built-in options read them: counts, levels, booleans, a formatter option, redaction', async () => {
    setEnv({
      SL_KEEP: '2',
      SL_AUDIT: '35',
      SL_SHOW_BASE: 'true',
      SL_DEPTH: '2',
      SL_REMOVE: 'true',
      SL_QUEUE: '1000',
    });
    const log = fromFile({
      exitFlush: '${SL_EXIT_FLUSH:-false}',
      base: { region: 'eu' },
      levels: { audit: '${SL_AUDIT}' },
      serialize: { maxDepth: '${SL_DEPTH}' },
      redact: { paths: ['secret'], remove: '${SL_REMOVE}' },
      transports: [
        { type: 'memory', id: 'kept', maxRecords: '${SL_KEEP}', maxQueue: { maxRecords: '${SL_QUEUE}' } },
        { type: 'memory', id: 'text', format: { type: 'text', showBase: '${SL_SHOW_BASE}' } },
      ],
    }) as Logger & { audit: (msg: string) => void };
    log.info({ secret: 's', deep: { a: { b: { c: 1 } } } }, 'one');
    log.info('two');
    log.audit('three');
    await log.flush();
    const kept = memory(log, 'kept').objects();
    expect(kept.map((r) => [r.level, r.msg])).toEqual([
      [30, 'two'],
      [35, 'three'],
    ]);
    const first = memory(log, 'text').objects()[0]!;
    expect(first).not.toHaveProperty('secret');
    expect(JSON.stringify(first.deep)).not.toContain('"c":1');
    expect(memory(log, 'text').lines()[0]).toContain('region=eu');
    await log.close();
  });

  it('a default in ${VAR:-5} is read as the number when VAR is unset or empty', async () => {
    setEnv({ SL_EMPTY: '' });
    const log = fromFile({
      exitFlush: false,
      transports: [
        { type: 'memory', id: 'a', maxRecords: '${SL_UNSET_KEEP:-1}' },
        { type: 'memory', id: 'b', maxRecords: '${SL_EMPTY:-2}' },
      ],
    });
    for (const msg of ['x', 'y', 'z']) log.info(msg);
    await log.flush();
    expect(
      memory(log, 'a')
        .objects()
        .map((r) => r.msg),
    ).toEqual(['z']);
    expect(
      memory(log, 'b')
        .objects()
        .map((r) => r.msg),
    ).toEqual(['y', 'z']);
    await log.close();
  });

  it('a value the option takes as a string stays that string ("iso", an octal mode)', async () => {
    setEnv({ SL_TS: 'iso', SL_MODE: '640', SL_NO_TS: 'false' });
    const path = join(dir, 'mode.log');
    const log = fromFile({
      exitFlush: false,
      timestamp: '${SL_TS}',
      transports: [
        { type: 'file', path, mode: '${SL_MODE}', sync: true },
        { type: 'memory', id: 'm' },
      ],
    });
    log.info('hi');
    await log.flush();
    expect(memory(log, 'm').objects()[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(statSync(path).mode & 0o777).toBe(0o640);
    await log.close();
    const without = fromFile({ exitFlush: false, timestamp: '${SL_NO_TS}', transports: [{ type: 'memory', id: 'm' }] });
    without.info('hi');
    await without.flush();
    expect(memory(without, 'm').objects()[0]).not.toHaveProperty('time');
    await without.close();
  });

  it('a literal string typed where a number is expected stays an error, as does "$${VAR}"', () => {
    setEnv({ SL_KEEP: '2' });
    expect(configError({ transports: [{ type: 'memory', maxRecords: '2' }] }).message).toBe(
      'transports[0].maxRecords: expected number, got string',
    );
    expect(configError({ transports: [{ type: 'memory', maxRecords: '$${SL_KEEP}' }] }).message).toBe(
      'transports[0].maxRecords: expected number, got string',
    );
    expect(configError({ exitFlush: 'false' }).message).toBe('exitFlush: expected boolean, got string');
  });

  it.each([
    ['abc', NOT_JSON_NUMBER],
    [' 5 ', NOT_JSON_NUMBER],
    ['0x10', NOT_JSON_NUMBER],
    ['NaN', NOT_JSON_NUMBER],
    ['', NOT_JSON_NUMBER],
    ['1e309', 'beyond the largest number'],
    ['9007199254740993', 'a whole number beyond 2^53 − 1, which would lose precision'],
  ])('%j for a count: a ConfigError naming the path, the variable and its value', (value, why) => {
    setEnv({ SL_BATCH: value });
    const error = configError({
      transports: [{ type: 'buffered', batch: { maxRecords: '${SL_BATCH}' }, target: { type: 'memory' } }],
    });
    expect(error.message).toBe(
      `transports[0].batch.maxRecords: expected a number, but \${SL_BATCH} gave ${JSON.stringify(value)}: ${why}`,
    );
    expect(error.path).toBe('transports[0].batch.maxRecords');
  });

  it("a number out of the option's range, or not whole, says so and where it came from", () => {
    setEnv({ SL_ZERO: '0', SL_HALF: '2.5', SL_MINUS_ZERO: '-0' });
    expect(configError({ transports: [{ type: 'memory', maxRecords: '${SL_ZERO}' }] }).message).toBe(
      'transports[0].maxRecords: expected more than 0 (${SL_ZERO} gave "0")',
    );
    expect(configError({ serialize: { maxDepth: '${SL_HALF}' } }).message).toBe(
      'serialize.maxDepth: expected int, got number (${SL_HALF} gave "2.5")',
    );
    expect(configError({ serialize: { maxItems: '${SL_MINUS_ZERO}' } }).message).toBe(
      'serialize.maxItems: expected at least 1 (${SL_MINUS_ZERO} gave "-0")',
    );
  });

  it('a boolean is exactly "true" or "false"; a default that reads as neither names the variable unset', () => {
    setEnv({ SL_FLAG: 'true ' });
    expect(configError({ exitFlush: '${SL_FLAG}' }).message).toBe(
      'exitFlush: expected true or false, but ${SL_FLAG} gave "true ": only exactly "true" or "false" is a boolean',
    );
    expect(configError({ handleSignals: '${SL_UNSET_FLAG:-yes}' }).message).toBe(
      'handleSignals: expected true or false, but the default of ${SL_UNSET_FLAG:-yes} gave "yes" ' +
        '(SL_UNSET_FLAG is not set): only exactly "true" or "false" is a boolean',
    );
  });

  it('a string made of a reference and text is read too, and its message lists each variable', () => {
    setEnv({ SL_TENS: '1' });
    const log = fromFile({ exitFlush: false, transports: [{ type: 'memory', id: 'm', maxRecords: '${SL_TENS}0' }] });
    expect((log.transport('m') as MemoryTransport).stats().capacity).toBe(10);
    expect(configError({ transports: [{ type: 'memory', maxRecords: '${SL_TENS}x${SL_UNSET_U:-2}' }] }).message).toBe(
      'transports[0].maxRecords: expected a number, but "${SL_TENS}x${SL_UNSET_U:-2}" gave "1x2" ' +
        `(SL_TENS="1", SL_UNSET_U: default "2"): ${NOT_JSON_NUMBER}`,
    );
    return log.close();
  });
});

describe('"diagnostics": "${VAR}" holding false', () => {
  it('silences stderr as "diagnostics": false does (a child logging to a file it cannot open)', () => {
    requireBuild();
    const path = join(dir, 'quiet.json');
    writeFileSync(
      path,
      JSON.stringify({ diagnostics: '${SL_DIAG}', transports: [{ type: 'file', path: '/proc/no.log' }] }),
    );
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      const log = createLogger(${JSON.stringify(path)});
      log.info('lost');
      while (log.stats().failed < 1) await new Promise((r) => setTimeout(r, 5));
      process.stdout.write(String(log.stats().failed));
    `;
    const run = (value: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, SL_DIAG: value },
        timeout: 20_000,
        killSignal: 'SIGKILL',
      });
    const quiet = run('false');
    expect(quiet.stdout).toBe('1');
    expect(quiet.stderr).toBe('');
    // "true" is not a value the option takes: the ConfigError names the variable.
    const wrong = run('true');
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toContain('diagnostics: expected false (or, from code, a function) (${SL_DIAG} gave "true")');
  });
});

describe('a level number from the environment', () => {
  it('"${LEVEL}" holding 40 is the level 40, for the logger and a transport entry', async () => {
    setEnv({ SL_LEVEL: '35', SL_TARGET_LEVEL: '40' });
    const log = fromFile({
      exitFlush: false,
      level: '${SL_LEVEL}',
      transports: [{ type: 'memory', id: 'm', level: '${SL_TARGET_LEVEL}' }],
    });
    expect(log.levelVal).toBe(35);
    log.info('dropped by the logger');
    log.warn('kept');
    await log.flush();
    expect(
      memory(log, 'm')
        .objects()
        .map((r) => r.msg),
    ).toEqual(['kept']);
    await log.close();
  });

  it('"${STDERR_LEVEL}" holding 40 is the console\'s stderr level 40; "40" typed in the file is refused', async () => {
    setEnv({ SL_STDERR_LEVEL: '40' });
    const log = fromFile({
      exitFlush: false,
      transports: [{ type: 'console', id: 'c', stderrLevel: '${SL_STDERR_LEVEL}' }],
    });
    expect((log.transport('c') as unknown as { stderrThreshold: number }).stderrThreshold).toBe(40);
    await log.close();
    expect(configError({ transports: [{ type: 'console', stderrLevel: '40' }] }).message).toBe(
      'transports[0].stderrLevel: expected a level number as a number (40, not "40"), or a level name',
    );
  });

  it('a level number typed as a string in the file is refused; one past 1000 says where it came from', () => {
    expect(configError({ level: '30' }).message).toBe(
      'level: expected a level number as a number (30, not "30"), or a level name like "info"',
    );
    setEnv({ SL_LEVEL: '2000' });
    expect(configError({ transports: [{ type: 'memory', level: '${SL_LEVEL}' }] }).message).toBe(
      'transports[0].level: expected at most 1000 (${SL_LEVEL} gave "2000")',
    );
  });

  it('$LOG_LEVEL=50 (the config sets no level) is the level 50; 5000 is refused, naming $LOG_LEVEL', () => {
    setEnv({ LOG_LEVEL: '50' });
    const log = fromFile({ exitFlush: false, transports: [{ type: 'memory' }] });
    expect(log.levelVal).toBe(50);
    setEnv({ LOG_LEVEL: '5000' });
    expect(configError({ transports: [{ type: 'memory' }] }).message).toBe(
      'level: expected a whole number from 0 to 1000 or a level name ' +
        '(from $LOG_LEVEL="5000"; the config sets no "level")',
    );
    return log.close();
  });
});

describe('a level name from the environment', () => {
  it('"${LEVEL}" holding WARN or " Error " is that level, for the logger and a transport entry', async () => {
    setEnv({ SL_NAME_LEVEL: 'WARN', SL_NAME_TARGET: ' Error ' });
    const log = fromFile({
      exitFlush: false,
      level: '${SL_NAME_LEVEL}',
      transports: [{ type: 'memory', id: 'm', level: '${SL_NAME_TARGET:-info}' }],
    });
    expect(log.level).toBe('warn');
    log.warn('dropped by the target');
    log.error('kept');
    await log.flush();
    expect(
      memory(log, 'm')
        .objects()
        .map((r) => r.msg),
    ).toEqual(['kept']);
    await log.close();
  });

  it('a custom level too; a name no level has says where it came from', () => {
    setEnv({ SL_NAME_LEVEL: 'AUDIT' });
    const log = fromFile({
      exitFlush: false,
      customLevels: { audit: 35 },
      level: '${SL_NAME_LEVEL}',
      transports: [{ type: 'memory' }],
    });
    expect(log.levelVal).toBe(35);
    setEnv({ SL_NAME_LEVEL: 'Verbose' });
    expect(configError({ level: '${SL_NAME_LEVEL}', transports: [{ type: 'memory' }] }).message).toBe(
      'level: unknown level "Verbose" (known: trace, debug, info, warn, error, fatal, silent) ' +
        '(${SL_NAME_LEVEL} gave "Verbose")',
    );
    return log.close();
  });

  it('a number with spaces around it is that level; one past 1000 says where it came from', async () => {
    setEnv({ SL_NAME_LEVEL: ' 40 ' });
    const log = fromFile({ exitFlush: false, level: '${SL_NAME_LEVEL}', transports: [{ type: 'memory' }] });
    expect(log.levelVal).toBe(40);
    setEnv({ SL_NAME_LEVEL: ' 4000 ' });
    expect(configError({ transports: [{ type: 'memory', level: '${SL_NAME_LEVEL}' }] }).message).toBe(
      'transports[0].level: expected a whole number from 0 to 1000 or a level name (${SL_NAME_LEVEL} gave " 4000 ")',
    );
    await log.close();
  });

  it("a console's stderrLevel from a variable is read the same way, and its error names the variable", async () => {
    setEnv({ SL_NAME_LEVEL: 'WARN' });
    const log = fromFile({
      exitFlush: false,
      transports: [{ type: 'console', id: 'c', stderrLevel: '${SL_NAME_LEVEL}' }],
    });
    expect((log.transport('c') as unknown as { stderrThreshold: number }).stderrThreshold).toBe(40);
    setEnv({ SL_NAME_LEVEL: 'loud' });
    expect(configError({ transports: [{ type: 'console', stderrLevel: '${SL_NAME_LEVEL}' }] }).message).toBe(
      'transports[0].stderrLevel: unknown level "loud" (known: trace, debug, info, warn, error, fatal, silent) ' +
        '(${SL_NAME_LEVEL} gave "loud")',
    );
    expect(configError({ transports: [{ type: 'console', stderrLevel: 'WARN' }] }).message).toBe(
      'transports[0].stderrLevel: unknown level "WARN" (known: trace, debug, info, warn, error, fatal, silent); ' +
        'did you mean "warn"?',
    );
    await log.close();
  });

  it('a name typed in the file is read exactly: "WARN" is refused', () => {
    expect(configError({ level: 'WARN', transports: [{ type: 'memory' }] }).message).toBe(
      'level: unknown level "WARN" (known: trace, debug, info, warn, error, fatal, silent); did you mean "warn"?',
    );
  });
});

describe('a registered transport with its own zod schema', () => {
  const seen: unknown[] = [];
  registerTransport('env-numbers-probe', {
    schema: z.strictObject({
      count: z.number().int().positive(),
      enabled: z.boolean(),
      ratio: z.union([z.literal('auto'), z.number().min(0).max(1)]),
      hosts: z.array(z.strictObject({ port: z.number().int() })).optional(),
      targets: z.array(z.unknown()).optional(),
      limit: z.union([z.number(), z.boolean()]).optional(),
    }),
    create: (options, context) => {
      seen.push(options);
      const inner = (options.targets ?? []).map((entry, index) => context.createTarget(entry, `targets[${index}]`));
      return inner[0] ?? new MemoryTransport();
    },
  });

  it('reads each number and boolean, in arrays and in nested transport entries', async () => {
    setEnv({ SL_COUNT: '3', SL_ON: 'true', SL_RATIO: '0.25', SL_PORT: '514', SL_INNER: '1' });
    seen.length = 0;
    const log = fromFile({
      exitFlush: false,
      transports: [
        {
          type: 'env-numbers-probe',
          id: 'probe',
          count: '${SL_COUNT}',
          enabled: '${SL_ON}',
          ratio: '${SL_RATIO}',
          hosts: [{ port: '${SL_PORT}' }, { port: 515 }],
          targets: [{ type: 'memory', maxRecords: '${SL_INNER}' }],
        },
      ],
    });
    expect(seen).toEqual([
      {
        count: 3,
        enabled: true,
        ratio: 0.25,
        hosts: [{ port: 514 }, { port: 515 }],
        targets: [{ type: 'memory', maxRecords: '1' }],
      },
    ]);
    log.info('a');
    log.info('b');
    await log.flush();
    expect((log.transport('probe') as MemoryTransport).objects().map((r) => r.msg)).toEqual(['b']);
    await log.close();
  });

  it("a value that does not read is named at its path, the nested entry's included, every one listed", () => {
    setEnv({ SL_COUNT: 'many', SL_RATIO: 'auto', SL_PORT: '5.5', SL_INNER: 'x' });
    const error = configError({
      transports: [
        {
          type: 'env-numbers-probe',
          count: '${SL_COUNT}',
          enabled: '${SL_ON:-false}',
          ratio: '${SL_RATIO}',
          hosts: [{ port: '${SL_PORT}' }],
          limit: '${SL_LIMIT:-maybe}',
        },
        {
          type: 'env-numbers-probe',
          count: 1,
          enabled: true,
          ratio: 1,
          targets: [{ type: 'memory' }, { type: 'memory', maxRecords: '${SL_INNER}' }],
        },
      ],
    });
    expect(error.issues).toEqual([
      {
        path: 'transports[0].count',
        expected: `expected a number, but \${SL_COUNT} gave "many": ${NOT_JSON_NUMBER}`,
      },
      { path: 'transports[0].hosts[0].port', expected: 'expected int, got number (${SL_PORT} gave "5.5")' },
      {
        path: 'transports[0].limit',
        expected:
          'expected a number, true or false, but the default of ${SL_LIMIT:-maybe} gave "maybe" ' +
          `(SL_LIMIT is not set): ${NOT_JSON_NUMBER}, and only exactly "true" or "false" is a boolean`,
      },
      {
        path: 'transports[1].targets[1].maxRecords',
        expected: `expected a number, but \${SL_INNER} gave "x": ${NOT_JSON_NUMBER}`,
      },
    ]);
  });
});

describe('a wrapper plugin whose schema copies its nested entry', () => {
  registerTransport('env-numbers-wrap', {
    schema: z.strictObject({ target: z.looseObject({ type: z.string() }) }),
    create: (options, context) => context.createTarget(options.target),
  });

  it("the copy's strings still came from the environment: read, or named in the error", async () => {
    setEnv({ SL_INNER: '1' });
    const log = fromFile({
      exitFlush: false,
      transports: [{ type: 'env-numbers-wrap', id: 'w', target: { type: 'memory', maxRecords: '${SL_INNER}' } }],
    });
    expect((log.transport('w') as MemoryTransport).stats().capacity).toBe(1);
    await log.close();
    setEnv({ SL_INNER: 'one' });
    expect(
      configError({ transports: [{ type: 'env-numbers-wrap', target: { type: 'memory', maxRecords: '${SL_INNER}' } }] })
        .message,
    ).toBe(`transports[0].target.maxRecords: expected a number, but \${SL_INNER} gave "one": ${NOT_JSON_NUMBER}`);
  });
});

describe('the JSON Schema (npm run schema)', () => {
  it('lets a number or boolean option hold a ${VAR} string, but not a plain string', () => {
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    const ok = {
      exitFlush: '${EXIT_FLUSH:-true}',
      serialize: { maxDepth: '${DEPTH}' },
      transports: [{ type: 'memory', maxRecords: '${KEEP}', maxQueue: { maxRecords: '${QUEUE}' } }],
    };
    expect(validate(ok), JSON.stringify(validate.errors)).toBe(true);
    for (const wrong of [
      { exitFlush: 'false' },
      { serialize: { maxDepth: '5' } },
      { transports: [{ type: 'memory', maxRecords: 'KEEP' }] },
    ]) {
      expect(validate(wrong)).toBe(false);
    }
  });
});
