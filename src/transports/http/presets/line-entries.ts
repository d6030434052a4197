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
