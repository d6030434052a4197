import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  configJsonSchema,
  ConsoleTransport,
  createLogger,
  MemoryTransport,
  registerTransport,
  type LogRecord,
  type LoggerOptions,
} from '../../../src/index.js';
import { findDefaultConfig } from '../../../src/core/config/load.js';
import { expandEnv } from '../../../src/core/config/expand-env.js';

// Plugins registered here are typed the way a user's plugin would be.
declare module '../../../src/core/plugin/registry.js' {
  interface TransportTypes {
    collect: { tag?: string };
    explodes: { reason?: string };
  }
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'streamlog-cfg-'));
}

const savedEnv = { ...process.env };
afterEach(() => {
  process.env = { ...savedEnv };
});

describe('JSON config', () => {
  it('builds a logger from a file, with levels, redaction and formats', async () => {
    const dir = tempDir();
    const file = join(dir, 'streamlog.json');
    writeFileSync(
      file,
      JSON.stringify({
        level: 'debug',
        name: 'api',
        base: { region: '${REGION:-eu-1}' },
        redact: { paths: ['password'], censor: '###' },
        levels: { audit: 35 },
        exitFlush: false,
        transports: [
          { type: 'memory', id: 'everything' },
          { type: 'memory', id: 'warnings', level: 'warn', format: 'text' },
        ],
      }),
    );
    const log = createLogger(file);
    log.debug({ password: 'x' }, 'd');
    log.warn('w');
    const [everything, warnings] = log.transports as MemoryTransport[];
    expect(everything!.id).toBe('everything');
    expect(everything!.objects().map((o) => [o.msg, o.region, o.name])).toEqual([
      ['d', 'eu-1', 'api'],
      ['w', 'eu-1', 'api'],
    ]);
    expect(everything!.objects()[0]!.password).toBe('###');
    expect(warnings!.lines()).toHaveLength(1);
    expect(warnings!.lines()[0]).toMatch(/^time=\S+ level=warn name=api msg=w region=eu-1\n$/);
    await log.close();
  });

  it('expands ${VAR} and ${VAR:-default}, and $$ as a literal dollar', () => {
    const env = { TOKEN: 'abc', EMPTY: '' };
    expect(
      expandEnv(
        { a: 'Bearer ${TOKEN}', b: ['${MISSING:-fallback}', '${EMPTY:-d}', '${EMPTY}'], c: 'cost $$5', n: 3 },
        env,
      ),
    ).toEqual({
      a: 'Bearer abc',
      b: ['fallback', 'd', ''],
      c: 'cost $5',
      n: 3,
    });
  });

  it('finds $STREAMLOG_CONFIG, then ./streamlog.json, else nothing', () => {
    const dir = tempDir();
    expect(findDefaultConfig({}, dir)).toBeUndefined();
    writeFileSync(join(dir, 'streamlog.json'), '{}');
    expect(findDefaultConfig({}, dir)).toBe(join(dir, 'streamlog.json'));
    expect(findDefaultConfig({ STREAMLOG_CONFIG: '/etc/x.json' }, dir)).toBe('/etc/x.json');
  });

  it('createLogger() with no argument reads $STREAMLOG_CONFIG', async () => {
    const dir = tempDir();
    const file = join(dir, 'custom.json');
    writeFileSync(file, JSON.stringify({ level: 'error', exitFlush: false, transports: [{ type: 'memory' }] }));
    process.env.STREAMLOG_CONFIG = file;
    const log = createLogger();
    expect(log.level).toBe('error');
    expect(log.transports[0]).toBeInstanceOf(MemoryTransport);
    await log.close();
  });

  it('createLogger() with nothing configured uses a console at $LOG_LEVEL (JSON off a TTY)', async () => {
    delete process.env.STREAMLOG_CONFIG;
    process.env.LOG_LEVEL = 'warn';
    const log = createLogger();
    expect(log.level).toBe('warn');
    expect(log.transports).toHaveLength(1);
    expect(log.transports[0]).toBeInstanceOf(ConsoleTransport);
    expect(log.transports[0]!.formatter?.name).toBe(process.stdout.isTTY ? 'pretty' : 'json');
    await log.close();
  });

  it('loads ESM and CommonJS plugin modules relative to the config file', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'plugins'));
    const fixtures = new URL('../../fixtures/', import.meta.url).pathname;
    writeFileSync(join(dir, 'plugins', 'kafka.mjs'), readFileSync(join(fixtures, 'kafka-plugin.mjs')));
    writeFileSync(join(dir, 'plugins', 'prefix.cjs'), readFileSync(join(fixtures, 'cjs-plugin.cjs')));
    // The plugins import zod: give them this project's node_modules.
    writeFileSync(join(dir, 'package.json'), '{}');
    const { symlinkSync } = await import('node:fs');
    symlinkSync(join(process.cwd(), 'node_modules'), join(dir, 'node_modules'));
    const file = join(dir, 'streamlog.json');
    writeFileSync(
      file,
      JSON.stringify({
        exitFlush: false,
        transports: [
          { module: './plugins/kafka.mjs', topic: 'logs', brokers: ['${BROKER:-127.0.0.1:9092}'] },
          { module: './plugins/prefix.cjs', prefix: '# ', format: 'text' },
        ],
      }),
    );
    const log = createLogger(file);
    log.info({ n: 1 }, 'to plugins');
    await log.flush();
    const globals = globalThis as unknown as {
      __kafkaSent: { topic: string; line: string }[];
      __prefixLines: string[];
    };
    expect(globals.__kafkaSent).toHaveLength(1);
    expect(globals.__kafkaSent[0]!.topic).toBe('logs');
    expect(JSON.parse(globals.__kafkaSent[0]!.line)).toMatchObject({ n: 1, msg: 'to plugins' });
    expect(globals.__prefixLines).toHaveLength(1);
    expect(globals.__prefixLines[0]).toMatch(/^# time=\S+ level=info msg="to plugins" n=1\n$/);
    expect(log.stats().targets.map((t) => t.delivered)).toEqual([1, 1]);
    await log.close();
  });

  it("validates a module plugin's options with its own schema", () => {
    const fixture = new URL('../../fixtures/kafka-plugin.mjs', import.meta.url).pathname;
    expect(() => createLogger({ transports: [{ module: fixture, topic: 'x', brokers: [] }] })).toThrow(
      /transports\[0\]\.brokers: expected at least 1 item/,
    );
  });

  it('registers a transport from code and uses it from config', async () => {
    const seen: string[] = [];
    registerTransport('collect', {
      schema: z.strictObject({ tag: z.string() }),
      create: (options) =>
        new Writable({
          objectMode: true,
          write: (r: LogRecord, _e, cb) => {
            seen.push(`${options.tag}:${r.msg}`);
            cb();
          },
        }),
    });
    const log = createLogger({ exitFlush: false, transports: [{ type: 'collect', tag: 't' }] });
    log.info('hi');
    await log.flush();
    expect(seen).toEqual(['t:hi']);
    expect(() => createLogger({ transports: [{ type: 'collect' }] })).toThrow(
      /transports\[0\]\.tag: expected string, got undefined/,
    );
    await log.close();
  });

  it('wraps an error thrown by a plugin create() in a ConfigError naming the entry', () => {
    registerTransport('explodes', {
      schema: z.strictObject({}),
      create: () => {
        throw new Error('no broker reachable');
      },
    });
    expect(() => createLogger({ transports: [{ type: 'memory' }, { type: 'explodes' }] })).toThrow(
      /^transports\[1\]: could not create transport "explodes": no broker reachable$/,
    );
  });

  it('rejects registrations that are not plugins', () => {
    expect(() => registerTransport('bad name!', { schema: z.object({}), create: () => new MemoryTransport() })).toThrow(
      /name must start with a letter/,
    );
    expect(() => registerTransport('noschema', { create: () => new MemoryTransport() } as never)).toThrow(/zod schema/);
  });
});

