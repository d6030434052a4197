import type { z } from 'zod';
import { lazySchema } from '../../core/util/lazy-schema.js';
import type { TransportPlugin } from '../../core/plugin/registry.js';
import {
  anything,
  NO,
  object,
  oneOf,
  optional,
  type PlainCheck,
  record,
  text,
  where,
} from '../../core/util/plain-checks.js';
import { type CompiledSchema, compileJsonSchema, JsonSchemaError } from './json-schema.js';
import { plainRuleType, ruleType, rulesToSchema } from './rules.js';
import { ValidatingTransport } from './transport.js';

export { ValidatingTransport, type ValidatingTransportOptions, type ValidationStats } from './transport.js';
export type { OnInvalid, ValidatingTransportEvents, ValidationError } from './transport.js';
export type { Check, CheckOutcome, JsonSchema, RecordCheck, ValidationProblem, ValidatorResult } from './checks.js';
export { JsonSchemaError } from './json-schema.js';
export { rulesToSchema } from './rules.js';

/** A JSON Schema's object before it is compiled, as `z.record(z.string(), z.unknown())` parses it. */
const plainJsonSchemaObject = record(text(), anything);

/** The schema compiled, or NO when Ajv refuses it (or anything throws): then zod says what is wrong, and where. */
function plainCompile(schema: unknown): unknown {
  try {
    return compileJsonSchema(schema as Record<string, unknown>);
  } catch {
    return NO;
  }
}

/** The plain check of jsonSchema. */
const plainJsonSchema: PlainCheck = (value) => {
  const schema = plainJsonSchemaObject(value);
  return schema === NO ? NO : plainCompile(schema);
};

/** Compiled while the config is checked, so a schema Ajv refuses is reported at its path in the config. */
const jsonSchema = lazySchema(
  (z) =>
    z
      .record(z.string(), z.unknown())
      .describe('JSON Schema (draft 2020-12 unless $schema names 2019-09 or draft-07)')
      .transform((schema, ctx): CompiledSchema => {
        try {
          return compileJsonSchema(schema);
        } catch (error) {
          if (!(error instanceof JsonSchemaError)) throw error;
          ctx.issues.push({ code: 'custom', message: error.message, path: error.schemaPath, input: schema });
          return z.NEVER;
        }
      }),
  plainJsonSchema,
);

const plainValidatingShape = object({
  // Compiled last (below), once the rest is known to be vouched for.
  schema: optional(plainJsonSchemaObject),
  rules: optional(record(text(), plainRuleType)),
  onInvalid: optional(oneOf('error', 'skip', 'log', 'dead-letter')),
  target: where(anything, (value) => value !== undefined),
});

/** The plain check of validatingSchema: a target and rules, or a JSON Schema Ajv compiles. */
const plainValidating: PlainCheck = (value) => {
  const parsed = plainValidatingShape(value);
  if (parsed === NO) return NO;
  const out = parsed as { schema?: unknown; rules?: unknown };
  if ((out.schema === undefined) === (out.rules === undefined)) return NO;
  if (out.schema === undefined) return out;
  const compiled = plainCompile(out.schema);
  return compiled === NO ? NO : { ...out, schema: compiled };
};

const validatingSchema = lazySchema(
  (z) =>
    z
      .strictObject({
        schema: jsonSchema.optional(),
        rules: z.record(z.string(), ruleType).optional(),
        onInvalid: z.enum(['error', 'skip', 'log', 'dead-letter']).optional(),
        target: z.unknown().refine((v) => v !== undefined, { error: 'expected a "target" transport entry' }),
      })
      .refine((o) => (o.schema === undefined) !== (o.rules === undefined), {
        error: 'expected exactly one of "schema" (JSON Schema) or "rules"',
        path: ['schema'],
      }),
  plainValidating,
);

export const validatingTransportPlugin: TransportPlugin<typeof validatingSchema> = {
  schema: validatingSchema,
  wraps: ['target'],
  create(options, context) {
    if (options.onInvalid === 'dead-letter' && !context.hasDeadLetter) {
      // Without the file every invalid record would fail, as "error" does, under another name.
      throw context.invalid('onInvalid', 'expected router.deadLetter to be set for "dead-letter" (or "error")');
    }
    const compiled = options.schema ?? compileJsonSchema(rulesToSchema(options.rules!));
    const transport: ValidatingTransport = new ValidatingTransport(context.createTarget(options.target), {
      check: compiled.check,
      schemaWarnings: compiled.warnings,
      onInvalid: options.onInvalid,
      formatter: context.formatter,
      warn: context.warn,
      deadLetter: (record, reason) => context.deadLetter(record, reason, transport.id),
    });
    return transport;
  },
};

declare module '../../core/plugin/registry.js' {
  interface TransportTypes {
    validating: z.input<typeof validatingSchema>;
  }
}
