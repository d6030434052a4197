/*
 * pino-std-serializers is loaded when a standard serializer is first used (a request or
 * response logged, `serializers: ["err"]`), not when the package is. CommonJS in both
 * builds (.cts → .cjs), so `require` is synchronous here.
 */
import type * as Std from 'pino-std-serializers';

export type StdSerializersModule = typeof Std;

let loaded: StdSerializersModule | undefined;

export function loadStdSerializers(): StdSerializersModule {
  loaded ??= require('pino-std-serializers') as StdSerializersModule;
  return loaded;
}
