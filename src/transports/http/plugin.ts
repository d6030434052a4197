import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { closest } from '../../core/util/closest.js';
import { lazySchema } from '../../core/util/lazy-schema.js';
import type { TransportPlugin } from '../../core/plugin/registry.js';
import { checkedPem } from '../../core/plugin/tls-check.js';
import { deprecatedOption, plainSize, positiveSizeSchema, sizeSchema } from '../../core/plugin/units.js';
import {
  batchOptionsShape,
  plainBatchOptions,
  plainSpool,
  spoolDirBesideSpool,
  spoolSchema,
} from '../../core/plugin/batch-schema.js';
import {
  arrayOf,
  bool,
  either,
  object,
  oneOf,
  optional,
  type PlainCheck,
  record,
  text,
  where,
} from '../../core/util/plain-checks.js';
import { HttpTransport } from './transport.js';
import type { PresetOptions } from './preset.js';
import { httpPreset, httpPresetNames } from './presets/index.js';
import { labelClash, metadataClash } from './presets/loki.js';
import { headerProblem } from './secrets.js';
import { namesPortZero, PORT_ZERO } from './transport.js';

// The `http` entry of a config: its schema, and the transport it makes.

/** 0.2's options, accepted until 0.4: what to write instead. */
const RENAMED = {
  spoolDir: '"spool": { "dir": … }',
  spoolMaxBytes: '"spool": { "maxBytes": … }',
};

/**
 * An http(s) URL that zod's check leaves as it is: no surrounding space, no tab or line
 * break (which the URL parser would delete), the scheme followed by "//".
 */
const plainUrl = where(
  text(1, /^https?:\/\/[^\s]*$/i),
  (url) =>
    URL.canParse(url as string) && /^https?:$/.test(new URL(url as string).protocol) && !namesPortZero(url as string),
);

const plainHeaders = where(record(text(), text()), (headers) =>
  Object.entries(headers as Record<string, string>).every(([name, value]) => headerProblem(name, value) === undefined),
);

/**
 * Whether Elasticsearch and OpenSearch take `name` as an index: lowercase, none of the characters
 * they refuse, no leading `-`, `_` or `+`, not `.` or `..`, at most 255 bytes; or a date-math name
 * (`<logs-{now/d}>`). Either refuses any other item by item, so every record would fail.
 */
