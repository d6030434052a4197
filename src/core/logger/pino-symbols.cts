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

/** What a logger answers under those members. */
export interface PinoMembers<L> {
  /** An object's JSON as the logger binds it. */
  stringify(logger: L, value: unknown): string;
  /** The logger's bindings as its lines hold them (`,"key":value…`). */
  chindings(logger: L): string;
}

const SYMBOLS_MODULE = `${sep}pino${sep}lib${sep}symbols.js`;

/** The copies of pino (by their stringify symbol) whose members loggers answer to. */
const adopted = new Set<symbol>();

/**
 * Loggers of `prototype` answer to the two members for each copy of pino loaded now (a
 * service may hold more than one). Once per copy: it changes the prototype, so it is for where
 * pino-http makes its logger, not for every child.
 */
export function adoptPinoSymbols<L>(prototype: L, members: PinoMembers<L>): void {
  for (const [path, loaded] of Object.entries(require.cache)) {
    if (!path.endsWith(SYMBOLS_MODULE)) continue;
    const exports = loaded?.exports as { stringifySym?: unknown; chindingsSym?: unknown } | undefined;
    const stringify = exports?.stringifySym;
    const chindings = exports?.chindingsSym;
    if (typeof stringify !== 'symbol' || typeof chindings !== 'symbol' || adopted.has(stringify)) continue;
    adopted.add(stringify);
    Object.defineProperty(prototype, stringify, {
      configurable: true,
      value(this: L, value: unknown): string {
        return members.stringify(this, value);
      },
    });
    Object.defineProperty(prototype, chindings, {
      configurable: true,
      get(this: L): string {
        return members.chindings(this);
      },
    });
  }
}
