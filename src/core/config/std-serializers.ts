import std from 'pino-std-serializers';
import type { Serializer } from '../logger/serializers.js';

/**
 * The standard serializers by name, from pino-std-serializers (what Fastify and pino-http
 * users expect): `req` (method, url, headers, remoteAddress, remotePort), `res`
 * (statusCode, headers), `err` (type, message, stack, code, cause…), `errWithCause`.
 */
export const stdSerializers: Readonly<Record<'err' | 'errWithCause' | 'req' | 'res', Serializer>> = Object.freeze({
  err: std.err,
  errWithCause: std.errWithCause,
  req: std.req,
  res: std.res,
});

export type StdSerializerName = keyof typeof stdSerializers;
