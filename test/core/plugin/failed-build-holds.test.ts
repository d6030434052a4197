import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, type LoggerOptions } from '../../../src/index.js';

/*
 * A createLogger() that throws something other than a ConfigError (a getter in an entry, a
 * censor that throws on the base bindings) kept its hold on the streams it was handed: the
 * last of their other loggers' closes then no longer ended them (an fs stream's descriptor
 * stayed open).
 */
describe('a build stopped by a throw of the caller’s own hands its streams back', () => {
  const failing: [string, (objects: PassThrough, bytes: PassThrough) => LoggerOptions][] = [
    [
      'a getter in a later entry throws',
      (objects, bytes) => ({
        transports: [
          objects,
          bytes,
          {
            type: 'file',
            get path(): string {
              throw new Error('no path');
            },
          } as never,
        ],
      }),
    ],
    [
      'a censor throws on the base bindings',
      (objects, bytes) => ({
        transports: [objects, bytes],
        redact: {
          paths: ['pid'],
          censor: () => {
            throw new Error('no censor');
          },
        },
      }),
    ],
  ];
  it.each(failing)('%s: the next logger’s close still ends them', async (_name, options) => {
    const objects = new PassThrough({ objectMode: true });
    const bytes = new PassThrough();
    expect(() => createLogger({ exitFlush: false, ...options(objects, bytes) })).toThrow(/no (path|censor)/);
    expect(objects.destroyed).toBe(false);
    expect(bytes.destroyed).toBe(false);
    const log = createLogger({ exitFlush: false, transports: [objects, bytes] });
    log.info('after the failed one');
    expect(await log.close()).toBe(true);
    expect(log.stats()).toMatchObject({ delivered: 1, failed: 0 });
    expect(objects.writableEnded).toBe(true);
    expect(bytes.writableEnded).toBe(true);
  });
});
