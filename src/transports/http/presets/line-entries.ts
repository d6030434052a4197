/**
 * Reads top-level entries of a record's JSON line as raw JSON text, without parsing it: a
 * preset that wants a few fields of every record (Loki's labels, ClickHouse's columns) cuts
 * out their values instead of building an object per record. The line is the canonical one
 * a record makes: one JSON object, no whitespace between tokens, then "\n".
 */

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const UNDERSCORE = 95;

/** The index just past the string whose opening quote is at `start`. */
function endOfString(line: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = line.indexOf('"', at);
    if (quote < 0) return line.length;
    // A quote preceded by an odd run of backslashes is escaped.
    let backslashes = 0;
    while (line.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

/** The index just past the object or array that opens at `start`. */
function endOfNested(line: string, start: number): number {
  let depth = 0;
  let at = start;
  while (at < line.length) {
    const c = line.charCodeAt(at);
    if (c === QUOTE) {
      at = endOfString(line, at);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return at + 1;
    }
    at++;
  }
  return line.length;
}

/** The index just past the value that starts at `start`. */
function endOfValue(line: string, start: number): number {
  const c = line.charCodeAt(start);
  if (c === QUOTE) return endOfString(line, start);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) return endOfNested(line, start);
  // A number, true, false or null runs to the next comma or the closing brace.
  let at = start;
  while (at < line.length) {
    const d = line.charCodeAt(at);
    if (d === COMMA || d === CLOSE_BRACE) return at;
    at++;
  }
  return at;
}

/**
 * Picks the raw JSON values of a few wanted top-level keys out of lines, checking each key
 * in place and cutting out only the values wanted: for presets that want two or three
 * fields of every record. Of a key the line repeats, the last value, as JSON.parse reads it.
 */
export class LinePicker {
  private readonly keys: string[];
  private readonly values: (string | undefined)[];

  /** The wanted keys quoted as the line has them (`"userId"`), each once. */
  constructor(quotedKeys: readonly string[]) {
    this.keys = quotedKeys.map((key) => `${key}:`);
    this.values = new Array<string | undefined>(quotedKeys.length);
  }

  /** The wanted keys' values in this line, in the order the keys were given (undefined when absent). */
  pick(line: string): readonly (string | undefined)[] {
    const keys = this.keys;
    const values = this.values;
    values.fill(undefined);
    let at = 1;
    while (line.charCodeAt(at) === QUOTE) {
      let wanted = -1;
      for (let i = 0; i < keys.length; i++) {
        if (line.startsWith(keys[i]!, at)) {
          wanted = i;
          break;
        }
      }
      const keyEnd = wanted >= 0 ? at + keys[wanted]!.length - 1 : endOfString(line, at);
      const valueEnd = endOfValue(line, keyEnd + 1);
      if (wanted >= 0) values[wanted] = line.slice(keyEnd + 1, valueEnd);
      if (line.charCodeAt(valueEnd) !== COMMA) break;
      at = valueEnd + 1;
    }
    return values;
  }
}

/**
 * A record's line with each top-level key once, for backends that refuse an object that
 * repeats a key (Elasticsearch and OpenSearch answer "Duplicate field", ClickHouse's
 * JSONEachRow code 117), as a line does when a call's field is named like a child's binding.
 * A repeated key keeps its first place and its last value, as JSON.parse reads the line.
 * Keys in `reserved` (quoted, as the line has them, each starting with `_`) are renamed with
 * a leading `@` (another while that name is taken), as the line renames a field named like a
 * base key. A line with neither, nearly every line, is returned as it is, found so by
 * comparing its keys in place (no string made per key).
 */
export class TopLevelKeys {
  /** Per entry of the line last read: key start (its opening quote), key end (past its closing quote), value end. */
  private readonly entries: number[] = [];
  private line = '';
  /**
   * Whether the line last given was read to its closing brace. A line a `hooks.streamWrite`
   * rewrote with spaces between tokens is not (its keys are then unknown here).
   */
  whole = false;

  constructor(private readonly reserved: ReadonlySet<string> = new Set()) {}

  rewrite(line: string): string {
    const { entries, reserved } = this;
    this.line = line;
    entries.length = 0;
    let plain = true;
    let at = 1;
    let end = 1;
    while (line.charCodeAt(at) === QUOTE) {
      const keyEnd = endOfString(line, at);
      const valueEnd = endOfValue(line, keyEnd + 1);
      if (plain) {
        // Past 64 keys, comparing each with those before costs more than the map below.
        if (entries.length >= 3 * 64 || this.find(at, keyEnd) >= 0) plain = false;
        else if (line.charCodeAt(at + 1) === UNDERSCORE && reserved.has(line.slice(at, keyEnd))) plain = false;
      }
      entries.push(at, keyEnd, valueEnd);
      end = valueEnd;
      if (line.charCodeAt(valueEnd) !== COMMA) break;
      at = valueEnd + 1;
    }
    // Only a line read to its closing brace is rewritten: anything else goes as it came.
    this.whole = line.charCodeAt(end) === CLOSE_BRACE;
    if (plain || !this.whole) return line;
    // Each key (quoted) → its first entry's index; per first entry, the key's last entry.
    const first = new Map<string, number>();
    const last: number[] = [];
    for (let entry = 0; entry < entries.length / 3; entry++) {
      const key = line.slice(entries[entry * 3]!, entries[entry * 3 + 1]!);
      const seen = first.get(key);
      if (seen === undefined) first.set(key, entry);
      else last[seen] = entry;
      last.push(entry);
    }
    let out = '{';
    for (const [key, entry] of first) {
      let name = key;
      if (reserved.has(key)) {
        name = `"@${key.slice(1)}`;
        while (first.has(name)) name = `"@${name.slice(1)}`;
      }
      const kept = last[entry]! * 3;
      out += `${out.length > 1 ? ',' : ''}${name}${line.slice(entries[kept + 1]!, entries[kept + 2]!)}`;
    }
    return out + line.slice(end);
  }

  /** Whether the line last given to `rewrite` has this key (quoted) at its top level. */
  has(key: string): boolean {
    const { entries, line } = this;
    for (let i = 0; i < entries.length; i += 3) {
      if (entries[i + 1]! - entries[i]! === key.length && line.startsWith(key, entries[i]!)) return true;
    }
    return false;
  }

  /** The index of an entry read before whose key is the line's `[start, end)`, or −1. */
  private find(start: number, end: number): number {
    const { entries, line } = this;
    const length = end - start;
    for (let i = 0; i < entries.length; i += 3) {
      const from = entries[i]!;
      if (entries[i + 1]! - from !== length) continue;
      let same = true;
      for (let k = 1; k < length - 1; k++) {
        if (line.charCodeAt(from + k) !== line.charCodeAt(start + k)) {
          same = false;
          break;
        }
      }
      if (same) return i / 3;
    }
    return -1;
  }
}
