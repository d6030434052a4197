import { describe, expect, it } from 'vitest';
import { createLogger, createTextFormatter, MemoryTransport, stableJsonFormatter } from '../../src/index.js';
import { EagerTransport } from '../helpers.js';

describe('text and stable-json read the record without parsing its line', () => {
  it('show what the JSON line holds, formatted during the call or later after the caller changed its objects', () => {
    const eager = new EagerTransport({ formatter: createTextFormatter() });
    const later = new MemoryTransport({ formatter: stableJsonFormatter });
    const log = createLogger({ exitFlush: false, transports: [{ transport: eager }, { transport: later }] });
    const order = { id: 7, item: { sku: 'a-1', tags: ['x'] } };
    log.info(order, 'placed');
    order.item.sku = 'changed';
    order.item.tags.push('y');
    const line = later.records()[0]!.json();
    expect(line).toContain('"sku":"a-1"');
    expect(eager.seen[0]).toContain('item.sku=a-1');
    expect(eager.seen[0]).toContain('item.tags="[\\"x\\"]"');
    // Formatted only now, after the change: still the values of the call.
    const sorted = later.lines()[0]!;
    expect(sorted).toContain('"item":{"sku":"a-1","tags":["x"]}');
    expect(sorted).not.toContain('changed');
  });
});
