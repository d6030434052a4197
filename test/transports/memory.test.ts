import { describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../src/index.js';

describe('memory transport', () => {
  it('keeps the newest records up to its capacity', () => {
    const memory = new MemoryTransport({ maxRecords: 3 });
    const log = createLogger({ exitFlush: false, transports: [memory] });
    for (let i = 0; i < 5; i++) log.info(`m${i}`);
    expect(memory.objects().map((o) => o.msg)).toEqual(['m2', 'm3', 'm4']);
    expect(memory.stats()).toMatchObject({ size: 3, evicted: 2, delivered: 5 });
    // Said by the option's name; `capacity` stays for a while beside it (deprecated).
    expect(memory.stats()).toMatchObject({ maxRecords: 3, capacity: 3 });
    expect(memory.maxRecords).toBe(3);
    memory.clear();
    expect(memory.records()).toEqual([]);
  });
});
