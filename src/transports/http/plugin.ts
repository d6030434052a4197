import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { closest } from '../../core/util/closest.js';
import { lazySchema } from '../../core/util/lazy-schema.js';
import type { TransportPlugin } from '../../core/plugin/registry.js';
import { deprecatedOption, sizeSchema } from '../../core/plugin/units.js';
import { batchOptionsShape, spoolSchema } from '../../core/plugin/batch-schema.js';
import { HttpTransport } from './transport.js';
import type { PresetOptions } from './preset.js';
import { httpPreset, httpPresetNames } from './presets/index.js';
import { headerProblem } from './secrets.js';

// The `http` entry of a config: its schema, and the transport it makes.

/** 0.2's options, accepted until 0.4: what to write instead. */
const RENAMED = {
  spoolDir: '"spool": { "dir": … }',
  spoolMaxBytes: '"spool": { "maxBytes": … }',
};

const httpSchema = lazySchema((z) =>
  z
    .strictObject({
      url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
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
      labels: z.array(z.string()).optional(),
      metadata: z.array(z.string()).optional(),
      index: z.string().min(1).optional(),
      table: z
        .string()
        .regex(/^[A-Za-z_][\w.]*$/, { error: 'expected a table name' })
        .optional(),
      columns: z.record(z.string(), z.string()).optional(),
      insertDeduplicationToken: z.boolean().optional(),
      /** Where what is held at exit waits for the next start: `dir` relative to the config. */
      spool: spoolSchema.optional(),
      spoolDir: deprecatedOption(z.string().min(1).optional(), RENAMED.spoolDir),
      spoolMaxBytes: deprecatedOption(sizeSchema.optional(), RENAMED.spoolMaxBytes),
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
    }),
);

export const httpTransportPlugin: TransportPlugin<typeof httpSchema> = {
  schema: httpSchema,
  deprecated: RENAMED,
  create(options, context) {
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
      tls: options.tls,
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
