/**
 * A class whose module is loaded when it is first used: constructed, extended, checked with
 * `instanceof`, or a static member read. The package exports the http, syslog and
 * validating transports this way, so an application that never uses them never loads them.
 */
// biome-ignore lint/suspicious/noExplicitAny: any class, whatever its constructor takes
export function lazyClass<C extends abstract new (...args: any[]) => unknown>(load: () => C): C {
  // A plain function as the target, so the facade can be called with `new` and extended.
  const stub = function lazyClassStub() {} as unknown as C;
  const facade: C = new Proxy(stub, {
    construct: (_stub, args, newTarget) =>
      Reflect.construct(load() as unknown as new () => object, args, newTarget === facade ? load() : newTarget),
    apply: () => {
      throw new TypeError(`Class constructor ${load().name} cannot be invoked without 'new'`);
    },
    get: (_stub, key) => Reflect.get(load(), key),
    set: (_stub, key, value) => Reflect.set(load(), key, value),
    has: (_stub, key) => Reflect.has(load(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(load()),
  });
  return facade;
}
