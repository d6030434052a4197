// A strict TypeScript CommonJS consumer of the built package (compiled by test/types/consumers.test.ts, never run).
import { fastify } from 'fastify';
import { pinoHttp } from 'pino-http';
import { createLogger, type Logger } from 'streamlog';
import { parseDuration, transportNames } from 'streamlog/plugin';

const log = createLogger({ exitFlush: false, transports: [{ type: 'memory' }] });

export const middleware = pinoHttp({ logger: log });
export const app = fastify({ loggerInstance: log });
const audited = createLogger({ exitFlush: false, levels: { audit: 35 } });
audited.audit('checked');
export const auditedMiddleware = pinoHttp({ logger: audited });
export const asLogger: Logger = log.child({ reqId: 'r1' });

export const ms: number | undefined = parseDuration('30s');
export const names: string[] = transportNames();
