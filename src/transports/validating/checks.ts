import type { z } from 'zod';
import { compileJsonSchema, READS_ONLY } from './json-schema.js';

export interface ValidationProblem {
  path: string;
  message: string;
}

/** A check of one record (its plain object form): true, or the problems found. */
export type RecordCheck = (record: Record<string, unknown>) => true | ValidationProblem[];

/** The seed tutorial's validator result: errors, when given, are reported one by one. */
export interface ValidatorResult {
  valid: boolean;
  errors?: string[];
}

/** What a validator from code may return: a verdict, the problems, or `{ valid, errors }`. */
export type CheckOutcome = boolean | ValidationProblem[] | ValidatorResult;

/** A JSON Schema document (an object, or `true`/`false`). */
export type JsonSchema = Record<string, unknown> | boolean;

/** A zod schema, a function returning a CheckOutcome, or a JSON Schema. */
export type Check = z.ZodType | ((record: Record<string, unknown>) => CheckOutcome) | JsonSchema;

const WHOLE = '(record)';

function fromOutcome(outcome: unknown): true | ValidationProblem[] {
  if (outcome === true) return true;
  if (outcome === false) return [{ path: WHOLE, message: 'rejected by predicate' }];
  if (Array.isArray(outcome)) return outcome.length === 0 ? true : outcome.map(toProblem);
  if (typeof outcome === 'object' && outcome !== null && typeof (outcome as ValidatorResult).valid === 'boolean') {
    const { valid, errors } = outcome as ValidatorResult;
    if (valid) return true;
    if (!Array.isArray(errors) || errors.length === 0) return [{ path: WHOLE, message: 'rejected by validator' }];
    return errors.map((message) => ({ path: WHOLE, message: String(message) }));
  }
  const got = outcome === null ? 'null' : typeof outcome;
  return [{ path: WHOLE, message: `the check returned ${got}, not true/false, problems or { valid, errors }` }];
}

/** One item of a list of problems a check returned: a string is the message; anything else is said as such. */
function toProblem(item: unknown): ValidationProblem {
  if (typeof item === 'string') return { path: WHOLE, message: item };
  const { path, message } = (typeof item === 'object' && item !== null ? item : {}) as Partial<ValidationProblem>;
  if (typeof message === 'string') return { path: typeof path === 'string' && path !== '' ? path : WHOLE, message };
  const got = item === null ? 'null' : typeof item;
  return { path: WHOLE, message: `the check returned a problem that is ${got}, not { path, message } or a string` };
}

/** A zod (4) schema, told without loading zod: its internals are under `_zod`. */
function isZodSchema(check: Check): check is z.ZodType {
  return typeof check === 'object' && check !== null && '_zod' in check && typeof check.safeParse === 'function';
}

/**
 * Any accepted check → one RecordCheck; a JSON Schema is compiled here, once. `readsOnly`:
 * the check never keeps or changes the object it is given.
 */
export function toCheck(check: Check): { check: RecordCheck; warnings: string[]; readsOnly: boolean } {
  if (isZodSchema(check)) {
    return {
      readsOnly: false,
      warnings: [],
      check: (value) => {
        const result = check.safeParse(value);
        if (result.success) return true;
        return result.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.') || WHOLE,
          message: issue.message,
        }));
      },
    };
  }
  if (typeof check === 'function') {
    if ((check as { [READS_ONLY]?: boolean })[READS_ONLY]) {
      return { readsOnly: true, warnings: [], check: check as RecordCheck };
    }
    return { readsOnly: false, warnings: [], check: (value) => fromOutcome(check(value)) };
  }
  if (typeof check === 'boolean' || (typeof check === 'object' && check !== null && !Array.isArray(check))) {
    const compiled = compileJsonSchema(check);
    return { readsOnly: true, warnings: compiled.warnings, check: compiled.check };
  }
  throw new TypeError('check: expected a zod schema, a function or a JSON Schema object');
}
