// A TypeScript service moving from pino, under the strictest options users set
// (exactOptionalPropertyTypes, noUncheckedIndexedAccess, no skipLibCheck): compiled by
// test/types/consumers.test.ts, never run.
import type { LoggerOptions as PinoOptions, Logger as PinoLogger } from 'pino';
import {
  BatchTransport,
  type BatchProcessor,
  type Censor,
  type ChildLevelMethods,
  createLogger,
  type FileTransport,
  type Logger,
  type LoggerOptions,
  registerTransport,
  type RedactOptions,
  type StdSerializerName,
  type TransportServices,
  type ValidatingTransport,
} from 'streamlog';
import { batchOptionsShape } from 'streamlog/plugin';
import { z } from 'zod';

// pino's name for custom levels gives the methods too, and such a logger is pino's Logger<'audit'>.
const audited = createLogger({ exitFlush: false, customLevels: { audit: 35 } });
audited.audit('who did what');
function auditWith(log: PinoLogger<'audit'>): void {
  log.audit('through a pino-typed parameter');
}
auditWith(audited);
auditWith(createLogger({ exitFlush: false, levels: { audit: 35 } }));

// Options held in a variable typed LoggerOptions: the built-in methods, and no others.
const options: LoggerOptions = { exitFlush: false, level: 'info', transports: undefined };
const fromOptions = createLogger(options);
fromOptions.info('fine');
// @ts-expect-error a misspelt level method
fromOptions.inof('typo');

// A logger of only custom levels, and its children, keep their methods and are still Loggers.
const onlyAudit = createLogger({ exitFlush: false, levels: { audit: 35 }, useOnlyCustomLevels: true, level: 'audit' });
onlyAudit.audit('kept');
onlyAudit.child({ requestId: 'r1' }).audit('and in a child');
export const onlyAsLogger: Logger = onlyAudit;

// onChild with its parameter named.
fromOptions.onChild = (child: Logger) => child.info('a child was made');

// Events of a transport of its own kind are typed.
fromOptions.transport<FileTransport>('app')?.on('progress', (progress) => progress.bytesWritten + progress.lines);
fromOptions.transport<ValidatingTransport>('checked')?.on('invalidData', (event) => event.errors.length);
fromOptions.transport<FileTransport>('app')?.on('deliveryFailed', (records, reason) => records.length + reason.message);

// A censor written for the values it expects, as pino's typing allows.
const last4 = (value: string) => value.slice(-4);
createLogger({ exitFlush: false, redact: { paths: ['card'], censor: last4 } });
export const censor: Censor = last4;
export const redact: RedactOptions = { paths: ['card'], censor: '[x]' };

// pino's own options type, hooks and transport included.
const pinoOptions: PinoOptions = {
  level: 'info',
  redact: ['password'],
  hooks: {
    logMethod(args, method) {
      method.apply(this, args);
    },
  },
  transport: { targets: [{ target: 'pino/file', options: { destination: 1 }, level: 'info' }] },
};
createLogger(pinoOptions);

// A batch transport registered from the plugin shape, its parsed options passed on.
const insertInto =
  (table: string): BatchProcessor =>
  async (records) => {
    void table;
    void records.length;
  };
registerTransport('db', {
  schema: z.strictObject({ ...batchOptionsShape, table: z.string() }),
  create: (parsed) => new BatchTransport(insertInto(parsed.table), parsed),
});

// Types a service or a plugin names.
export type Child = ChildLevelMethods<'notice'>;
export type Services = TransportServices;
export const serializerName: StdSerializerName = 'err';