function indexNameTaken(name: string): boolean {
  if (/^<.+>$/s.test(name)) return true;
  return (
    name === name.toLowerCase() &&
    !/[\s\\/*?"<>|,#:]/.test(name) &&
    !/^[-_+]/.test(name) &&
    name !== '.' &&
    name !== '..' &&
    Buffer.byteLength(name) <= 255
  );
}

const INDEX_NAME =
  'expected an index name Elasticsearch and OpenSearch take: lowercase, without spaces or \\ / * ? " < > | , # :, ' +
  'not starting with -, _ or +';

const compressionType = oneOf('gzip', 'none');

/** The plain check of httpSchema: the usual options, vouched for without loading zod. */
const plainHttp: PlainCheck = object({
  url: plainUrl,
  preset: optional(where(text(), (name) => httpPreset(name as string) !== undefined)),
  headers: optional(plainHeaders),
  ...plainBatchOptions,
  compression: optional(either(compressionType, object({ type: compressionType, minBytes: optional(plainSize) }))),
  tls: optional(
    object({ ca: optional(text()), cert: optional(text()), key: optional(text()), rejectUnauthorized: optional(bool) }),
  ),
  labels: optional(where(arrayOf(text()), (labels) => labelClash(labels as string[]) === undefined)),
  metadata: optional(where(arrayOf(text()), (names) => metadataClash(names as string[]) === undefined)),
  index: optional(where(text(1), (name) => indexNameTaken(name as string))),
  table: optional(text(0, /^[A-Za-z_][\w.]*$/)),
  columns: optional(record(text(), text())),
  insertDeduplicationToken: optional(bool),
  spool: optional(plainSpool),
});

const httpSchema = lazySchema(
  (z) =>
    z
      .strictObject({
        url: z
          .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
          .refine((url) => !namesPortZero(url), { error: PORT_ZERO }),
        preset: z.string().optional(),
        // A header Node would refuse (CR, LF: a split request) is a config error, not a failure per request.
        headers: z
          .record(z.string(), z.string())
          .check((ctx) => {
            for (const [name, value] of Object.entries(ctx.value)) {
              const problem = headerProblem(name, value);
              if (problem !== undefined)
                ctx.issues.push({ code: 'custom', message: problem, path: [name], input: value });
            }
          })
          .optional(),
        ...batchOptionsShape,
        compression: z
          .union([
            z.enum(['gzip', 'none']),
            z.strictObject({ type: z.enum(['gzip', 'none']), minBytes: sizeSchema.optional() }),
          ])
          .optional(),
        tls: z
          .strictObject({
            ca: z.string().optional(),
            cert: z.string().optional(),
            key: z.string().optional(),
            rejectUnauthorized: z.boolean().optional(),
          })
          .optional(),
        labels: z
          .array(z.string())
          .superRefine((labels, ctx) => {
            const clash = labelClash(labels);
            if (clash !== undefined) ctx.addIssue({ code: 'custom', path: [clash.index], message: clash.message });
          })
          .optional(),
        metadata: z
          .array(z.string())
          .superRefine((names, ctx) => {
            const clash = metadataClash(names);
            if (clash !== undefined) ctx.addIssue({ code: 'custom', path: [clash.index], message: clash.message });
          })
          .optional(),
        index: z.string().min(1).refine(indexNameTaken, { error: INDEX_NAME }).optional(),
        table: z
          .string()
          .regex(/^[A-Za-z_][\w.]*$/, { error: 'expected a table name' })
          .optional(),
        columns: z.record(z.string(), z.string()).optional(),
        insertDeduplicationToken: z.boolean().optional(),
        /** Where what is held at exit waits for the next start: `dir` relative to the config. */
        spool: spoolSchema.optional(),
        spoolDir: deprecatedOption(z.string().min(1).optional(), RENAMED.spoolDir),
        spoolMaxBytes: deprecatedOption(positiveSizeSchema.optional(), RENAMED.spoolMaxBytes),
      })
      .refine((o) => o.preset === undefined || httpPreset(o.preset) !== undefined, {
        // A function: the names known when the config is read, registered ones included.
        error: (issue) => {
          const preset = (issue.input as { preset: string }).preset;
          const match = closest(preset, httpPresetNames());
          const hint = match === undefined ? '' : `; did you mean "${match}"?`;
          return `unknown preset ${JSON.stringify(preset)} (known: ${httpPresetNames().join(', ')})${hint}`;
        },
        path: ['preset'],
      })
      .refine(...spoolDirBesideSpool),
  plainHttp,
);

export const httpTransportPlugin: TransportPlugin<typeof httpSchema> = {
  schema: httpSchema,
  deprecated: RENAMED,
  create(options, context) {
    let tls = options.tls;
    if (tls !== undefined) {
      const checked = checkedPem(tls, context.baseDir);
      if (checked.problem !== undefined) throw context.invalid(checked.problem.key, checked.problem.expected);
      tls = checked.tls;
    }
    const spoolDir = options.spool?.dir ?? options.spoolDir;
    const presetOptions: PresetOptions = {
      line: (record) => record.formatted(context.formatter),
      labels: options.labels,
      metadata: options.metadata,
      index: options.index,
      table: options.table,
      columns: options.columns,
      insertDeduplicationToken: options.insertDeduplicationToken,
    };
    return new HttpTransport({
      url: options.url,
      preset: httpPreset(options.preset ?? 'ndjson')!(presetOptions),
      headers: options.headers,
      batch: options.batch,
      compression: options.compression,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutMs,
      retry: options.retry,
      tls,
      formatter: context.formatter,
      spool:
        spoolDir === undefined
          ? undefined
          : {
              dir: resolve(context.baseDir, spoolDir),
              // Named by destination; a second transport to the same one gets a file of its own.
              name: `http-${createHash('sha256')
                .update(`${options.preset ?? 'ndjson'} ${options.url}`)
                .digest('hex')
                .slice(0, 16)}`,
              maxBytes: options.spool?.maxBytes ?? options.spoolMaxBytes,
              family: 'http-',
            },
    });
  },
};

declare module '../../core/plugin/registry.js' {
  interface TransportTypes {
    http: z.input<typeof httpSchema>;
  }
}
