import type { z } from 'zod';
import {
  deprecatedOption,
  durationSchema,
  plainDuration,
  plainPositiveSize,
  plainSize,
  plainTimerDuration,
  positiveSizeSchema,
  sizeSchema,
  timerDurationSchema,
} from '../plugin/units.js';
import { plainSpool, spoolDirBesideSpool, spoolSchema } from '../plugin/batch-schema.js';
import { isJsonNumber } from '../util/env-text.js';
import { lazySchema, lazyShape } from '../util/lazy-schema.js';
import {
  anything,
  arrayOf,
  bool,
  either,
  num,
  object,
  oneOf,
  optional,
  record,
  text,
  where,
} from '../util/plain-checks.js';

/*
 * Each schema is made on first use (lazySchema) and most come with a check in plain code:
 * what a logger with ordinary options passes is checked without loading zod, and anything
 * else goes to the schema, which decides and words the error.
 */
const MAX_INT = Number.MAX_SAFE_INTEGER;

/** "30" is not a level name (none is a number): from "${LEVEL}" it is read as the number 30. */
const LEVEL_AS_STRING = 'expected a level number as a number (30, not "30"), or a level name like "info"';
const plainLevel = either(
  where(text(1), (name) => !isJsonNumber(name as string)),
  num(0, 1000, true),
);
const levelRef = lazySchema(
  (z) =>
    z.union(
      [
        z
          .string()
          .min(1)
          .refine((name) => !isJsonNumber(name), LEVEL_AS_STRING)
          .meta({ not: { pattern: '^-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?$' } }),
        // A refine, not int() (whose safe-integer bound would add a second message past 1000);
        // the JSON Schema still says "integer", as the loader refuses 5.5.
        z.number().min(0).max(1000).refine(Number.isInteger, 'expected a whole number').meta({ type: 'integer' }),
      ],
      {
        error: 'expected a level name like "info" or a whole number from 0 to 1000',
      },
    ),
  plainLevel,
);

const plainFormatSpec = either(text(1), object({ type: text(1) }, true));
export const formatSpecSchema = lazySchema(
  (z) =>
    z.union([z.string().min(1), z.looseObject({ type: z.string().min(1) })], {
      error: 'expected a formatter name like "json" or an object { "type": "pretty", ...options }',
    }),
  plainFormatSpec,
);

const plainMaxQueue = object({
  maxRecords: optional(num(1, MAX_INT, true)),
  maxBytes: optional(plainPositiveSize),
  records: optional(num(1, MAX_INT, true)),
  bytes: optional(plainPositiveSize),
});
export const maxQueueSchema = lazySchema(
  (z) =>
    z.strictObject({
      maxRecords: z.number().int().positive().optional(),
      maxBytes: positiveSizeSchema.optional(),
      /** 0.2's names, accepted until 0.4. */
      records: deprecatedOption(z.number().int().positive().optional(), '"maxRecords"'),
      bytes: deprecatedOption(positiveSizeSchema.optional(), '"maxBytes"'),
    }),
  plainMaxQueue,
);

const OVERFLOW = ['block', 'drop-newest', 'drop-oldest'] as const;
export const overflowSchema = lazySchema((z) => z.enum(OVERFLOW), oneOf(...OVERFLOW));

/** The plain checks of routingShape, key by key. */
export const plainRouting = {
  level: optional(plainLevel),
  id: optional(text(1)),
  maxQueue: optional(plainMaxQueue),
  overflow: optional(oneOf(...OVERFLOW)),
};

/** How a target is routed: what a config entry and a live transport from code may both say. */
export const routingShape = lazyShape(
  (z) => ({
    level: levelRef.optional(),
    id: z.string().min(1).optional(),
    maxQueue: maxQueueSchema.optional(),
    overflow: overflowSchema.optional(),
  }),
  ['level', 'id', 'maxQueue', 'overflow'],
);

/**
 * The keys every transport entry may have besides the transport's own options. The one
 * place they are listed: the entry parser, the live-entry parser, the JSON Schema and the
 * TransportEntry type all derive from it.
 */
