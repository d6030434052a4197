import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, createLogger, MemoryTransport, registerTransport } from '../../../src/index.js';
import { DIST_CJS, DIST_ESM, ROOT, requireBuild } from '../../built.js';

declare module '../../../src/core/plugin/registry.js' {
  interface TransportTypes {
    'throwing-schema': { anything?: unknown };
  }
}

describe('the plugin registry', () => {
  it('a plugin registered through require() is seen by a logger made through import', () => {
    requireBuild();
    // Both copies of the package load in one process, as in an app mixing the two.
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const cjs = require(${JSON.stringify(DIST_CJS)});
      const { z } = require('zod');
      class Shout extends cjs.Transport {
        type = 'shout';
        handle(record) { process.stdout.write(record.msg.toUpperCase() + '\\n'); this.settleDelivered(1); }
      }
      cjs.registerTransport('shout', { schema: z.strictObject({}), create: () => new Shout() });
      const esm = await import(${JSON.stringify(DIST_ESM)});
      const log = esm.createLogger({ exitFlush: false, transports: [{ type: 'shout' }] });
      log.info('registered once, seen twice');
      await log.close();
      const plugin = await import(${JSON.stringify(DIST_ESM.replace(/index\.js$/, 'plugin.js'))});
      process.stdout.write(plugin.transportNames().includes('shout') + '\\n');
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('REGISTERED ONCE, SEEN TWICE\ntrue\n');
  });

  it("a second installed copy loading later keeps an application's own 'file' and the first copy's built-ins", () => {
    requireBuild();
    // Another version of the package, as a dependency would bring it: a copy of the build elsewhere.
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-second-copy-'));
    try {
      cpSync(join(ROOT, 'dist', 'cjs'), join(dir, 'dist', 'cjs'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      const script = `
        const first = require(${JSON.stringify(DIST_CJS)});
        const { z } = require('zod');
        class Shout extends first.Transport {
          type = 'file';
          handle(record) { process.stdout.write(record.msg.toUpperCase() + '\\n'); this.settleDelivered(1); }
        }
        first.registerTransport('file', { schema: z.object({ path: z.string() }), create: () => new Shout() });
        const second = require(${JSON.stringify(join(dir, 'dist', 'cjs', 'index.js'))});
        const log = second.createLogger({ exitFlush: false, transports: [{ type: 'file', path: '/nowhere/x.log' }] });
        log.info('still the application\\'s file');
        log.close().then(() => {
          const other = first.createLogger({ exitFlush: false, transports: [{ type: 'memory', id: 'm' }] });
          const memory = other.transport('m');
          process.stdout.write((memory instanceof first.MemoryTransport) + '\\n');
        });
      `;
      const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe("STILL THE APPLICATION'S FILE\ntrue\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an http preset registered through require() is known to a logger made through import', () => {
    requireBuild();
    const script = `
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      const cjs = require(${JSON.stringify(DIST_CJS)});
      const esm = await import(${JSON.stringify(DIST_ESM)});
      const entry = { type: 'http', url: 'http://127.0.0.1:9/', preset: 'lines' };
      try {
        esm.createLogger({ exitFlush: false, transports: [entry] });
      } catch (error) { process.stdout.write(error.message + '\\n'); }
      const body = (records) => records.map((r) => r.msg).join('\\n');
      cjs.registerHttpPreset('lines', () => ({ contentType: 'text/plain', body }));
      const log = esm.createLogger({ exitFlush: false, transports: [entry] });
      const plugin = await import(${JSON.stringify(DIST_ESM.replace(/index\.js$/, 'plugin.js'))});
      process.stdout.write(plugin.httpPresetNames().includes('lines') + '\\n');
      await log.close({ timeoutMs: 100 });
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const [refused, known] = result.stdout.split('\n');
    expect(refused).toMatch(
      /^transports\[0\]\.preset: unknown preset "lines" \(known: clickhouse, elasticsearch, json,/,
    );
    expect(known).toBe('true');
  });

  it('a plugin whose option schema throws is a ConfigError naming the entry', () => {
    registerTransport('throwing-schema', {
      schema: z.strictObject({}).superRefine(() => {
        throw new Error('schema bug');
      }),
      create: () => {
        throw new Error('never reached');
      },
    });
    let error: unknown;
    try {
      createLogger({ exitFlush: false, transports: [{ type: 'memory' }, { type: 'throwing-schema' }] });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    if (!(error instanceof ConfigError)) return;
    expect(error.path).toBe('transports[1]');
    expect(error.message).toMatch(/option schema threw.*schema bug/);
  });

  it('a plugin whose schema answers with no zod result is a ConfigError naming the entry, never a TypeError', () => {
    // Each of these was read as zod's answer: TypeErrors ("Cannot read properties of null",
    // "issues is not iterable", "startsWith is not a function") or the getter's own Error.
    const answers: Record<string, () => unknown> = {
      null: () => null,
      'an error that is a number': () => ({ success: false, error: 42 }),
      'an issue whose message is no string': () => ({
        success: false,
        error: { issues: [{ code: 'custom', path: ['x'], message: 42 }] },
      }),
      'an error getter that throws': () => ({
        success: false,
        get error() {
          throw new Error('error getter');
        },
      }),
      'a data getter that throws': () => ({
        success: true,
        get data() {
          throw new Error('data getter');
        },
      }),
      'a union issue whose errors are no list': () => ({
        success: false,
        error: { issues: [{ code: 'invalid_union', path: ['x'], message: 'u', errors: 5 }] },
      }),
      'unknown keys that are no list': () => ({
        success: false,
        error: { issues: [{ code: 'unrecognized_keys', path: [], message: 'k', keys: 5 }] },
      }),
    };
    for (const [name, safeParse] of Object.entries(answers)) {
      registerTransport('odd-schema', { schema: { safeParse } as never, create: () => new MemoryTransport() });
      let error: unknown;
      try {
        createLogger({ exitFlush: false, transports: [{ type: 'odd-schema' as never, x: 1 }] });
      } catch (thrown) {
        error = thrown;
      }
      expect(error, name).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).path, name).toBe('transports[0]');
      expect((error as ConfigError).message, name).toMatch(
        /option schema('s answer could not be read| threw| answered)/,
      );
    }
  });
});
