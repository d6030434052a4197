import { z } from 'zod';
import { madeByLogger, type LogRecord } from '../core/record/log-record.js';
import type { TransportPlugin } from '../core/plugin/registry.js';
import type { Transport, TransportOptions } from '../core/plugin/transport.js';
import { WrapperTransport } from '../core/plugin/wrapper-transport.js';

export type OnInvalid = 'error' | 'skip' | 'log' | 'dead-letter';

/** A check of one record (its plain object form): true, or the problems found. */
export type RecordCheck = (record: Record<string, unknown>) => true | ValidationProblem[];

export interface ValidationProblem {
  path: string;
  message: string;
}

export interface ValidationError extends ValidationProblem {
  time: number;
  msg: string | undefined;
}

export interface ValidatingTransportOptions extends TransportOptions {
  /** A zod schema, a predicate, or a RecordCheck. */
  check: z.ZodType | ((record: Record<string, unknown>) => boolean) | RecordCheck;
  onInvalid?: OnInvalid;
  /** Logs a warning record (onInvalid: "log"). */
  warn?: (fields: Record<string, unknown>, msg: string) => void;
  /** Writes to the dead-letter file (onInvalid: "dead-letter"); false when there is none. */
  deadLetter?: (record: LogRecord, reason: Error) => boolean;
}

const MAX_LAST_ERRORS = 10;

function toCheck(check: ValidatingTransportOptions['check']): RecordCheck {
  if (check instanceof z.ZodType) {
    return (value) => {
      const result = check.safeParse(value);
      if (result.success) return true;
      return result.error.issues.map((issue) => ({
        path: issue.path.map(String).join('.') || '(record)',
        message: issue.message,
      }));
    };
  }
  return (value) => {
    const outcome = (check as (v: Record<string, unknown>) => boolean | true | ValidationProblem[])(value);
    if (outcome === true) return true;
    if (outcome === false) return [{ path: '(record)', message: 'rejected by predicate' }];
    return outcome;
  };
}

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

export class ValidatingTransport extends WrapperTransport<ValidationStats> {
  readonly type = 'validating';
  private readonly check: RecordCheck;
  private readonly onInvalid: OnInvalid;
  private readonly warn: ValidatingTransportOptions['warn'];
  private readonly deadLetter: ValidatingTransportOptions['deadLetter'];
  valid = 0;
  invalid = 0;
  readonly lastErrors: ValidationError[] = [];

  constructor(inner: Transport, options: ValidatingTransportOptions) {
    super(inner, options);
    this.check = toCheck(options.check);
    this.onInvalid = options.onInvalid ?? 'error';
    this.warn = options.warn;
    this.deadLetter = options.deadLetter;
  }

  protected handle(record: LogRecord): void {
    if (madeByLogger(record)) {
      this.forward(record);
      return;
    }
    const object = record.toObject();
    let outcome: true | ValidationProblem[];
    try {
      outcome = this.check(object);
    } catch (error) {
      outcome = [{ path: '(record)', message: `check threw: ${(error as Error).message}` }];
    }
    if (outcome === true) {
      this.valid++;
      if (this.listenerCount('validData') > 0) this.emit('validData', object);
      this.forward(record);
      return;
    }
    this.invalid++;
    for (const problem of outcome) {
      this.lastErrors.push({ ...problem, time: record.time, msg: record.msg });
      if (this.lastErrors.length > MAX_LAST_ERRORS) this.lastErrors.shift();
    }
    if (this.listenerCount('invalidData') > 0) this.emit('invalidData', { record: object, errors: outcome });
    const reason = new Error(`invalid record: ${outcome.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    switch (this.onInvalid) {
      case 'error':
        this.settleFailed([record], reason);
        break;
      case 'skip':
        this.settleDelivered(1);
        break;
      case 'log':
        this.settleDelivered(1);
        this.warn?.({ target: this.id, errors: outcome, invalidMsg: record.msg }, 'invalid record skipped');
        break;
      case 'dead-letter':
        if (this.deadLetter?.(record, reason)) this.settleDelivered(1);
        else this.settleFailed([record], reason);
        break;
    }
  }

  protected innerDelivered(count: number): void {
    this.settleDelivered(count);
  }

  protected innerFailed(records: readonly LogRecord[], reason: Error): void {
    this.settleFailed(records, reason);
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

const RULE_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'any'] as const;
const ruleType = z.string().regex(new RegExp(`^(${RULE_TYPES.join('|')})\\??$`), {
  error: `expected one of ${RULE_TYPES.join(', ')} (add "?" for optional)`,
});

/** `"rules": { "userId": "number", "tags": "array?" }` → a zod object (other keys allowed). */
export function rulesToSchema(rules: Record<string, string>): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, rule] of Object.entries(rules)) {
    const optional = rule.endsWith('?');
    const type = optional ? rule.slice(0, -1) : rule;
    const base: z.ZodType =
      type === 'string'
        ? z.string()
        : type === 'number'
          ? z.number()
          : type === 'integer'
            ? z.number().int()
            : type === 'boolean'
              ? z.boolean()
              : type === 'object'
                ? z.record(z.string(), z.unknown())
                : type === 'array'
                  ? z.array(z.unknown())
                  : z.unknown().refine((v) => v !== undefined, { error: 'required' });
    shape[key] = optional ? base.optional() : base;
  }
  return z.looseObject(shape);
}

const validatingSchema = z
  .strictObject({
    schema: z.record(z.string(), z.unknown()).optional(),
    rules: z.record(z.string(), ruleType).optional(),
    onInvalid: z.enum(['error', 'skip', 'log', 'dead-letter']).optional(),
    target: z.unknown().refine((v) => v !== undefined, { error: 'expected a "target" transport entry' }),
  })
  .refine((o) => (o.schema === undefined) !== (o.rules === undefined), {
    error: 'expected exactly one of "schema" (JSON Schema) or "rules"',
    path: ['schema'],
  });

export const validatingTransportPlugin: TransportPlugin<typeof validatingSchema> = {
  schema: validatingSchema,
  create(options, context) {
    let check: z.ZodType;
    if (options.schema !== undefined) {
      try {
        check = z.fromJSONSchema(options.schema as Parameters<typeof z.fromJSONSchema>[0]);
      } catch (error) {
        throw new Error(`schema is not a usable JSON Schema: ${(error as Error).message}`);
      }
    } else {
      check = rulesToSchema(options.rules!);
    }
    return new ValidatingTransport(context.createTarget(options.target), {
      check,
      onInvalid: options.onInvalid,
      formatter: context.formatter,
      warn: context.warn,
      deadLetter: (record, reason) => context.deadLetter(record, reason, 'validating'),
    });
  },
};

declare module '../core/plugin/registry.js' {
  interface TransportTypes {
    validating: z.input<typeof validatingSchema>;
  }
}
