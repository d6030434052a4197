import { madeByLogger, type LogRecord } from '../../core/record/log-record.js';
import { readOnlyObject } from '../../core/record/object-form.js';
import { fieldsFromLine } from '../../core/record/line-record.js';
import type { TransportEvents, TransportListener, TransportOptions } from '../../core/plugin/transport.js';
import { type InnerTarget, WrapperTransport } from '../../core/plugin/wrapper-transport.js';
import { refusalReason, skipReason } from '../../core/io/settlement.js';
import { messageOf } from '../../core/util/thrown.js';
import { type Check, type RecordCheck, toCheck, type ValidationProblem } from './checks.js';

export type OnInvalid = 'error' | 'skip' | 'log' | 'dead-letter';

export interface ValidationError extends ValidationProblem {
  time: number;
  msg: string | undefined;
}

export interface ValidatingTransportOptions extends TransportOptions {
  /**
   * A JSON Schema (compiled once, with Ajv), a zod schema, or a function returning
   * true/false, the problems found, or `{ valid, errors? }`.
   */
  check: Check;
  onInvalid?: OnInvalid | undefined;
  /** Logs a warning record (onInvalid: "log", and what Ajv ignored in a JSON Schema). */
  warn?: ((fields: Record<string, unknown>, msg: string) => void) | undefined;
  /** Writes to the dead-letter file at once (onInvalid: "dead-letter"): false when the line did not reach it. */
  deadLetter?: ((record: LogRecord, reason: Error) => boolean) | undefined;
  /** What the compiler ignored in a schema compiled before (config); reported once. */
  schemaWarnings?: string[] | undefined;
}

const MAX_LAST_ERRORS = 10;
const ON_INVALID: readonly OnInvalid[] = ['error', 'skip', 'log', 'dead-letter'];

/**
 * Checks each record before the inner transport sees it. Valid records pass on; invalid ones
 * fail (`error`), are skipped and counted (`skip`), are counted and reported in a warning
 * record (`log`), or go to the dead-letter file (`dead-letter`). Records the logger makes
 * itself (drop summaries, these warnings) pass unchecked, so a warning cannot loop.
 */
export interface ValidationStats {
  valid: number;
  invalid: number;
  total: number;
  successRate: number;
  lastErrors: ValidationError[];
}

/** The validating transport's own events (emitted only while someone listens). */
export interface ValidatingTransportEvents {
  /** A record passed the check: the object it was checked as. */
  validData: [record: Record<string, unknown>];
  /** A record failed it: the object, and what was wrong. */
  invalidData: [event: { record: Record<string, unknown>; errors: ValidationProblem[] }];
}

export interface ValidatingTransport {
  on<K extends keyof ValidatingTransportEvents | keyof TransportEvents>(
    event: K,
    listener: TransportListener<ValidatingTransportEvents, K>,
  ): this;
  on(event: string | symbol, listener: (...args: never[]) => void): this;
}

// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface of its name only types `on` for its own events
export class ValidatingTransport extends WrapperTransport<ValidationStats> {
  readonly type = 'validating';
  private readonly check: RecordCheck;
  private readonly onInvalid: OnInvalid;
  private readonly warn: ValidatingTransportOptions['warn'];
  private readonly deadLetter: ValidatingTransportOptions['deadLetter'];
  valid = 0;
  invalid = 0;
  readonly lastErrors: ValidationError[] = [];
  /** What Ajv ignored in the JSON Schema (unknown keywords, `then` without `if`, ...). */
  readonly schemaWarnings: string[];
  private warned = false;
  private readonly readsOnly: boolean;

  constructor(inner: InnerTarget, options: ValidatingTransportOptions) {
    super(inner, options);
    const { check, warnings, readsOnly } = toCheck(options.check);
    this.check = check;
    this.readsOnly = readsOnly;
    this.schemaWarnings = [...(options.schemaWarnings ?? []), ...warnings];
    const onInvalid = options.onInvalid ?? 'error';
    // From code no schema stands before this: an unknown mode settled nothing, and the
    // records stayed pending for ever (a close without a timeout never came back).
    if (!ON_INVALID.includes(onInvalid)) {
      throw new TypeError(
        `onInvalid: expected one of ${ON_INVALID.map((m) => `"${m}"`).join(', ')}, got ${String(onInvalid)}`,
      );
    }
    if (onInvalid === 'dead-letter' && typeof options.deadLetter !== 'function') {
      throw new TypeError(
        'onInvalid "dead-letter": expected a deadLetter function to write them (a config names router.deadLetter)',
      );
    }
    this.onInvalid = onInvalid;
    this.warn = options.warn;
    this.deadLetter = options.deadLetter;
  }

