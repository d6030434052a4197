import type { Writable } from 'node:stream';
import type { z } from 'zod';
import { lazySchema } from '../../core/util/lazy-schema.js';
import { either, num, object, oneOf, optional, text, where } from '../../core/util/plain-checks.js';
import { isJsonNumber } from '../../core/util/env-text.js';
import { LevelTable, type LevelInput } from '../../core/record/levels.js';
import { LineSink, stdioFd } from '../../core/io/line-sink.js';
import { markPartFailure, type SettlementListener } from '../../core/io/settlement.js';
import { settlementOf } from '../../core/plugin/adapters.js';
import type { Formatter, LogRecord } from '../../core/record/log-record.js';
import type { TransportPlugin } from '../../core/plugin/registry.js';
import { shouldColorize } from './terminal.js';
import { Transport, type TransportOptions } from '../../core/plugin/transport.js';

export interface ConsoleTransportOptions extends TransportOptions {
  /** Where records below stderrLevel go (default stdout). */
  stream?: 'stdout' | 'stderr' | undefined;
  /** Records at or above this level go to stderr instead (a name or number; custom names come resolved from config). */
  stderrLevel?: LevelInput | undefined;
  /** Destinations, replaceable for tests and embedding. */
  stdout?: Writable | undefined;
  stderr?: Writable | undefined;
  /**
   * The formatter of the records stderrLevel sends to stderr, when it is not the transport's
   * (colour is decided per stream: a terminal on stdout, a file on stderr).
   */
  stderrFormatter?: Formatter | undefined;
}

const DEFAULT_TABLE = new LevelTable();

type Outcome = SettlementListener<LogRecord>;

/**
 * Two streams, one target: a failure of one while the other works (or has not written yet)
 * is that stream's, not the target's health (a dead stdout failed the error records bound for
 * a working stderr); once both fail, their failures count as any target's.
 */
function twoStreams(outcome: Outcome): { out: Outcome; err: Outcome } {
  const failing = { out: false, err: false };
  const part = (mine: 'out' | 'err', other: 'out' | 'err'): Outcome => ({
    ...outcome,
    delivered: (count, items) => {
      failing[mine] = false;
      outcome.delivered(count, items);
    },
    failed: (records, reason) => {
      failing[mine] = true;
      outcome.failed(records, failing[other] ? reason : markPartFailure(reason));
    },
  });
  return { out: part('out', 'err'), err: part('err', 'out') };
}

/** stdout/stderr transport; lines are coalesced per tick and written in one call each. */
export class ConsoleTransport extends Transport<{ bytes: number }> {
  /** Writes (or keeps) what it takes, and writes what it holds at the process's end: nothing to fail then. */
  protected override get settlesAllAtExit(): boolean {
    return true;
  }

  readonly type = 'console';
  private readonly out: LineSink<LogRecord>;
  private readonly err: LineSink<LogRecord>;
  private readonly stderrThreshold: number;
  private readonly stderrFormatter: Formatter | undefined;

  constructor(options: ConsoleTransportOptions = {}) {
    super(options);
    const stdout = options.stdout ?? process.stdout;
    const stderr = options.stderr ?? process.stderr;
    const main = options.stream === 'stderr' ? stderr : stdout;
    const split = options.stream !== 'stderr' && options.stderrLevel !== undefined;
    const outcomes = split ? twoStreams(settlementOf(this)) : { out: settlementOf(this), err: settlementOf(this) };
    this.out = new LineSink(main, outcomes.out, { fd: stdioFd(main) });
    this.err = options.stream === 'stderr' ? this.out : new LineSink(stderr, outcomes.err, { fd: stdioFd(stderr) });
    this.stderrThreshold =
      options.stderrLevel === undefined ? Number.POSITIVE_INFINITY : DEFAULT_TABLE.value(options.stderrLevel);
    this.stderrFormatter = this.err === this.out ? undefined : options.stderrFormatter;
  }

  protected handle(record: LogRecord): void {
    const toStderr = record.level >= this.stderrThreshold;
    const sink = toStderr ? this.err : this.out;
    // Call order across the two streams: what the other one holds goes out first.
    const other = toStderr ? this.out : this.err;
    if (other !== sink && !other.empty) other.writeOut();
    const line =
      toStderr && this.stderrFormatter !== undefined ? record.formatted(this.stderrFormatter) : this.formatLine(record);
    sink.push(line, record);
  }

  protected override startFlush(): void {
    this.out.writeOut();
    this.err.writeOut();
  }

  override flushSync(): void {
    this.out.flushSync();
    this.err.flushSync();
  }

  protected override async closeResources(): Promise<void> {
    await this.out.close();
    if (this.err !== this.out) await this.err.close();
  }

  protected override extraStats(): { bytes: number } {
    return { bytes: this.out.bytesWritten + (this.err === this.out ? 0 : this.err.bytesWritten) };
  }
}

const consoleSchema = lazySchema(
  (z) =>
    z.strictObject({
      stream: z.enum(['stdout', 'stderr']).optional(),
      // No level is named after a number: "${STDERR_LEVEL}" holding 40 is read as the level 40.
      stderrLevel: z
        .union([
          z
            .string()
            .refine(
              (name) => !isJsonNumber(name),
              'expected a level number as a number (40, not "40"), or a level name',
            )
            .meta({ not: { pattern: '^-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?$' } }),
          // As a level's: -5 sent every record to stderr and 5000 none, where "level" refuses both.
          z.number().min(0).max(1000).refine(Number.isInteger, 'expected a whole number').meta({ type: 'integer' }),
        ])
        .optional(),
    }),
  object({
    stream: optional(oneOf('stdout', 'stderr')),
    stderrLevel: optional(
      either(
        where(text(), (name) => !isJsonNumber(name as string)),
        num(0, 1000, true),
      ),
    ),
  }),
);

export const consoleTransportPlugin: TransportPlugin<typeof consoleSchema> = {
  schema: consoleSchema,
  create(options, context) {
    const destination = options.stream === 'stderr' ? process.stderr : process.stdout;
    const colour = shouldColorize(destination);
    const formatter =
      context.formatSpec === undefined ? context.formatter : context.createFormatter(context.formatSpec, colour);
    // Records stderrLevel sends to stderr are coloured as stderr is (`2>errors.log` under a terminal).
    const splits = options.stderrLevel !== undefined && options.stream !== 'stderr';
    const stderrColour = splits && shouldColorize(process.stderr);
    const stderrFormatter =
      context.formatSpec !== undefined && splits && stderrColour !== colour
        ? context.createFormatter(context.formatSpec, stderrColour)
        : undefined;
    return new ConsoleTransport({
      stream: options.stream,
      stderrLevel: options.stderrLevel === undefined ? undefined : context.level('stderrLevel', options.stderrLevel),
      formatter,
      stderrFormatter,
    });
  },
};

declare module '../../core/plugin/registry.js' {
  interface TransportTypes {
    console: z.input<typeof consoleSchema>;
  }
}