describe('config errors under an application’s zod locale', () => {
  it('are worded by streamlog, whatever locale the application set for the zod it shares', () => {
    z.config(z.locales.de());
    try {
      const message = (options: object) => {
        try {
          createLogger({ exitFlush: false, ...options } as LoggerOptions);
        } catch (error) {
          return (error as Error).message;
        }
        return 'built';
      };
      // Before: "Ungültige Option: erwartet eine von …" for the first, once its message was taken as the schema's.
      expect(message({ transports: [{ type: 'memory', overflow: 'x' }] })).toBe(
        'transports[0].overflow: expected one of "block", "drop-newest", "drop-oldest"',
      );
      expect(message({ diagnostics: true, transports: [] })).toBe(
        'diagnostics: expected false (or, from code, a function)',
      );
    } finally {
      z.config(z.locales.en());
    }
  });
});

describe('JSON Schema', () => {
  it('the committed streamlog.schema.json is current (npm run schema regenerates it)', async () => {
    // Built-ins only: registrations made by other tests would not be in the file.
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { configJsonSchema } from './dist/esm/index.js'; " +
          "process.stdout.write(JSON.stringify(configJsonSchema(), null, 2) + '\\n');",
      ],
      { encoding: 'utf8' },
    );
    expect(result.status).toBe(0);
    expect(readFileSync('streamlog.schema.json', 'utf8')).toBe(result.stdout);
  });

  it('takes an entry of a transport registered from code; a built-in entry is still checked', () => {
    const validate = new Ajv2020({ strict: false }).compile(configJsonSchema());
    // Before: an editor flagged {"type":"kafka"}, which the loader takes once it is registered.
    expect(validate({ transports: [{ type: 'kafka', brokers: ['a:9092'], topic: 'logs' }] })).toBe(true);
    expect(validate({ transports: [{ type: 'file', pth: 'x.log' }] })).toBe(false);
    expect(validate({ transports: [{ type: '' }] })).toBe(false);
    // The options every entry has are still checked on it.
    expect(validate({ transports: [{ type: 'kafka', level: 'nonsense level', id: 5 }] })).toBe(false);
  });

  it('describes every transport type and its options', () => {
    const schema = JSON.stringify(configJsonSchema());
    expect(schema).toContain('"const":"console"');
    expect(schema).toContain('"stderrLevel"');
    expect(schema).toContain('"maxRecords"');
  });
});
