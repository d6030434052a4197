/*
 * Is an object one JSON writes as its own keys alone, for the walks that decide whether a
 * value may go to the native JSON.stringify? `Object.getPrototypeOf` is a call into V8's
 * runtime, about 8 ns an object: a third of the plain-tree probe's time on a chain of eleven
 * objects. Reading `constructor` is an ordinary property load, cheap even where many shapes
 * pass (a read of the `__proto__` accessor was cheaper on a few shapes only: on many it calls
 * the same runtime function, so it was not kept).
 *
 * An object literal's or JSON.parse's `constructor` is Object, and is taken at its word. So
 * is that of an object made by `Object.create(defaults)`: its prototype is another plain
 * object, and JSON and the careful walker both write its own keys, so it may be taken for
 * plain by callers that read own keys only (all of them here; a view handed to formatters
 * as it is must ask the prototype itself). Such an object is then written as an object
 * literal is (native stringify within the node budget). Any other answer (a class instance,
 * a null prototype, an own "constructor" key from parsed data, another realm's Object) is
 * decided by the prototype. An object of another kind whose `constructor` answers Object
 * (set on purpose, or a prototype swapped for an object literal) is written as JSON writes
 * it: its own enumerable keys, or for a boxed primitive what JSON makes of its value; the
 * line stays JSON either way (fieldsJson checks what it takes the members of). A
 * `constructor` getter is read here, once more than before; one that throws throws here:
 * every caller is ready for a throwing read, as it reads the caller's values too.
 */

const OBJECT_PROTO = Object.prototype;

/** May the object be written as its own keys alone (see above)? */
export function hasPlainPrototype(value: object): boolean {
  if ((value as { constructor?: unknown }).constructor === Object) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === OBJECT_PROTO || proto === null;
}
