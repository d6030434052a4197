import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../src/index.js';

describe('memory transport', () => {
  it('keeps the newest records up to its capacity', () => {
    const memory = new MemoryTransport({ maxRecords: 3 });
    const log = createLogger({ exitFlush: false, transports: [memory] });
    for (let i = 0; i < 5; i++) log.info(`m${i}`);
    expect(memory.objects().map((o) => o.msg)).toEqual(['m2', 'm3', 'm4']);
    expect(memory.stats()).toMatchObject({ size: 3, evicted: 2, delivered: 5 });
    memory.clear();
    expect(memory.records()).toEqual([]);
  });
});
