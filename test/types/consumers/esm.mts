// A strict TypeScript ESM consumer of the built package (compiled by test/types/consumers.test.ts, never run).
import Fastify from 'fastify';
import { pinoHttp } from 'pino-http';
import { createLogger, type FileTransport, type Logger, MemoryTransport } from 'streamlog';
import { BatchTransport, registerTransport } from 'streamlog';
import { batchOptionsShape, durationSchema, parseSize, sizeSchema, transportNames } from 'streamlog/plugin';
import { z } from 'zod';

const log = createLogger({ exitFlush: false, transports: [{ type: 'memory', id: 'recent' }] });

// The logger goes to pino-http and Fastify as it is: no cast.
export const middleware = pinoHttp({ logger: log });
export const app = Fastify({ loggerInstance: log });
export const childMiddleware = pinoHttp({ logger: log.child({ service: 'api' }) });

// Custom levels are methods, and such a logger still fits.
const audited = createLogger({ exitFlush: false, levels: { audit: 35 } });
audited.audit({ userId: 7 }, 'password changed');
export const auditedMiddleware = pinoHttp({ logger: audited });

// A child with pino's customLevels option gets the methods it names.
const noisy = log.child({}, { customLevels: { notice: 33 } });
noisy.notice('hello');

// Transports by id, typed by the caller.
const recent = log.transport<MemoryTransport>('recent');
export const lines: string[] | undefined = recent?.lines();
log.transport<FileTransport>('app')?.on('progress', () => {});
export const asLogger: Logger = log;
export const memoryClass: typeof MemoryTransport = MemoryTransport;

// A plugin author: the option schemas and units come from streamlog/plugin.

const dbSchema = z.strictObject({ ...batchOptionsShape, table: z.string(), flushEvery: durationSchema.optional() });
registerTransport('db', {
  schema: dbSchema,
  create: (options) => new BatchTransport(async (records) => void records.length, { batch: options.batch }),
});
export const limit: number | undefined = parseSize('64KB');
export const names: string[] = transportNames();
export const sizes = sizeSchema;
