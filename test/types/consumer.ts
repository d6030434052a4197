/**
 * Compiled by `npm run typecheck` (strict), never run: what a TypeScript user writes must
 * type-check, and the mistakes marked @ts-expect-error must not.
 */
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { BaseLogger } from 'pino';
import { BatchTransport, createLogger, type Logger, type StreamlogConfig } from '../../src/index.js';

const log = createLogger({ exitFlush: false, transports: [{ type: 'memory' }] });

// The logger is a Fastify logger and a pino BaseLogger, without a cast.
Fastify({ loggerInstance: log });
export const asFastify: FastifyBaseLogger = log;
export const asPino: BaseLogger = log;
export const child: Logger = log.child({ reqId: 'r1' }, { level: 'debug', msgPrefix: '[req] ' });

// Custom levels are typed methods.
const audited = createLogger({ exitFlush: false, levels: { audit: 35, notice: 33 } });
audited.audit({ userId: 7 }, 'password changed');
audited.notice('hello');
// @ts-expect-error not a level of this logger
audited.verbose('no such level');

// Transport entries are checked by type.
createLogger({ transports: [{ type: 'file', path: 'logs/app.log', rotate: { size: '10MB' } }] });
// @ts-expect-error misspelt option
createLogger({ transports: [{ type: 'file', pth: 'logs/app.log' }] });
// @ts-expect-error misspelt type
createLogger({ transports: [{ type: 'fiel', path: 'logs/app.log' }] });
// @ts-expect-error an option of another transport
createLogger({ transports: [{ type: 'console', maxRecords: 10 }] });
// Formats are checked by name, and their options by the formatter.
createLogger({
  transports: [
    { type: 'console', format: { type: 'pretty', utc: true } },
    { type: 'memory', format: 'text' },
  ],
});
// @ts-expect-error misspelt format (before, any text compiled and createLogger threw)
createLogger({ transports: [{ type: 'console', format: 'jsno' }] });
// @ts-expect-error an option of another formatter
createLogger({ transports: [{ type: 'console', format: { type: 'json', utc: true } }] });
// Plugin modules are not checked: their schema is only known at run time.
createLogger({ transports: [{ module: './plugins/kafka.js', brokers: ['b1'] }] });

// A config typed by the library's own config type goes to createLogger as it is, its entries checked.
const typedConfig: StreamlogConfig = { level: 'info', transports: [{ type: 'file', path: 'logs/app.log' }] };
createLogger(typedConfig);
// @ts-expect-error misspelt option in a typed config
export const misspelt: StreamlogConfig = { transports: [{ type: 'file', pth: 'logs/app.log' }] };

// A batch transport's own events are typed: the record given up on and why.
new BatchTransport(async () => {}).on('itemFailed', (record, reason) => `${String(record.msg)}: ${reason.message}`);
