/*
 * pino-http reads two of pino's own members from the logger it is given, when its
 * `customProps` option is set: `logger[symbols.stringifySym](props)` and
 * `logger[symbols.chindingsSym]`, to tell whether the props are bound already. Each copy of
 * pino makes those symbols for itself (`Symbol('pino.stringify')`, not `Symbol.for`), so a
 * logger can only answer to them once it knows that copy. pino-http has loaded its pino by the
 * time it is handed a logger, so the copies are found among the modules already loaded;
 * nothing is loaded here. CommonJS in both builds (.cts → .cjs): `require.cache` is at hand.
 */
import { sep } from 'node:path';

/** The two symbols of one copy of pino. */
export interface PinoMemberSymbols {
  stringify: symbol;
  chindings: symbol;
}

const SYMBOLS_MODULE = `${sep}pino${sep}lib${sep}symbols.js`;

/** Every copy of pino loaded in this process (a service may hold more than one). */
export function loadedPinoSymbols(): PinoMemberSymbols[] {
  const found: PinoMemberSymbols[] = [];
  for (const [path, loaded] of Object.entries(require.cache)) {
    if (!path.endsWith(SYMBOLS_MODULE)) continue;
    const exports = loaded?.exports as { stringifySym?: unknown; chindingsSym?: unknown } | undefined;
    if (typeof exports?.stringifySym === 'symbol' && typeof exports.chindingsSym === 'symbol') {
      found.push({ stringify: exports.stringifySym, chindings: exports.chindingsSym });
    }
  }
  return found;
}
