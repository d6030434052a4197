import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { lazySchema } from '../../core/util/lazy-schema.js';
import { batchOptionsShape, plainBatchOptions, plainSpool, spoolSchema } from '../../core/plugin/batch-schema.js';
import type { TransportPlugin } from '../../core/plugin/registry.js';
import { checkedPem } from '../../core/plugin/tls-check.js';
import { plainSize, plainTimeout, sizeSchema, timeoutSchema } from '../../core/plugin/units.js';
import {
  arrayOf,
  bool,
  either,
  num,
  object,
  oneOf,
  optional,
  type PlainCheck,
  record,
  text,
  where,
} from '../../core/util/plain-checks.js';
import type { SyslogTlsOptions } from './options.js';
import { FACILITIES } from './severity.js';
import { longestHeader } from './message.js';
import { defaultPort, headerFields, MAX_RELP_WINDOW, SyslogTransport } from './transport.js';

// The `syslog` entry of a config: its schema, and the transport it makes.

const facilityNames = Object.keys(FACILITIES) as [string, ...string[]];

/** SD-NAME (RFC 5424 §6.3.2): printable ASCII but '"', '=' and ']' (and no space, which is not printable there). */
const SD_ID = /^[\x21\x23-\x3c\x3e-\x5c\x5e-\x7e]{1,32}$/;

/** The plain check of syslogSchema: the usual options, vouched for without loading zod. */
const plainSyslog: PlainCheck = where(
  object({
    protocol: optional(oneOf('tcp', 'tls', 'udp', 'relp')),
    host: optional(text(1)),
    port: optional(num(1, 65535, true)),
    facility: optional(either(oneOf(...facilityNames), num(0, 23, true))),
    appName: optional(text(1)),
    hostname: optional(text(1)),
    procId: optional(text(1)),
    msgIdField: optional(text(1)),
    structuredData: optional(
      record(
        text(1, SD_ID),
        where(arrayOf(text(1)), (values) => (values as unknown[]).length >= 1),
      ),
    ),
    framing: optional(oneOf('octet-counting', 'lf')),
    fatalSeverity: optional(oneOf('crit', 'emerg')),
    maxMessageBytes: optional(where(plainSize, (bytes) => Number.isInteger(bytes) && (bytes as number) >= 480)),
    utf8Bom: optional(bool),
    tls: optional(
      object({
        ca: optional(text(1)),
        cert: optional(text(1)),
        key: optional(text(1)),
        rejectUnauthorized: optional(bool),
        servername: optional(text(1)),
      }),
    ),
    connectTimeoutMs: optional(plainTimeout),
    relpWindow: optional(num(1, MAX_RELP_WINDOW, true)),
    ...plainBatchOptions,
    spool: optional(plainSpool),
  }),
  // The schema's three refinements.
  (parsed) => {
    const o = parsed as { protocol?: string; tls?: unknown; framing?: unknown; relpWindow?: unknown };
    return (
      (o.tls === undefined || o.protocol === 'tls' || o.protocol === 'relp') &&
      (o.framing === undefined || (o.protocol !== 'udp' && o.protocol !== 'relp')) &&
      (o.relpWindow === undefined || o.protocol === 'relp')
    );
  },
);

const syslogSchema = lazySchema((z) => {
  /** PEM text, or the path of a file holding it (relative to the config). */
  const pem = z.string().min(1);
  return z
    .strictObject({
      protocol: z.enum(['tcp', 'tls', 'udp', 'relp']).optional(),
      host: z.string().min(1).optional(),
      port: z.number().int().min(1).max(65535).optional(),
      facility: z
        .union([z.enum(facilityNames), z.number().int().min(0).max(23)], {
          error: `expected a facility: ${facilityNames.join(', ')}, or a number 0-23`,
        })
        .optional(),
      appName: z.string().min(1).optional(),
      hostname: z.string().min(1).optional(),
      procId: z.string().min(1).optional(),
      msgIdField: z.string().min(1).optional(),
      structuredData: z
        .record(
          z.string().regex(SD_ID, {
            error: 'expected an SD-ID: 1-32 printable ASCII characters, none of = ] " or space (e.g. "app@32473")',
          }),
          z.array(z.string().min(1)).min(1),
        )
        .optional(),
      framing: z.enum(['octet-counting', 'lf']).optional(),
      fatalSeverity: z.enum(['crit', 'emerg']).optional(),
      maxMessageBytes: sizeSchema
        .refine((n) => Number.isInteger(n) && n >= 480, {
          error: 'expected a whole number of at least 480 bytes (RFC 5426 lets every receiver take that)',
        })
        .optional(),
      utf8Bom: z.boolean().optional(),
      tls: z
        .strictObject({
          ca: pem.optional(),
          cert: pem.optional(),
          key: pem.optional(),
          rejectUnauthorized: z.boolean().optional(),
          servername: z.string().min(1).optional(),
        })
        .optional(),
      connectTimeoutMs: timeoutSchema.optional(),
      /** relp: messages sent and not yet acknowledged, at most (default 128). */
      relpWindow: z.number().int().min(1).max(MAX_RELP_WINDOW).optional(),
      ...batchOptionsShape,
      /** Where what is held at exit waits for the next start (`dir` relative to the config). */
      spool: spoolSchema.optional(),
    })
    .refine((o) => o.tls === undefined || o.protocol === 'tls' || o.protocol === 'relp', {
      error: 'tls settings need "protocol": "tls", or "relp" (RELP over TLS)',
      path: ['tls'],
    })
    .refine((o) => o.framing === undefined || (o.protocol !== 'udp' && o.protocol !== 'relp'), {
      error: 'framing applies to tcp and tls; udp sends one message per datagram, relp one per command',
      path: ['framing'],
    })
    .refine((o) => o.relpWindow === undefined || o.protocol === 'relp', {
      error: 'relpWindow needs "protocol": "relp"',
      path: ['relpWindow'],
    });
}, plainSyslog);

export const syslogTransportPlugin: TransportPlugin<typeof syslogSchema> = {
  schema: syslogSchema,
  create(options, context) {
    const { tls, spool, ...rest } = options;
    let tlsOptions: SyslogTlsOptions | undefined;
    if (tls !== undefined) {
      const checked = checkedPem(tls, context.baseDir);
      if (checked.problem !== undefined) throw context.invalid(checked.problem.key, checked.problem.expected);
      tlsOptions = checked.tls;
    }
    const protocol = options.protocol ?? 'tcp';
    const port = options.port ?? defaultPort(protocol);
    if (options.maxMessageBytes !== undefined) {
      const longest = longestHeader(headerFields(options));
      if (options.maxMessageBytes < longest) {
        throw context.invalid(
          'maxMessageBytes',
          `expected at least ${longest} bytes: the header can take that many with this hostname, appName, procId ` +
            'and msgIdField, and a cut inside it leaves no syslog message',
        );
      }
    }
    const destination = `${protocol}://${options.host ?? '127.0.0.1'}:${port}`;
    return new SyslogTransport({
      ...rest,
      tls: tlsOptions,
      formatter: context.formatter,
      spool:
        spool === undefined
          ? undefined
          : {
              dir: resolve(context.baseDir, spool.dir),
              // Named by destination; a second transport to the same one gets a file of its own.
              name: `syslog-${createHash('sha256').update(destination).digest('hex').slice(0, 16)}`,
              maxBytes: spool.maxBytes,
            },
    });
  },
};

declare module '../../core/plugin/registry.js' {
  interface TransportTypes {
    syslog: z.input<typeof syslogSchema>;
  }
}
