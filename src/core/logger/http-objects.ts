import { loadStdSerializers } from '../util/load-std-serializers.cjs';
import type { SerializerSet } from './serializers.js';

/**
 * A bare Node request or response logged as the first argument becomes `{ req }` or
 * `{ res }`, as pino does: through the logger's own `req`/`res` serializer when it has
 * one, else the standard one (method, url, headers, remote address; status and headers).
 * Written out as it is, a request would carry its socket and `rawHeaders`, secrets that
 * the `req.headers.*` redaction paths never see.
 */
export function httpFields(value: object, serializers: SerializerSet): Record<string, unknown> | undefined {
  const candidate = value as { method?: unknown; headers?: unknown; socket?: unknown; setHeader?: unknown };
  try {
    if (candidate.method && candidate.headers && candidate.socket) {
      return { req: serializers.all.req === undefined ? loadStdSerializers().req(value as never) : value };
    }
    if (typeof candidate.setHeader === 'function') {
      return { res: serializers.all.res === undefined ? loadStdSerializers().res(value as never) : value };
    }
  } catch {
    // A getter that throws (say `method`): the object is logged as fields, that getter marked in place.
  }
  return undefined;
}
