import { inspect } from 'node:util';
import { copiesNoted, copyOf } from '../record/redacted-copies.js';
import { isAnyMap, isAnySet } from '../util/value-kinds.js';

/*
 * `%s` of an object writes util.inspect of its redacted copy. The copy is made along the
 * censored paths only, so a value further down that refers back to the caller's object (a
 * cycle: `user.self = user`) still leads inspect to that original, secrets and all. Before
 * inspecting, a view of the copy is made in which every reference to an object that has a
 * redacted copy is the copy: cycles then show as inspect's `[Circular]`, censored.
 */

/** As deep as inspect is asked to show; deeper values are not shown, so not copied. */
const DEPTH = 4;
/** Entries of a Map or Set copied: with the one counting the rest, the 100 inspect shows. */
const SHOWN_ENTRIES = 99;
/** Containers copied into one view at most; past them a marker is shown. */
const MAX_NODES = 2_000;

const INSPECT_OPTIONS = { depth: DEPTH, breakLength: Number.POSITIVE_INFINITY };

/** util.inspect of a redacted value, back-references to its originals shown as the copies. */
export function inspectRedacted(value: unknown): string {
  if (!copiesNoted() || typeof value !== 'object' || value === null) return inspect(value, INSPECT_OPTIONS);
  return inspect(viewOf(value, 0, new Map(), { nodes: 0 }), INSPECT_OPTIONS);
}

function viewOf(value: unknown, depth: number, seen: Map<object, object>, count: { nodes: number }): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const target = copyOf(value) ?? value;
  const made = seen.get(target);
  if (made !== undefined) return made;
  if (depth > DEPTH) return target;
  // Plain containers, Maps and Sets are rebuilt; anything else is shown as inspect shows it.
  if (isAnyMap(target) || isAnySet(target)) {
    if (++count.nodes > MAX_NODES) return '[not shown: too many objects]';
    return collectionView(target, value, depth, seen, count);
  }
  const isArray = Array.isArray(target);
  const proto = Object.getPrototypeOf(target);
  if (!(isArray || proto === Object.prototype || proto === null)) return target;
  if (++count.nodes > MAX_NODES) return '[not shown: too many objects]';
  const view: Record<string | number, unknown> = isArray ? [] : Object.create(proto);
  seen.set(target, view);
  if (target !== value) seen.set(value, view);
  for (const key of Object.keys(target)) {
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (descriptor === undefined) continue;
    // A getter stays a getter (inspect shows `[Getter]`): reading it here would run it.
    if ('value' in descriptor) descriptor.value = viewOf(descriptor.value, depth + 1, seen, count);
    Object.defineProperty(view, key, descriptor);
  }
  return view;
}

function collectionView(
  target: Map<unknown, unknown> | Set<unknown>,
  value: object,
  depth: number,
  seen: Map<object, object>,
  count: { nodes: number },
): object {
  const view: Map<unknown, unknown> | Set<unknown> = isAnyMap(target) ? new Map() : new Set();
  seen.set(target, view);
  if (target !== value) seen.set(value, view);
  const next = (item: unknown): unknown => viewOf(item, depth + 1, seen, count);
  // As many entries as inspect shows, the last counting the rest: a view of a Map of a
  // million entries is not a copy of it.
  let shown = 0;
  if (isAnyMap(target)) {
    const map = view as Map<unknown, unknown>;
    for (const [key, item] of target) {
      if (shown++ === SHOWN_ENTRIES) break;
      map.set(next(key), next(item));
    }
    if (target.size > SHOWN_ENTRIES) map.set('…', `${target.size - SHOWN_ENTRIES} more entries`);
  } else {
    const set = view as Set<unknown>;
    for (const item of target) {
      if (shown++ === SHOWN_ENTRIES) break;
      set.add(next(item));
    }
    if (target.size > SHOWN_ENTRIES) set.add(`… ${target.size - SHOWN_ENTRIES} more items`);
  }
  return view;
}
