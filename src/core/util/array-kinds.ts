/*
 * An empty array made by `[]` holds small integers until its first push of anything else
 * turns it into an array of values (or of doubles). Compiled code that had seen both kinds at
 * a push site checks for a small integer on the first kind and throws itself away when the
 * value is not one: the lines, records and owners a batch gathers did that once per compile
 * of the call chain that reaches them (the router's `route`, a transport's `handle`: 10–20 ms
 * of the compiler's time each, paid again when they are compiled anew). An array that starts
 * in the kind it will hold keeps one kind, and its push sites one shape.
 */

/** An empty array that holds any values from the start (see above). */
export function objectList<T>(): T[] {
  const list: unknown[] = [undefined];
  list.length = 0;
  return list as T[];
}

/** An empty array of numbers that holds doubles from the start (times since the epoch are not small integers). */
export function doubleList(): number[] {
  const list = [0.5];
  list.length = 0;
  return list;
}
