import { Stream } from 'node:stream';
import { loadStdSerializers } from '../util/load-std-serializers.cjs';
import type { SerializerSet } from './serializers.js';

/**
 * A bare Node request or response logged as the first argument becomes `{ req }` or
 * `{ res }`, as pino does: through the logger's own `req`/`res` serializer when it has
 * one, else the standard one (method, url, headers, remote address; status and headers).
 * Written out as it is, a request would carry its socket and `rawHeaders`, secrets that
 * the `req.headers.*` redaction paths never see.
 *
 * pino takes any object with a truthy `method`, `headers` and `socket` for a request, and
 * any with a `setHeader` function for a response: an RPC call's `{ method, headers, socket:
 * 'ws-7', amount }` lost every other field, and a Proxy answering every key became a request.
 * Here a request or response must be a stream, as Node's (http and http2, and what
 * light-my-request makes for Fastify's inject) are, or a framework's request that holds one
 * (Fastify's `raw`, Koa's socket): data never holds a stream. The caller asks only for
 * objects that are no object literal, so a plain call's fields pay for none of this.
 */
export function httpFields(value: object, serializers: SerializerSet): Record<string, unknown> | undefined {
  try {
    if (isRequest(value)) {
      return { req: serializers.all.req === undefined ? loadStdSerializers().req(value as never) : value };
    }
    if (isResponse(value)) {
      return { res: serializers.all.res === undefined ? loadStdSerializers().res(value as never) : value };
    }
  } catch {
    // A getter that throws (say `method`): the object is logged as fields, that getter marked in place.
  }
  return undefined;
}

function isRequest(value: object): boolean {
  const candidate = value as { method?: unknown; headers?: unknown; socket?: unknown; raw?: unknown };
  if (typeof candidate.method !== 'string') return false;
  const headers = candidate.headers;
  if (typeof headers !== 'object' || headers === null || !candidate.socket) return false;
  return value instanceof Stream || candidate.socket instanceof Stream || candidate.raw instanceof Stream;
}

function isResponse(value: object): boolean {
  return value instanceof Stream && typeof (value as { setHeader?: unknown }).setHeader === 'function';
}
