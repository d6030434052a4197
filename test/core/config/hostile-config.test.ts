import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  configJsonSchema,
  createLogger,
  type LoggerOptions,
  MemoryTransport,
} from '../../../src/index.js';
import { DIST_ESM } from '../../built.js';

/** What `run` throws (undefined when it returns). */
function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** createLogger(path) in a child process, hard-killed if it hangs: what it threw, or "built". */
function createIn(path: string): { status: number | null; signal: string | null; out: string } {
  const script = `
    import { createLogger, ConfigError } from ${JSON.stringify(DIST_ESM)};
    try {
      const log = createLogger(${JSON.stringify(path)}, { diagnostics: false });
      await log.close({ timeoutMs: 500 });
      process.stdout.write('built');
    } catch (error) {
      process.stdout.write(JSON.stringify({ config: error instanceof ConfigError, message: error.message }));
    }
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 10_000,
    killSignal: 'SIGKILL',
  });
  return { status: result.status, signal: result.signal, out: result.stdout };
}

describe('a config path that is not a regular file', () => {
  it('a FIFO nobody writes to: a ConfigError at once, not a read that waits for ever', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-config-fifo-'));
    const fifo = join(dir, 'streamlog.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const result = createIn(fifo);
    expect(result.signal).toBeNull();
    expect(JSON.parse(result.out)).toEqual({
      config: true,
      message: `cannot read config file ${fifo}: not a regular file`,
    });
  });

  it('a file over 16 MiB: a ConfigError saying its size, before it is read', () => {
    // Before: 127 MB of base fields took 25 s and 2 GB of memory to be said valid.
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-config-large-')), 'streamlog.json');
    writeFileSync(file, `{"base":{"a":"${'x'.repeat(17 * 1024 * 1024)}"}}`);
    expect(() => createLogger(file)).toThrow(/cannot read config file .*: 17\.0 MiB, over the 16 MiB a config may be/);
    // A /proc file says its size is 0 and reads on: before, it was read whole (SIGSEGV).
    expect(() => createLogger('/proc/self/pagemap')).toThrow(/: more, over the 16 MiB a config may be/);
  });

  it('a folder: a ConfigError naming it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'streamlog-config-dir-')), 'streamlog.json');
    mkdirSync(dir);
    const result = createIn(dir);
    expect(JSON.parse(result.out)).toMatchObject({ config: true, message: expect.stringContaining(dir) });
  });
});

describe('serializers named in a config', () => {
  it('an unknown name is reported at its index with the known names, beside the other problems', () => {
    const error = thrown(() =>
      createLogger({ exitFlush: false, levle: 'info', serializers: ['err', 'bogus'] } as LoggerOptions),
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { path: 'levle', expected: expect.stringMatching(/^unknown option "levle"/) },
      { path: 'serializers[1]', expected: 'expected one of "err", "errWithCause", "req", "res"' },
    ]);
  });

  it('serializers that are neither names nor functions are reported beside the other problems', () => {
    const error = thrown(() =>
      createLogger({ exitFlush: false, levle: 'info', serializers: 'err' } as unknown as LoggerOptions),
    );
    expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual(['levle', 'serializers']);
  });
});

describe('a config file that is not UTF-8', () => {
  function configErrorOf(bytes: Buffer): ConfigError {
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-config-utf8-')), 'streamlog.json');
    writeFileSync(file, bytes);
    try {
      createLogger(file, { diagnostics: false });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error('expected a ConfigError');
  }

  it('a Latin-1 byte in a value is a ConfigError at its line and column, not a silent U+FFFD', () => {
    const latin1 = Buffer.from('{\n  "exitFlush": false,\n  "name": "caf\xe9"\n}\n', 'latin1');
    expect(configErrorOf(latin1).message).toMatch(
      /streamlog\.json is not valid UTF-8 \(save it as UTF-8\): line 3, column 15 \(byte 38\)$/,
    );
  });

  it('a U+FFFD the file holds is not the bad byte; UTF-16 is named at its first byte', () => {
    const both = Buffer.concat([Buffer.from('{"name": "\uFFFD', 'utf8'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    expect(configErrorOf(both).message).toMatch(/not valid UTF-8 \(save it as UTF-8\): line 1, column 12 \(byte 13\)$/);
    const utf16 = Buffer.from('\uFEFF{"name": "x"}', 'utf16le');
    expect(configErrorOf(utf16).message).toMatch(/not valid UTF-8 \(save it as UTF-8\): line 1, column 1 \(byte 0\)$/);
  });

  it('UTF-8 with a byte order mark, and a U+FFFD written in it, are read as they are', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-config-utf8-')), 'streamlog.json');
    writeFileSync(file, '\uFEFF{"exitFlush": false, "name": "\uFFFD caf\u00e9", "transports": []}');
    const log = createLogger(file);
    expect(log.bindings()).toMatchObject({ name: '\uFFFD caf\u00e9' });
  });
});

describe('a "__proto__" key among the custom levels', () => {
  it('is a ConfigError at levels.__proto__, as the JSON Schema says, not a level left out unseen', () => {
    for (const key of ['levels', 'customLevels']) {
      const error = thrown(() =>
        createLogger({ exitFlush: false, ...JSON.parse(`{"${key}": {"audit": 35, "__proto__": 36}}`) }),
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        {
          path: `${key}.__proto__`,
          expected: 'invalid key: expected a level name of lowercase letters, digits and "_"',
        },
      ]);
    }
  });
});

describe('values nested deeper than any config needs', () => {
  const nested = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('a file with arrays 5,000 deep under base or transports: a ConfigError, not a stack overflow', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-config-deep-'));
    const base = join(dir, 'base.json');
    writeFileSync(base, `{"exitFlush": false, "transports": [], "base": {"a": ${nested(5000)}}}`);
    const entry = join(dir, 'entry.json');
    writeFileSync(entry, `{"exitFlush": false, "transports": [{"type": "memory", "x": ${nested(5000)}}]}`);
    const expected = 'expected a value nested at most 100 levels deep (or, from code, an object without a cycle)';
    for (const [file, path] of [
      [base, 'base.a'],
      [entry, 'transports[0]'],
    ]) {
      const error = thrown(() => createLogger(file!));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([{ path, expected }]);
    }
  });

  it('100 levels are accepted; a base with a cycle, from code, is a ConfigError', () => {
    const log = createLogger({ exitFlush: false, transports: [], base: { a: JSON.parse(nested(99)) } });
    expect(log.bindings()).toHaveProperty('a');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => createLogger({ exitFlush: false, transports: [], base: cyclic })).toThrow(ConfigError);
  });
});

describe('invalid JSON nested deeper than the error locator goes', () => {
  it('names where the nesting passes 1000 levels, not "Maximum call stack size exceeded"', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-config-deep-')), 'streamlog.json');
    writeFileSync(file, `{"base": ${'['.repeat(200_000)}1,}`);
    const error = thrown(() => createLogger(file));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(
      `invalid JSON in ${file} at line 1, column 1009: nested more than 1000 levels deep`,
    );
  });
});

describe('router.deadLetter: what is wrong with its path is said when the logger is built', () => {
  function deadLetterError(deadLetter: string): unknown {
    try {
      const log = createLogger({ exitFlush: false, transports: [], router: { deadLetter } });
      void log.close();
      return 'built';
    } catch (error) {
      return error;
    }
  }

  it('a folder, a NUL, a path under a file: a ConfigError at router.deadLetter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-config-dead-'));
    writeFileSync(join(dir, 'plain'), '');
    for (const [path, expected] of [
      [dir, `expected a file, but ${dir} is a folder`],
      [`${dir}/a\0b`, 'expected a file path without NUL characters'],
      [`${dir}/plain/dead.ndjson`, `cannot write to ${dir}/plain/dead.ndjson: ENOTDIR`],
    ]) {
      const error = deadLetterError(path!);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([{ path: 'router.deadLetter', expected }]);
    }
  });

  it('a file, or folders above it, the process cannot make: a ConfigError naming why', () => {
    // As root, in a child running as nobody, so the folder's mode means something.
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-config-dead-ro-'));
    chmodSync(dir, 0o555);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    for (const path of [join(dir, 'dead.ndjson'), join(dir, 'sub', 'dead.ndjson')]) {
      const script = `
        import { createLogger } from ${JSON.stringify(DIST_ESM)};
        try { createLogger({ exitFlush: false, transports: [], router: { deadLetter: ${JSON.stringify(path)} } });
          process.stdout.write('built'); } catch (error) { process.stdout.write(JSON.stringify(error.issues)); }`;
      const args = ['--input-type=module', '-e', script];
      const out = spawnSync(process.execPath, args, { encoding: 'utf8', ...asNobody });
      const expected = `cannot create ${path}: EACCES`;
      expect(JSON.parse(out.stdout)).toEqual([{ path: 'router.deadLetter', expected }]);
    }
    chmodSync(dir, 0o755);
  });

  it('a file not made yet (nor its folder), and a device, are accepted and nothing is created', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-config-dead-'));
    expect(deadLetterError(join(dir, 'later', 'dead.ndjson'))).toBe('built');
    expect(existsSync(join(dir, 'later'))).toBe(false);
    expect(deadLetterError('/dev/null')).toBe('built');
  });
});

describe('a file mode of -0', () => {
  it("opens the file with mode 0 instead of aborting the process in Node's native open", () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-config-mode-'));
    const config = join(dir, 'streamlog.json');
    writeFileSync(config, '{"exitFlush": false, "transports": [{"type": "file", "path": "app.log", "mode": -0}]}');
    const result = createIn(config);
    expect(result).toEqual({ status: 0, signal: null, out: 'built' });
    expect(statSync(join(dir, 'app.log')).mode & 0o777).toBe(0);
  });
});

describe('${VAR} in the options code may also give as functions (timestamp, serializers, redact.censor)', () => {
  it('expand like every other string', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({
      exitFlush: false,
      base: null,
      env: { TS: 'epoch', SER: 'err', CENSOR: '[gone]' },
      timestamp: '${TS}',
      serializers: ['${SER}'],
      redact: { paths: ['secret'], censor: '${CENSOR}' },
      transports: [memory],
    } as unknown as LoggerOptions);
    log.info({ secret: 'x', err: new Error('boom') }, 'hi');
    await log.flush();
    const [line] = memory.lines();
    expect(JSON.parse(line!)).toMatchObject({ secret: '[gone]', err: { type: 'Error', message: 'boom' } });
    expect(typeof JSON.parse(line!).time).toBe('number');
  });

  it('an unset one is reported at its path, beside the other problems', () => {
    const error = thrown(() =>
      createLogger({ exitFlush: false, env: {}, levle: 1, timestamp: '${TS}', serializers: ['${SER}'] } as never),
    );
    expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual(['timestamp', 'serializers[0]', 'levle']);
  });
});

describe('a mistyped level or http preset', () => {
  function messageOf(config: Record<string, unknown>): string {
    try {
      createLogger({ exitFlush: false, ...config } as LoggerOptions);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).message;
    }
    throw new Error('expected a ConfigError');
  }

  it('names the closest known one, as an unknown transport type does', () => {
    expect(messageOf({ level: 'infoo' })).toBe(
      'level: unknown level "infoo" (known: trace, debug, info, warn, error, fatal, silent); did you mean "info"?',
    );
    expect(messageOf({ transports: [{ type: 'memory', level: 'WARN' }] })).toMatch(/; did you mean "warn"\?$/);
    expect(messageOf({ transports: [{ type: 'http', url: 'http://127.0.0.1:9/', preset: 'lokii' }] })).toMatch(
      /^transports\[0\]\.preset: unknown preset "lokii" \(known: .*loki.*\); did you mean "loki"\?$/,
    );
    expect(messageOf({ level: 'zzzzzz' })).toMatch(/\(known: trace, debug, info, warn, error, fatal, silent\)$/);
  });
});

describe('a key given twice in one object of a config file', () => {
  function fileError(text: string): { file: string; message: string } {
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-config-dup-')), 'streamlog.json');
    writeFileSync(file, text);
    try {
      createLogger(file, { diagnostics: false });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return { file, message: (error as ConfigError).message };
    }
    throw new Error('expected a ConfigError');
  }

  it('is a ConfigError at the second one, naming its object; JSON.parse kept the last unseen', () => {
    const top = fileError('{\n  "level": "debug",\n  "exitFlush": false,\n  "level": "info"\n}\n');
    expect(top.message).toBe(`${top.file} at line 4, column 3: duplicate key "level" (JSON keeps only the last)`);
    const nested = fileError(
      '{"exitFlush": false, "transports": [{"type": "memory"}, {"type": "memory", "id": "a", "\\u0069d": "b"}]}',
    );
    expect(nested.message).toMatch(/at line 1, column 87: duplicate key "id" in transports\[1\] \(JSON keeps only/);
  });

  it('the same key in different objects is not a duplicate', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-config-dup-')), 'streamlog.json');
    writeFileSync(
      file,
      '{"exitFlush": false, "transports": [{"type": "memory", "id": "a"}, {"type": "memory", "id": "b"}]}',
    );
    expect(createLogger(file).transports.map((t) => t.id)).toEqual(['a', 'b']);
  });
});

describe('a ${…} inside a default', () => {
  it('is a ConfigError naming the reference, not a literal "${B}}" whether or not the variable is set', () => {
    for (const env of [{}, { A: 'a' }]) {
      const error = thrown(() => createLogger({ exitFlush: false, env, name: 'x-${A:-${B}}', transports: [] }));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        {
          path: 'name',
          expected: 'unsupported variable reference in the default of "${A:-${B}": a default cannot hold ${…}',
        },
      ]);
    }
    expect(createLogger({ exitFlush: false, env: {}, name: '${A:-$B}', transports: [] }).bindings().name).toBe('$B');
  });
});

describe('$LOG_LEVEL when the config sets no level', () => {
  function levelError(env: NodeJS.ProcessEnv, config: Record<string, unknown> = {}): ConfigError {
    try {
      createLogger({ exitFlush: false, env, transports: [], ...config } as LoggerOptions);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error('expected a ConfigError');
  }

  it('a level name in any case, spaces around it, is that level (deployments write INFO as often as info)', () => {
    for (const [given, level] of [
      ['INFO', 'info'],
      [' Warn ', 'warn'],
      ['error', 'error'],
    ]) {
      // Before: INFO was a ConfigError that stopped the service at its start.
      const log = createLogger({ exitFlush: false, env: { LOG_LEVEL: given }, transports: [] });
      expect(log.level).toBe(level);
      void log.close();
    }
    const custom = { exitFlush: false, env: { LOG_LEVEL: 'AUDIT' }, levels: { audit: 35 }, transports: [] };
    expect(createLogger(custom as LoggerOptions).level).toBe('audit');
  });

  it('an unknown name says it came from $LOG_LEVEL, not from a "level" the file does not have', () => {
    expect(levelError({ LOG_LEVEL: 'INFOO' }).issues).toEqual([
      {
        path: 'level',
        expected:
          'unknown level "INFOO" (from $LOG_LEVEL="INFOO"; the config sets no "level") ' +
          '(known: trace, debug, info, warn, error, fatal, silent); did you mean "info"?',
      },
    ]);
    expect(levelError({ LOG_LEVEL: 'info' }, { levels: { a: 5 }, useOnlyCustomLevels: true }).expected).toBe(
      'expected one of the custom levels (a), as useOnlyCustomLevels is set ' +
        '(from $LOG_LEVEL="info"; the config sets no "level")',
    );
  });
});

describe('$LOG_LEVEL with no config at all (the built-in default)', () => {
  it('an unknown name says it came from $LOG_LEVEL', () => {
    const script = `
      import { createLogger } from ${JSON.stringify(DIST_ESM)};
      try { createLogger(); process.stdout.write('built'); } catch (error) { process.stdout.write(error.message); }
    `;
    const { STREAMLOG_CONFIG: _unset, ...env } = process.env;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: mkdtempSync(join(tmpdir(), 'streamlog-config-none-')),
      env: { ...env, LOG_LEVEL: 'verbose' },
      encoding: 'utf8',
      timeout: 10_000,
      killSignal: 'SIGKILL',
    });
    expect(result.stdout).toBe(
      'level: unknown level "verbose" (from $LOG_LEVEL="verbose"; the config sets no "level") ' +
        '(known: trace, debug, info, warn, error, fatal, silent)',
    );
  });
});

describe('the JSON Schema export and the loader agree', () => {
  it('a level that is not a whole number is refused by both', () => {
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    for (const config of [{ level: 5.5 }, { transports: [{ type: 'memory', level: 30.5 }] }]) {
      expect(validate(config)).toBe(false);
      expect(() => createLogger({ exitFlush: false, ...config } as LoggerOptions)).toThrow(ConfigError);
    }
    for (const config of [{ level: 30 }, { transports: [{ type: 'memory', level: 1000 }] }]) {
      expect(validate(config)).toBe(true);
      expect(() => createLogger({ exitFlush: false, ...config } as LoggerOptions)).not.toThrow();
    }
  });
});

describe('"transports" that is not an array', () => {
  it('null is refused like any other type (not taken as the default console), beside the other problems', () => {
    for (const [transports, kind] of [
      [null, 'null'],
      [{ type: 'console' }, 'object'],
      ['console', 'string'],
    ] as const) {
      const error = thrown(() => createLogger({ exitFlush: false, levle: 1, transports } as unknown as LoggerOptions));
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        { path: 'levle', expected: expect.stringMatching(/^unknown option "levle"/) },
        { path: 'transports', expected: `expected an array of transport entries, got ${kind}` },
      ]);
    }
  });
});

describe('options only code can give', () => {
  it('in a config file: unknown options, listed with the other problems, never a TypeError or ignored', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'streamlog-config-code-')), 'streamlog.json');
    writeFileSync(file, '{"exitFlush": false, "env": {"X": "1"}, "onDeliveryError": 5, "hooks": {}, "levle": 1}');
    const error = thrown(() => createLogger(file));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => [issue.path, issue.expected.split(':')[0]])).toEqual([
      ['env', 'unknown option "env"'],
      ['onDeliveryError', 'unknown option "onDeliveryError"'],
      ['hooks', 'unknown option "hooks"'],
      ['levle', 'unknown option "levle" (known'],
    ]);
  });

  it('from code, an onDeliveryError or onChild that is not a function is a ConfigError', () => {
    for (const key of ['onDeliveryError', 'onChild']) {
      expect(() => createLogger({ exitFlush: false, transports: [], [key]: 5 } as LoggerOptions)).toThrow(
        expect.objectContaining({ name: 'ConfigError', path: key, expected: 'expected a function' }),
      );
    }
  });
});
