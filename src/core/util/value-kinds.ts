import { types } from 'node:util';

/*
 * What kind of built-in a logged value is, whichever realm made it. `instanceof` sees only
 * this realm's classes: an Error, Map, Set or Date made by `vm.runInNewContext` (or in a Jest
 * sandbox, or a jsdom window) answered false, and was written as `{}`, its cause left out, its
 * message left unredacted. The engine's brand checks answer for every realm, and are asked
 * only of what is no Object of this realm (another realm's values, and objects with no
 * prototype): this realm's objects are decided by `instanceof` as before (a Proxy of an Error
 * is one, a Map given another prototype is not), and pay one more link of their prototype
 * chain at most. Where a plain object passes often, put these behind a check that already
 * tells it apart, so it pays for none of them.
 */

/** Node 24's Error.isError where there is one (util.types.isNativeError is deprecated there). */
const brandedError: (value: unknown) => boolean =
  (Error as { isError?: (value: unknown) => boolean }).isError ?? types.isNativeError;

/** Made in another realm, or with no prototype: `instanceof` says nothing of what it is. */
function notOfThisRealm(value: unknown): boolean {
  return !(value instanceof Object);
}

/** An Error, made in this realm or another. */
export function isAnyError(value: unknown): value is Error {
  return value instanceof Error || (notOfThisRealm(value) && brandedError(value));
}

/** A Map, made in this realm or another. */
export function isAnyMap(value: unknown): value is Map<unknown, unknown> {
  return value instanceof Map || (notOfThisRealm(value) && types.isMap(value));
}

/** A Set, made in this realm or another. */
export function isAnySet(value: unknown): value is Set<unknown> {
  return value instanceof Set || (notOfThisRealm(value) && types.isSet(value));
}

/** A Date, made in this realm or another. */
export function isAnyDate(value: unknown): value is Date {
  return value instanceof Date || (notOfThisRealm(value) && types.isDate(value));
}

/** A boxed number, string or boolean (`new Number(3)`), made in this realm or another. */
export function isBoxedScalar(value: unknown): value is { valueOf(): number | string | boolean } {
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return true;
  return (
    notOfThisRealm(value) &&
    (types.isNumberObject(value) || types.isStringObject(value) || types.isBooleanObject(value))
  );
}