export const envelopeShape = lazyShape(
  (z) => ({
    type: z.string().min(1).optional(),
    module: z.string().min(1).optional(),
    format: formatSpecSchema.optional(),
    ...routingShape,
  }),
  ['type', 'module', 'format', 'level', 'id', 'maxQueue', 'overflow'],
);

export const ENVELOPE_KEYS: readonly string[] = Object.keys(envelopeShape);

/** An entry naming exactly one of "type" and "module" (the schema says which is wrong otherwise). */
const plainEnvelope = where(
  object(
    { type: optional(text(1)), module: optional(text(1)), format: optional(plainFormatSpec), ...plainRouting },
    true,
  ),
  (entry) =>
    ((entry as { type?: unknown }).type === undefined) !== ((entry as { module?: unknown }).module === undefined),
);

export const transportEnvelopeSchema = lazySchema(
  (z) =>
    z.looseObject(envelopeShape).superRefine((entry, ctx) => {
      if (entry.type === undefined && entry.module === undefined) {
        ctx.addIssue({ code: 'custom', path: ['type'], message: 'expected a transport "type" (or a plugin "module")' });
      } else if (entry.type !== undefined && entry.module !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['module'], message: 'expected either "type" or "module", not both' });
      }
    }),
  plainEnvelope,
);

const plainRedact = either(
  arrayOf(text(1)),
  object({
    paths: arrayOf(text(1)),
    censor: optional(either(text(), num(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, false), bool, oneOf(null))),
    remove: optional(bool),
  }),
);

export const redactSchema = lazySchema(
  (z) =>
    z.union(
      [
        z.array(z.string().min(1)),
        z.strictObject({
          paths: z.array(z.string().min(1)),
          censor: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
          remove: z.boolean().optional(),
        }),
      ],
      { error: 'expected an array of paths or { "paths": [...], "censor"?: "...", "remove"?: true }' },
    ),
  plainRedact,
);

const plainRouter = object({
  strategy: optional(oneOf('all', 'any', 'majority')),
  deadLetter: optional(text(1)),
  continueOnError: optional(bool),
  health: optional(object({ failureThreshold: optional(num(1, MAX_INT, true)), cooldownMs: optional(plainDuration) })),
  maxBackpressureMs: optional(plainTimerDuration),
  spool: optional(plainSpool),
  spoolDir: optional(text(1)),
});

export const routerSchema = lazySchema(
  (z) =>
    z
      .strictObject({
        strategy: z.enum(['all', 'any', 'majority']).optional(),
        deadLetter: z.string().min(1).optional(),
        continueOnError: z.boolean().optional(),
        health: z
          .strictObject({
            failureThreshold: z.number().int().positive().optional(),
            cooldownMs: durationSchema.optional(),
          })
          .optional(),
        maxBackpressureMs: timerDurationSchema.optional(),
        /**
         * Where what a `block` target cannot take yet waits, one file per target (relative to the
         * config), each kept under `maxBytes` (default 100MB) by dropping its oldest lines.
         */
        spool: spoolSchema.optional(),
        /** 0.2's name, accepted until 0.4. */
        spoolDir: deprecatedOption(z.string().min(1).optional(), '"spool": { "dir": … }'),
      })
      .refine(...spoolDirBesideSpool),
  plainRouter,
);

/** What a level's name may be. */
export const LEVEL_NAME = /^[a-z][a-zA-Z0-9_]*$/;

const plainLevels = record(text(0, LEVEL_NAME), num(1, 1000, true));
const levelsSchema = lazySchema(
  (z) =>
    z.record(
      z.string().regex(LEVEL_NAME, { error: 'expected a level name of lowercase letters, digits and "_"' }),
      z.number().int().positive().max(1000, { error: 'expected a positive integer up to 1000' }),
    ),
  plainLevels,
);

const RESERVED_KEYS = ['level', 'time', '__proto__', 'constructor', 'prototype'];
const plainKey = where(text(1), (key) => !RESERVED_KEYS.includes(key as string));

