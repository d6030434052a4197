import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import { lazySchema } from '../../core/util/lazy-schema.js';
import { batchOptionsShape, spoolSchema } from '../../core/plugin/batch-schema.js';
import type { TransportPlugin } from '../../core/plugin/registry.js';
import { sizeSchema, timeoutSchema } from '../../core/plugin/units.js';
import type { SyslogTlsOptions } from './options.js';
import { FACILITIES } from './severity.js';
import { SyslogTransport } from './transport.js';

// The `syslog` entry of a config: its schema, and the transport it makes.

const facilityNames = Object.keys(FACILITIES) as [string, ...string[]];

/** SD-NAME (RFC 5424 §6.3.2): printable ASCII but '"', '=' and ']' (and no space, which is not printable there). */
const SD_ID = /^[\x21\x23-\x3c\x3e-\x5c\x5e-\x7e]{1,32}$/;

const syslogSchema = lazySchema((z) => {
  /** PEM text, or the path of a file holding it (relative to the config). */
  const pem = z.string().min(1);
  return z
    .strictObject({
      protocol: z.enum(['tcp', 'tls', 'udp']).optional(),
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
        .refine((n) => n >= 480, { error: 'expected at least 480 bytes (RFC 5426 lets every receiver take that)' })
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
      ...batchOptionsShape,
      /** Where what is held at exit waits for the next start (`dir` relative to the config). */
      spool: spoolSchema.optional(),
    })
    .refine((o) => o.tls === undefined || o.protocol === 'tls', {
      error: 'tls settings need "protocol": "tls"',
      path: ['tls'],
    })
    .refine((o) => o.framing === undefined || o.protocol !== 'udp', {
      error: 'framing applies to tcp and tls; udp sends one message per datagram',
      path: ['framing'],
    });
});

/** A PEM option: the text itself, or read from the file it names. */
function pemText(value: string | undefined, baseDir: string, name: string): string | undefined {
  if (value === undefined || value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(resolve(baseDir, value), 'utf8');
  } catch (error) {
    throw new Error(`tls.${name}: could not read ${value}: ${(error as Error).message}`);
  }
}

export const syslogTransportPlugin: TransportPlugin<typeof syslogSchema> = {
  schema: syslogSchema,
  create(options, context) {
    const { tls, spool, ...rest } = options;
    const tlsOptions: SyslogTlsOptions | undefined =
      tls === undefined
        ? undefined
        : {
            ...tls,
            ca: pemText(tls.ca, context.baseDir, 'ca'),
            cert: pemText(tls.cert, context.baseDir, 'cert'),
            key: pemText(tls.key, context.baseDir, 'key'),
          };
    const protocol = options.protocol ?? 'tcp';
    const port = options.port ?? (protocol === 'tls' ? 6514 : 514);
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