  protected handle(record: LogRecord): void {
    if (madeByLogger(record)) {
      this.forward(record);
      return;
    }
    if (!this.warned) {
      // Reported with the first record: while the transport is built there is no logger to log through.
      this.warned = true;
      if (this.schemaWarnings.length > 0) {
        this.warn?.({ target: this.id, ignored: this.schemaWarnings }, 'JSON Schema: keywords ignored');
      }
    }
    // A JSON Schema only reads the record, so it may see one built without parsing the line; code
    // (a predicate, zod) and event listeners get a fresh copy, as they may keep or change it.
    // A record made again from the line it waited as reads its fields from that line: parsed once.
    const fresh =
      !this.readsOnly ||
      this.listenerCount('validData') > 0 ||
      this.listenerCount('invalidData') > 0 ||
      fieldsFromLine(record);
    let object: Record<string, unknown>;
    try {
      object = fresh ? record.toObject() : readOnlyObject(record);
    } catch {
      object = record.toObject();
    }
    let outcome: true | ValidationProblem[];
    try {
      outcome = this.check(object);
    } catch (error) {
      outcome = [{ path: '(record)', message: `check threw: ${messageOf(error)}` }];
    }
    // The record is handed on or settled before listeners hear of it: one that ends the process
    // (or throws) must not leave it neither (it stayed pending past the end, told nowhere).
    if (outcome === true) {
      this.valid++;
      this.forward(record);
      this.tell('validData', object);
      return;
    }
    this.invalid++;
    for (const problem of outcome) {
      this.lastErrors.push({ ...problem, time: record.time, msg: record.msg });
      if (this.lastErrors.length > MAX_LAST_ERRORS) this.lastErrors.shift();
    }
    // Refused for what it holds: no sign of the destination's health (a run of them opened the
    // target's circuit, and the valid records after them failed), and no use trying it again.
    const reason = refusalReason(`invalid record: ${outcome.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    // Left out (skip, log, or written to the dead letter here) it is settled as a drop that the
    // router does not report again: not delivered, and no failure of the destination's.
    switch (this.onInvalid) {
      case 'error':
        this.settleFailed([record], reason);
        break;
      case 'skip':
        this.settleFailed([record], skipReason(`skipped: ${reason.message}`));
        break;
      case 'log':
        this.settleFailed([record], skipReason(`skipped: ${reason.message}`));
        this.warn?.({ target: this.id, errors: outcome, invalidMsg: record.msg }, 'invalid record skipped');
        break;
      case 'dead-letter':
        if (this.deadLetter?.(record, reason)) {
          this.settleFailed([record], skipReason(`dead-lettered: ${reason.message}`));
        } else this.settleFailed([record], reason);
        break;
    }
    this.tell('invalidData', { record: object, errors: outcome });
  }

  /** Emits one of this transport's own events; a listener that throws is reported, the record's fate unchanged. */
  private tell<K extends keyof ValidatingTransportEvents>(event: K, ...args: ValidatingTransportEvents[K]): void {
    if (this.listenerCount(event) === 0) return;
    try {
      this.emit(event, ...args);
    } catch (error) {
      this.report(`${event} listener threw; the record's fate is unchanged`, error);
    }
  }

  protected innerDelivered(count: number): void {
    this.settleDelivered(count);
  }

  protected innerFailed(records: readonly LogRecord[], reason: Error): void {
    this.settleFailed(records, reason);
  }

  /** Each record is handed on, or settled, as it comes: nothing is held here by name. */
  protected override get settlesAllAtExit(): boolean {
    return true;
  }

  protected override extraStats(): ValidationStats {
    const total = this.valid + this.invalid;
    return {
      valid: this.valid,
      invalid: this.invalid,
      total,
      successRate: total === 0 ? 1 : this.valid / total,
      lastErrors: [...this.lastErrors],
    };
  }
}