const plainConfig = object({
  $schema: optional(text()),
  level: optional(plainLevel),
  name: optional(text()),
  base: optional(either(oneOf(null), record(text(), anything))),
  serializers: optional(arrayOf(oneOf('err', 'errWithCause', 'req', 'res'))),
  msgPrefix: optional(text()),
  messageKey: optional(plainKey),
  timestamp: optional(oneOf('epoch', 'iso', true, false)),
  errorKey: optional(plainKey),
  nestedKey: optional(plainKey),
  enabled: optional(bool),
  crlf: optional(bool),
  levelFormat: optional(oneOf('number', 'label')),
  levels: optional(plainLevels),
  customLevels: optional(plainLevels),
  useOnlyCustomLevels: optional(bool),
  levelComparison: optional(oneOf('ASC')),
  depthLimit: optional(num(1, MAX_INT, true)),
  edgeLimit: optional(num(1, MAX_INT, true)),
  redact: optional(plainRedact),
  serialize: optional(
    object({
      maxDepth: optional(num(1, 1000, true)),
      maxNodes: optional(num(100, MAX_INT, true)),
      maxChars: optional(plainSize),
      maxItems: optional(num(1, MAX_INT, true)),
      maxBufferBytes: optional(plainSize),
    }),
  ),
  exitFlush: optional(bool),
  exitTimeoutMs: optional(plainTimerDuration),
  handleExceptions: optional(bool),
  handleSignals: optional(bool),
  diagnostics: optional(oneOf(false)),
  transports: optional(arrayOf(anything)),
  router: optional(plainRouter),
});

/** The key refinement messageKey, errorKey and nestedKey share. */
function recordKey(zod: typeof z) {
  return zod
    .string()
    .min(1)
    .refine((key) => !RESERVED_KEYS.includes(key), {
      error: 'expected a key other than "level", "time", "__proto__", "constructor" or "prototype"',
    })
    .optional();
}

export const configSchema = lazySchema(
  (z) =>
    z.strictObject({
      $schema: z.string().optional(),
      level: levelRef.optional(),
      name: z.string().optional(),
      base: z.record(z.string(), z.unknown()).nullable().optional(),
      /** Standard serializers by name; from code, an object of functions instead. */
      serializers: z.array(z.enum(['err', 'errWithCause', 'req', 'res'])).optional(),
      msgPrefix: z.string().optional(),
      messageKey: recordKey(z),
      timestamp: z
        .union([z.literal('epoch'), z.literal('iso'), z.boolean()], {
          error: 'expected "epoch", "iso", true or false',
        })
        .optional(),
      /** pino's: the key an error logged as the first argument goes under (default "err"). */
      errorKey: recordKey(z),
      /** pino's: the key a logged object's fields go under, instead of the top level. */
      nestedKey: recordKey(z),
      /** pino's `enabled: false`: a logger that logs nothing (level silent). */
      enabled: z.boolean().optional(),
      /** pino's `crlf: true`: JSON lines end in "\r\n" instead of "\n". */
      crlf: z.boolean().optional(),
      levelFormat: z.enum(['number', 'label']).optional(),
      levels: levelsSchema.optional(),
      /** pino's name for `levels`. */
      customLevels: levelsSchema.optional(),
      /** pino's: only the custom levels are levels (no trace … fatal methods); `level` must name one. */
      useOnlyCustomLevels: z.boolean().optional(),
      /** pino's: levels rank by ascending number, its default; "DESC" and functions are refused. */
      levelComparison: z.literal('ASC').optional(),
      /**
       * pino's limits for the lines its fallback serialiser writes (cycles, BigInt), accepted so
       * pino's options start a logger; such values are written within the `serialize` budgets here.
       */
      depthLimit: z.number().int().min(1).optional(),
      /** As depthLimit: pino's breadth limit for its fallback serialiser; `serialize` budgets apply here. */
      edgeLimit: z.number().int().min(1).optional(),
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
      exitTimeoutMs: timerDurationSchema.optional(),
      handleExceptions: z.boolean().optional(),
      handleSignals: z.boolean().optional(),
      /** `false`: internal problems are not written to stderr (from code, a function receives them instead). */
      diagnostics: z.literal(false, { error: 'expected false (or, from code, a function)' }).optional(),
      transports: z.array(z.unknown()).optional(),
      router: routerSchema.optional(),
    }),
  plainConfig,
);

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type TransportEnvelope = z.output<typeof transportEnvelopeSchema>;
