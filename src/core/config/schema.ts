import { z } from 'zod';
import { deprecatedOption, durationSchema, sizeSchema } from '../plugin/units.js';

const levelRef = z.union(
  [z.string().min(1), z.number().min(0).max(1000).refine(Number.isInteger, 'expected a whole number')],
  {
    error: 'expected a level name like "info" or a whole number from 0 to 1000',
  },
);

export const formatSpecSchema = z.union([z.string().min(1), z.looseObject({ type: z.string().min(1) })], {
  error: 'expected a formatter name like "json" or an object { "type": "pretty", ...options }',
});

export const maxQueueSchema = z.strictObject({
  maxRecords: z.number().int().positive().optional(),
  maxBytes: sizeSchema.optional(),
  /** 0.2's names, accepted until 0.4. */
  records: deprecatedOption(z.number().int().positive().optional(), '"maxRecords"'),
  bytes: deprecatedOption(sizeSchema.optional(), '"maxBytes"'),
});

export const overflowSchema = z.enum(['block', 'drop-newest', 'drop-oldest']);

/** How a target is routed: what a config entry and a live transport from code may both say. */
export const routingShape = {
  level: levelRef.optional(),
  id: z.string().min(1).optional(),
  maxQueue: maxQueueSchema.optional(),
  overflow: overflowSchema.optional(),
};

/**
 * The keys every transport entry may have besides the transport's own options. The one
 * place they are listed: the entry parser, the live-entry parser, the JSON Schema and the
 * TransportEntry type all derive from it.
 */
export const envelopeShape = {
  type: z.string().min(1).optional(),
  module: z.string().min(1).optional(),
  format: formatSpecSchema.optional(),
  ...routingShape,
};

export const ENVELOPE_KEYS: readonly string[] = Object.keys(envelopeShape);

export const transportEnvelopeSchema = z.looseObject(envelopeShape).superRefine((entry, ctx) => {
  if (entry.type === undefined && entry.module === undefined) {
    ctx.addIssue({ code: 'custom', path: ['type'], message: 'expected a transport "type" (or a plugin "module")' });
  } else if (entry.type !== undefined && entry.module !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['module'], message: 'expected either "type" or "module", not both' });
  }
});

export const redactSchema = z.union(
  [
    z.array(z.string().min(1)),
    z.strictObject({
      paths: z.array(z.string().min(1)),
      censor: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
      remove: z.boolean().optional(),
    }),
  ],
  { error: 'expected an array of paths or { "paths": [...], "censor"?: "...", "remove"?: true }' },
);

export const routerSchema = z.strictObject({
  strategy: z.enum(['all', 'any', 'majority']).optional(),
  deadLetter: z.string().min(1).optional(),
  continueOnError: z.boolean().optional(),
  health: z
    .strictObject({
      failureThreshold: z.number().int().positive().optional(),
      cooldownMs: durationSchema.optional(),
    })
    .optional(),
  maxBackpressureMs: durationSchema.optional(),
  /** Where what a `block` target cannot take yet waits, one file per target (relative to the config). */
  spool: z.strictObject({ dir: z.string().min(1) }).optional(),
  /** 0.2's name, accepted until 0.4. */
  spoolDir: deprecatedOption(z.string().min(1).optional(), '"spool": { "dir": … }'),
});

const LEVEL_NAME = /^[a-z][a-zA-Z0-9_]*$/;

const levelsSchema = z.record(
  z.string().regex(LEVEL_NAME, { error: 'expected a level name of lowercase letters, digits and "_"' }),
  z.number().int().positive().max(1000, { error: 'expected a positive integer up to 1000' }),
);

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  level: levelRef.optional(),
  name: z.string().optional(),
  base: z.record(z.string(), z.unknown()).nullable().optional(),
  /** Standard serializers by name; from code, an object of functions instead. */
  serializers: z.array(z.enum(['err', 'errWithCause', 'req', 'res'])).optional(),
  msgPrefix: z.string().optional(),
  messageKey: z
    .string()
    .min(1)
    .refine((key) => !['level', 'time', '__proto__', 'constructor', 'prototype'].includes(key), {
      error: 'expected a key other than "level", "time", "__proto__", "constructor" or "prototype"',
    })
    .optional(),
  timestamp: z
    .union([z.literal('epoch'), z.literal('iso'), z.boolean()], { error: 'expected "epoch", "iso", true or false' })
    .optional(),
  /** pino's: the key an error logged as the first argument goes under (default "err"). */
  errorKey: z
    .string()
    .min(1)
    .refine((key) => !['level', 'time', '__proto__', 'constructor', 'prototype'].includes(key), {
      error: 'expected a key other than "level", "time", "__proto__", "constructor" or "prototype"',
    })
    .optional(),
  /** pino's: the key a logged object's fields go under, instead of the top level. */
  nestedKey: z
    .string()
    .min(1)
    .refine((key) => !['level', 'time', '__proto__', 'constructor', 'prototype'].includes(key), {
      error: 'expected a key other than "level", "time", "__proto__", "constructor" or "prototype"',
    })
    .optional(),
  /** pino's `enabled: false`: a logger that logs nothing (level silent). */
  enabled: z.boolean().optional(),
  levelFormat: z.enum(['number', 'label']).optional(),
  levels: levelsSchema.optional(),
  /** pino's name for `levels`. */
  customLevels: levelsSchema.optional(),
  /** pino's: only the custom levels are levels (no trace … fatal methods); `level` must name one. */
  useOnlyCustomLevels: z.boolean().optional(),
  redact: redactSchema.optional(),
  serialize: z
    .strictObject({
      maxDepth: z.number().int().min(1).max(1000).optional(),
      maxNodes: z.number().int().min(100).optional(),
      maxChars: sizeSchema.optional(),
      maxItems: z.number().int().min(1).optional(),
      maxBufferBytes: sizeSchema.optional(),
    })
    .optional(),
  exitFlush: z.boolean().optional(),
  /** How long a script that returns waits for asynchronous transports to send what they hold. */
  exitTimeoutMs: durationSchema.optional(),
  handleExceptions: z.boolean().optional(),
  handleSignals: z.boolean().optional(),
  /** `false`: internal problems are not written to stderr (from code, a function receives them instead). */
  diagnostics: z.literal(false, { error: 'expected false (or, from code, a function)' }).optional(),
  transports: z.array(z.unknown()).optional(),
  router: routerSchema.optional(),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type TransportEnvelope = z.output<typeof transportEnvelopeSchema>;
