/*
 * Prototype checks for the walks that decide whether a value may go to the native
 * JSON.stringify. `Object.getPrototypeOf` is a call V8 does not inline in these walks (about
 * 8 ns an object, a third of the plain-tree probe's time for a chain of eleven objects),
 * while a read of the `__proto__` accessor is inlined. So the accessor is asked first, and
 * only an answer other than Object.prototype goes on to `Object.getPrototypeOf`, which then
 * decides: null prototypes, an own key named "__proto__" (JSON.parse makes those), other
 * realms and class instances all get the exact answer.
 *
 * What the accessor can be told that `Object.getPrototypeOf` would not say is only what code
 * sets up on purpose (an own "__proto__" defined to be Object.prototype, a Proxy's `get`):
 * data, parsed or received, cannot do it.
 */

const OBJECT_PROTO = Object.prototype;

/** Node's `--disable-proto` removes the accessor or makes it throw: then only getPrototypeOf is asked. */
const ACCESSOR_READS = ((): boolean => {
  try {
    // biome-ignore lint/suspicious/noProto: checks that the accessor read below works here.
    return ({} as { __proto__?: unknown }).__proto__ === OBJECT_PROTO;
  } catch {
    return false;
  }
})();

/** Is the prototype Object.prototype (an object literal's, JSON.parse's)? */
export function hasObjectPrototype(value: object): boolean {
  // biome-ignore lint/suspicious/noProto: inlined by V8, where getPrototypeOf is a call (see above).
  if (ACCESSOR_READS && (value as { __proto__?: unknown }).__proto__ === OBJECT_PROTO) return true;
  return Object.getPrototypeOf(value) === OBJECT_PROTO;
}

/** Is the prototype Object.prototype or null: an object JSON writes as its own keys alone? */
export function hasPlainPrototype(value: object): boolean {
  // biome-ignore lint/suspicious/noProto: inlined by V8, where getPrototypeOf is a call (see above).
  if (ACCESSOR_READS && (value as { __proto__?: unknown }).__proto__ === OBJECT_PROTO) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === OBJECT_PROTO || proto === null;
}
