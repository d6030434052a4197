import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { tempFolder } from '../transports/http/receiver.js';

/*
 * One pino.destination() shared by many loggers (a logger per module, each made with
 * createLogger). Each transport added its own 'error', 'drop' and 'ready' listeners, so
 * ten loggers passed Node's ten-listener limit: three MaxListenersExceededWarnings.
 */
describe('pino.destination() shared by twelve loggers', () => {
  it('one listener per event, none left after the last close, no MaxListeners warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', onWarning);
    const path = join(tempFolder('pino-destination-shared'), 'app.log');
    const dest = pino.destination({ dest: path, sync: true });
    const before = ['error', 'drop', 'ready'].map((event) => dest.listenerCount(event));
    const loggers = Array.from({ length: 12 }, () => createLogger({ exitFlush: false, transports: [dest] }));
    for (const event of ['error', 'drop', 'ready']) expect(dest.listenerCount(event)).toBeLessThanOrEqual(2);
    for (const [i, log] of loggers.entries()) log.info({ i }, 'one');
    for (const log of loggers) expect(await log.close()).toBe(true);
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    expect(['error', 'drop', 'ready'].map((event) => dest.listenerCount(event))).toEqual(before);
    expect(loggers.map((log) => log.stats().delivered)).toEqual(Array(12).fill(1));
    expect(readFileSync(path, 'utf8').split('\n').filter(Boolean)).toHaveLength(12);
    dest.end();
  });
});
