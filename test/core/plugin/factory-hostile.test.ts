import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, createLogger, registerFormatter, registerTransport } from '../../../src/index.js';
import { runChild } from '../../transports/http/receiver.js';
import { DIST_ESM } from '../../built.js';

// A formatter a plugin registers is named in config entries from code once its options are declared.
declare module '../../../src/index.js' {
  interface FormatterTypes {
    'odd-fmt': Record<string, never>;
  }
}

// A plugin's factory is the plugin author's code running inside createLogger: whatever it
// throws or returns, the application sees a ConfigError naming the entry, nothing else.

function configError(build: () => unknown): ConfigError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('a plugin factory that misbehaves', () => {
  it.each([
    ['null', null, /: could not create transport "throws-odd": null$/],
    ['a string', 'no brokers', /: could not create transport "throws-odd": no brokers$/],
  ])('a transport create() throwing %s: a ConfigError naming the entry', (_, thrown, message) => {
    registerTransport('throws-odd', {
      schema: z.object({}),
      create: () => {
        throw thrown;
      },
    });
    const odd = configError(() => createLogger({ transports: [{ type: 'throws-odd' as never }] }));
    expect(odd.message).toMatch(/^transports\[0\]/);
    expect(odd.message).toMatch(message);
  });

  it.each([
    [
      'throws null',
      () => {
        throw null;
      },
      /^transports\[0\]\.format: could not create formatter "odd-fmt": null$/,
    ],
    [
      'throws an Error',
      () => {
        throw new Error('no');
      },
      /^transports\[0\]\.format: could not create formatter "odd-fmt": no$/,
    ],
    [
      'returns undefined',
      () => undefined,
      /^transports\[0\]\.format: formatter "odd-fmt": create\(\) returned undefined/,
    ],
  ])("a formatter create() that %s: a ConfigError at the entry's format", (_, create, message) => {
    registerFormatter('odd-fmt', { schema: z.object({}), create: create as never });
    const error = configError(() => createLogger({ transports: [{ type: 'memory', format: 'odd-fmt' }] }));
    expect(error.message).toMatch(message);
  });

  it('an async create(): a ConfigError naming the Promise; its rejection does not end the process', async () => {
    const child = await runChild(
      `import { registerTransport } from ${JSON.stringify(DIST_ESM)};
       import { z } from 'zod';
       registerTransport('later', { schema: z.object({}), create: async () => { throw new Error('async boom'); } });
       try { createLogger({ transports: [{ type: 'later' }] }); } catch (error) { writeSync(1, error.message + '\\n'); }
       await new Promise((resolve) => setTimeout(resolve, 50));
       writeSync(1, 'alive\\n');`,
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toMatch(
      /^transports\[0\]: .*create\(\) returned a Promise: create\(\) must be synchronous\)\nalive\n$/,
    );
    expect(child.code).toBe(0);
  });

  it.each([
    ['calls back what it is not given', '{ then(resolve) { resolve(1); } }'],
    ['throws', "{ then() { throw new Error('then boom'); } }"],
    ['resolves with itself', '{ then(resolve) { resolve(this); } }'],
  ])('a create() returning a thenable of its own that %s: a ConfigError, not a TypeError', async (_, thenable) => {
    const child = await runChild(
      `import { registerTransport } from ${JSON.stringify(DIST_ESM)};
       import { z } from 'zod';
       registerTransport('later', { schema: z.object({}), create: () => (${thenable}) });
       try { createLogger({ transports: [{ type: 'later' }] }); }
       catch (error) { writeSync(1, error.constructor.name + ': ' + error.message + '\\n'); }
       await new Promise((resolve) => setTimeout(resolve, 50));
       writeSync(1, 'alive\\n');`,
    );
    expect(child.stderr).toBe('');
    // Before: "TypeError: resolve is not a function" from createLogger().
    expect(child.stdout).toMatch(/^ConfigError: transports\[0\]: .*create\(\) must be synchronous\)\nalive\n$/);
    expect(child.code).toBe(0);
  });

  it('a Writable returned from create() still works (the check is not too strict)', async () => {
    const seen: unknown[] = [];
    registerTransport('plain-writable', {
      schema: z.object({}),
      create: () =>
        new Writable({
          objectMode: true,
          write: (record, _, done) => {
            seen.push(record);
            done();
          },
        }),
    });
    const log = createLogger({ exitFlush: false, transports: [{ type: 'plain-writable' as never }] });
    log.info('x');
    await log.close();
    expect(seen).toHaveLength(1);
  });
});
