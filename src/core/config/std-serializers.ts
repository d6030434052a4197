import { loadStdSerializers } from '../util/load-std-serializers.cjs';
import type { Serializer } from '../logger/serializers.js';

/**
 * The standard serializers by name, from pino-std-serializers (what Fastify and pino-http
 * users expect): `req` (method, url, headers, remoteAddress, remotePort), `res`
 * (statusCode, headers), `err` (type, message, stack, code, cause…), `errWithCause`.
 */
export const stdSerializers: Readonly<Record<'err' | 'errWithCause' | 'req' | 'res', Serializer>> = Object.freeze({
  // Getters: the package is loaded when one is first used, and each is pino-std-serializers' own.
  get err() {
    return loadStdSerializers().err as Serializer;
  },
  get errWithCause() {
    return loadStdSerializers().errWithCause as Serializer;
  },
  get req() {
    return loadStdSerializers().req as Serializer;
  },
  get res() {
    return loadStdSerializers().res as Serializer;
  },
});

export type StdSerializerName = keyof typeof stdSerializers;
