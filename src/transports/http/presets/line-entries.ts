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
 * Keys in `reserved` (quoted, as the line has them) are renamed with a leading `@` (another
 * while that name is taken), as the line renames a field named like a base key. After
 * `rewrite`, `has` tells whether the line has a key at its top level.
 */
export class TopLevelKeys {
  /** Per entry: key start (its opening quote), key end (past its closing quote), value end. */
  private readonly entries: number[] = [];
  /** Each key (quoted) → the index of its first entry. */
  private readonly first = new Map<string, number>();
  /** Per first entry: the index of the key's last entry. */
  private readonly last: number[] = [];

  constructor(private readonly reserved: ReadonlySet<string> = new Set()) {}

  rewrite(line: string): string {
    const { entries, first, last, reserved } = this;
    entries.length = 0;
    last.length = 0;
    first.clear();
    let repeated = false;
    let renamed = false;
    let at = 1;
    let end = 1;
    while (line.charCodeAt(at) === QUOTE) {
      const keyEnd = endOfString(line, at);
      const valueEnd = endOfValue(line, keyEnd + 1);
      const key = line.slice(at, keyEnd);
      const entry = entries.length / 3;
      const seen = first.get(key);
      if (seen === undefined) first.set(key, entry);
      else {
        repeated = true;
        last[seen] = entry;
      }
      last.push(entry);
      if (reserved.has(key)) renamed = true;
      entries.push(at, keyEnd, valueEnd);
      end = valueEnd;
      if (line.charCodeAt(valueEnd) !== COMMA) break;
      at = valueEnd + 1;
    }
    // Only a line read to its closing brace is rewritten: anything else goes as it came.
    if ((!repeated && !renamed) || line.charCodeAt(end) !== CLOSE_BRACE) return line;
    let out = '{';
    for (const [key, entry] of first) {
      let name = key;
      if (reserved.has(key)) {
        name = `"@${key.slice(1)}`;
        while (first.has(name)) name = `"@${name.slice(1)}`;
      }
      const from = entries[last[entry]! * 3 + 1]!;
      out += `${out.length > 1 ? ',' : ''}${name}${line.slice(from, entries[last[entry]! * 3 + 2]!)}`;
    }
    return out + line.slice(end);
  }

  /** Whether the line last rewritten has this key (quoted) at its top level. */
  has(key: string): boolean {
    return this.first.has(key);
  }
}
