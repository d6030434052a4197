/**
 * Redaction's copies made for the line being built, each with the object it was copied from.
 * To the careful walker a copy is its original: an object that refers back to itself
 * (`req.self = req`) comes back through the original, which the copy's censored values are
 * not in; walked as a new object it wrote them in clear one level down. Now it is
 * "[Circular]", as it is when nothing is redacted.
 *
 * Kept in a short list (a Map past it), not a WeakMap: a WeakMap entry cost about 160 ns a
 * copy, on every redacted record, for the rare careful walk that reads it. They are
 * forgotten when a redacting logger's call ends, once a record's line is built, and wherever
 * else redaction runs without a line after it (a child's bindings), so no caller's object is
 * held past its call. A pair noted is true for good, so one left over is never wrong.
 */
const pairs: object[] = [];
const LIST_PAIRS = 32;
let overflow: Map<object, object[]> | undefined;

/**
 * Says that `copy` stands for `original` in the line being built: made by redaction, or by
 * the logger before it (the fields without the message key, with serializers applied, merged
 * with a mixin's). A copy may stand for several objects (a merge of two).
 */
export function noteCopy(copy: object, original: object): void {
  if (copy === original) return;
  // A copy of a copy (a second path through the same object) stands for the first original(s).
  const roots = originalsOf(original);
  if (roots.length === 0) notePair(copy, original);
  else for (const root of roots) notePair(copy, root);
}

/**
 * noteCopy for a copy the logger makes before redaction (the fields without the message key,
 * serialized, merged, shaped): only while a redacting call is under way. Without redaction
 * nothing is censored for a back-reference to undo, and the hot path pays nothing.
 */
export function noteCopyForRedaction(copy: object, original: object): void {
  if (calls > 0) noteCopy(copy, original);
}

function notePair(copy: object, root: object): void {
  if (pairs.length < LIST_PAIRS * 2) pairs.push(copy, root);
  else {
    overflow ??= new Map();
    const known = overflow.get(copy);
    if (known === undefined) overflow.set(copy, [root]);
    else if (!known.includes(root)) known.push(root);
  }
}

/**
 * Log calls of redacting loggers under way. A censor function or a serializer may log from
 * inside one, to any logger, between the call's redaction and its line: that nested record's
 * end must not forget the outer call's copies (its line then wrote a censored value in clear).
 */
let calls = 0;

/** A redacting logger's log call begins: copies are kept until it ends. */
export function enterRedactingCall(): void {
  calls++;
}

/** It ends: the copies it (and what it caused) noted are forgotten once no such call is under way. */
export function leaveRedactingCall(): void {
  if (--calls === 0) forgetNow();
}

/** Forgets the copies noted, unless a redacting log call is under way (it forgets them at its end). */
export function forgetCopies(): void {
  if (calls === 0) forgetNow();
}

function forgetNow(): void {
  if (pairs.length !== 0) pairs.length = 0;
  if (overflow !== undefined) overflow = undefined;
}

/** Whether any copy is noted: the walker asks nothing more of an object when none is. */
export function copiesNoted(): boolean {
  return pairs.length !== 0;
}

const NONE: readonly object[] = [];

/**
 * The copy noted last as standing for `original`, or undefined. The last: redaction copies
 * what the logger copied before it, so the last copy of an object is its censored one.
 */
export function copyOf(original: object): object | undefined {
  let found: object | undefined;
  if (overflow !== undefined) for (const [copy, roots] of overflow) if (roots.includes(original)) found = copy;
  if (found !== undefined) return found;
  for (let i = pairs.length - 1; i > 0; i -= 2) if (pairs[i] === original) return pairs[i - 1];
  return undefined;
}

/** The objects `copy` was made from (see noteCopy); none (no allocation) for any other object. */
export function originalsOf(copy: object): readonly object[] {
  let found: object[] | undefined;
  for (let i = 0; i < pairs.length; i += 2) {
    if (pairs[i] !== copy) continue;
    found ??= [];
    found.push(pairs[i + 1]!);
  }
  const more = overflow?.get(copy);
  if (more === undefined) return found ?? NONE;
  found ??= [];
  for (const root of more) if (!found.includes(root)) found.push(root);
  return found;
}
