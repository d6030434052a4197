import type { z } from 'zod';
import { lazySchema } from '../core/util/lazy-schema.js';
import { num, object, optional } from '../core/util/plain-checks.js';
import type { LogRecord } from '../core/record/log-record.js';
import type { TransportPlugin } from '../core/plugin/registry.js';
import { Transport, type TransportOptions } from '../core/plugin/transport.js';
import { deprecatedOption } from '../core/plugin/units.js';

export interface MemoryTransportOptions extends TransportOptions {
  /** Records kept; the oldest are evicted beyond it (default 1000). */
  maxRecords?: number | undefined;
  /** @deprecated since 0.3: `maxRecords`. */
  capacity?: number | undefined;
}

/** What `stats()` adds for a memory transport. */
export interface MemoryStats {
  size: number;
  maxRecords: number;
  /** @deprecated since 0.3: `maxRecords`. */
  capacity: number;
  evicted: number;
}

/** A bounded ring of the latest records: for tests and for /debug endpoints. */
export class MemoryTransport extends Transport<MemoryStats> {
  /** Writes (or keeps) what it takes, and writes what it holds at the process's end: nothing to fail then. */
  protected override get settlesAllAtExit(): boolean {
    return true;
  }

  readonly type = 'memory';
  /** Records kept (the option's value, at least 1). */
  readonly maxRecords: number;
  private ring: (LogRecord | undefined)[];
  private next = 0;
  private size = 0;
  evicted = 0;

  constructor(options: MemoryTransportOptions = {}) {
    super(options);
    this.maxRecords = Math.max(1, Math.floor(options.maxRecords ?? options.capacity ?? 1000));
    this.ring = new Array<LogRecord | undefined>(this.maxRecords);
  }

  /** @deprecated since 0.3: `maxRecords`. */
  get capacity(): number {
    return this.maxRecords;
  }

  protected handle(record: LogRecord): void {
    if (this.size === this.maxRecords) this.evicted++;
    else this.size++;
    this.ring[this.next] = record;
    this.next = (this.next + 1) % this.maxRecords;
    this.settleDelivered(1);
  }

  /** The kept records, oldest first. */
  records(): LogRecord[] {
    const out: LogRecord[] = [];
    const start = (this.next - this.size + this.maxRecords) % this.maxRecords;
    for (let i = 0; i < this.size; i++) out.push(this.ring[(start + i) % this.maxRecords]!);
    return out;
  }

  /** The kept records as plain objects (what the JSON line holds). */
  objects(): Record<string, unknown>[] {
    return this.records().map((record) => record.toObject());
  }

  /** The kept records formatted with this transport's formatter (JSON by default). */
  lines(): string[] {
    return this.records().map((record) => this.formatLine(record));
  }

  clear(): void {
    this.ring = new Array<LogRecord | undefined>(this.maxRecords);
    this.next = 0;
    this.size = 0;
  }

  protected override extraStats(): MemoryStats {
    return { size: this.size, maxRecords: this.maxRecords, capacity: this.maxRecords, evicted: this.evicted };
  }
}

const plainCount = optional(num(1, Number.MAX_SAFE_INTEGER, true));
const memorySchema = lazySchema(
  (z) =>
    z.strictObject({
      maxRecords: z.number().int().positive().optional(),
      capacity: deprecatedOption(z.number().int().positive().optional(), '"maxRecords"'),
    }),
  object({ maxRecords: plainCount, capacity: plainCount }),
);

export const memoryTransportPlugin: TransportPlugin<typeof memorySchema> = {
  schema: memorySchema,
  create: (options, context) =>
    new MemoryTransport({ maxRecords: options.maxRecords ?? options.capacity, formatter: context.formatter }),
  deprecated: { capacity: '"maxRecords"' },
};

declare module '../core/plugin/registry.js' {
  interface TransportTypes {
    memory: z.input<typeof memorySchema>;
  }
}
