/** Copies an object's fields but a few keys into a fresh object. */
export type Pick = (object: Record<string, unknown>) => Record<string, unknown>;

interface Picker {
  /** Every key of the objects it fits, in for-in order, the left-out ones included. */
  keys: string[];
  /** The message key left out besides level, time and the configured message key. */
  taken: string;
  pick: Pick;
}

/** Pickers kept; a producer whose lines come in more shapes than this copies the rest key by key. */
const MAX_PICKERS = 8;
/** Objects with more keys than this are copied key by key (no function made for them). */
const MAX_PICKED_KEYS = 64;
/** Functions made per logger tree: shapes that keep coming and going stop making new ones. */
const MAX_MADE = 256;

/**
 * The fields of parsed lines, copied without `level`, `time` and the message keys. Lines
 * from one producer come in a few shapes (the same keys in the same order), so for a shape
 * seen twice in a row a function is made that copies it as one object literal: a fixed
 * layout made at once, where a key-by-key copy grows the object one property at a time.
 * Other objects are copied key by key.
 */
export class FieldPickers {
  private pickers: Picker[] = [];
  /** The keys of the last object no picker fitted, to make one if the next is the same. */
  private missed: string[] | undefined;
  private missedTaken = '';
  private made = 0;

  constructor(private readonly messageKey: string) {}

  /** `object`'s fields but level, time, the message key and `taken` (the key the message came from). */
  fields(object: Record<string, unknown>, taken: string): Record<string, unknown> {
    const pickers = this.pickers;
    for (let i = 0; i < pickers.length; i++) {
      const picker = pickers[i]!;
      if (picker.taken === taken && fits(object, picker.keys)) return picker.pick(object);
    }
    return this.miss(object, taken);
  }

  private miss(object: Record<string, unknown>, taken: string): Record<string, unknown> {
    const keys: string[] = [];
    for (const key in object) keys.push(key);
    if (
      this.made < MAX_MADE &&
      this.missed !== undefined &&
      taken === this.missedTaken &&
      keys.length <= MAX_PICKED_KEYS &&
      !keys.includes('__proto__') &&
      sameKeys(keys, this.missed)
    ) {
      this.missed = undefined;
      this.made++;
      const pick = this.make(keys, taken);
      if (pick === undefined) {
        // Code made from strings is refused (--disallow-code-generation-from-strings): no more tries.
        this.made = MAX_MADE;
        return copyFields(object, keys, this.messageKey, taken);
      }
      const picker = { keys, taken, pick };
      if (this.pickers.length >= MAX_PICKERS) this.pickers.pop();
      this.pickers.unshift(picker);
      return picker.pick(object);
    }
    this.missed = keys;
    this.missedTaken = taken;
    return copyFields(object, keys, this.messageKey, taken);
  }

  private make(keys: string[], taken: string): Pick | undefined {
    const kept = keys.filter((key) => !left(key, this.messageKey, taken));
    // Keys are written as JSON string literals, so no key can be read as code.
    const entries = kept.map((key) => `${JSON.stringify(key)}: o[${JSON.stringify(key)}]`);
    try {
      return new Function('o', `return { ${entries.join(', ')} };`) as Pick;
    } catch {
      return undefined;
    }
  }
}

function left(key: string, messageKey: string, taken: string): boolean {
  return key === 'level' || key === 'time' || key === messageKey || key === taken;
}

/** Whether the object's keys (for-in order) are exactly `keys`. */
function fits(object: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  for (const key in object) {
    if (key !== keys[i]) return false;
    i++;
  }
  return i === keys.length;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function copyFields(
  object: Record<string, unknown>,
  keys: readonly string[],
  messageKey: string,
  taken: string,
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const key of keys) {
    if (left(key, messageKey, taken)) continue;
    // JSON.parse makes "__proto__" an own key; an assignment would set the prototype instead.
    if (key === '__proto__') {
      Object.defineProperty(fields, key, { value: object[key], enumerable: true, writable: true, configurable: true });
    } else fields[key] = object[key];
  }
  return fields;
}
