/**
 * Reads a record's canonical JSON line, as UTF-8 bytes, into what OTLP makes of it: where
 * each attribute's key and raw value are, and the values that are the record's own OTLP
 * fields or its resource's. Nothing is parsed or copied out: the encoder copies the bytes.
 * The structural characters of JSON are ASCII and never part of a multi-byte character, so
 * byte offsets are safe in any script.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COLON = 58;
const SPACE = 32;

/** What one entry of a line is to OTLP. */
const ATTRIBUTE = 0;
const SKIP = 1;
const SERVICE = 2;
const PID = 3;
const HOSTNAME = 4;
const TRACE_ID = 5;
const SPAN_ID = 6;
const TRACE_FLAGS = 7;
const MESSAGE = 8;

/** Keys, quoted as the line has them, that are the record's own OTLP fields or its resource's. */
const OWN_KEYS: readonly (readonly [string, number])[] = [
  ['"level"', SKIP],
  ['"time"', SKIP],
  ['"name"', SERVICE],
  ['"pid"', PID],
  ['"hostname"', HOSTNAME],
  ['"trace_id"', TRACE_ID],
  ['"span_id"', SPAN_ID],
  ['"trace_flags"', TRACE_FLAGS],
];
const OWN_BYTES = OWN_KEYS.map(([key]) => Buffer.from(key));
const OWN_KINDS = OWN_KEYS.map(([, kind]) => kind);
/** The own keys by their length: most keys have a length no own key has, and are attributes at once. */
const BY_LENGTH: (number[] | undefined)[] = [];
for (let i = 0; i < 64; i++) BY_LENGTH.push(undefined);
OWN_BYTES.forEach((key, i) => {
  BY_LENGTH[key.length] ??= [];
  BY_LENGTH[key.length]!.push(i);
});

/** The index just past the string whose opening quote is at `start`. */
function endOfString(b: Uint8Array, start: number, end: number): number {
  let at = start + 1;
  while (at < end) {
    const c = b[at]!;
    if (c === QUOTE) return at + 1;
    at += c === BACKSLASH ? 2 : 1;
  }
  return end;
}

/** The index just past the value that starts at `start`. */
function endOfValue(b: Uint8Array, start: number, end: number): number {
  const first = b[start];
  if (first === QUOTE) return endOfString(b, start, end);
  let at = start;
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    while (at < end) {
      const c = b[at]!;
      if (c === QUOTE) {
        at = endOfString(b, at, end);
        continue;
      }
      if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
      else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return at + 1;
      }
      at++;
    }
    return end;
  }
  // A number, true, false or null runs to the next comma or the closing brace.
  while (at < end) {
    const c = b[at]!;
    if (c === COMMA || c === CLOSE_BRACE) return at;
    at++;
  }
  return at;
}

function sameBytes(b: Uint8Array, start: number, end: number, other: Uint8Array, from: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== other[from + i - start]) return false;
  return true;
}

/**
 * One reader for any number of lines (`read()` starts over). After a read: `count`
 * attributes in line order, each key once (a key the line repeats, as a field named like a
 * child's binding, keeps its first place and its last value, as JSON.parse reads the line),
 * `at(i)` giving their byte ranges; and the raw values of `name`, `pid`, `hostname`,
 * `trace_id`, `span_id`, `trace_flags` and the message (the last of each; start −1 when absent).
 */
export class OtlpLine {
  /** Per attribute: key start, key end (its quotes included), value start, value end. */
  ranges = new Int32Array(64);
  count = 0;
  /**
   * Whether the line was read to its closing brace, each key followed by its colon and value:
   * a line a `hooks.streamWrite` hook wrote with spaces between tokens is not.
   */
  whole = false;
  /**
   * Start and end of name, pid, hostname, trace_id, span_id, trace_flags and the message:
   * [2i] and [2i + 1].
   */
  readonly own = new Int32Array(14);
  private messageKey = new Uint8Array(0);
  private messageKeyText: string | undefined;
  /** Keys by their bytes, made only for lines with many keys, where a scan would be slow. */
  private index: Map<string, number> | undefined;

  /** The line's message key (unquoted): its entry is the record's body, not an attribute. */
  setMessageKey(key: string): void {
    if (key === this.messageKeyText) return;
    this.messageKeyText = key;
    this.messageKey = Buffer.from(JSON.stringify(key));
  }

  read(b: Buffer, start: number, end: number): void {
    this.count = 0;
    this.index = undefined;
    const own = this.own;
    for (let i = 0; i < 14; i += 2) own[i] = -1;
    this.whole = false;
    let at = start + 1;
    while (at < end) {
      const c = b[at]!;
      if (c === COMMA) {
        at++;
        continue;
      }
      // The closing brace ends the line; anything else unexpected too, rather than a guess.
      if (c !== QUOTE) {
        this.whole = c === CLOSE_BRACE;
        break;
      }
      const keyEnd = endOfString(b, at, end);
      if (b[keyEnd] !== COLON || b[keyEnd + 1]! <= SPACE) break;
      const valueEnd = endOfValue(b, keyEnd + 1, end);
      const kind = this.kindOf(b, at, keyEnd);
      if (kind === ATTRIBUTE) this.attribute(b, at, keyEnd, keyEnd + 1, valueEnd);
      else if (kind !== SKIP) {
        own[(kind - SERVICE) * 2] = keyEnd + 1;
        own[(kind - SERVICE) * 2 + 1] = valueEnd;
      }
      at = valueEnd;
    }
  }

  private kindOf(b: Uint8Array, start: number, end: number): number {
    const length = end - start;
    const messageKey = this.messageKey;
    if (length === messageKey.length && sameBytes(b, start, end, messageKey, 0)) return MESSAGE;
    const candidates = length < 64 ? BY_LENGTH[length] : undefined;
    if (candidates === undefined) return ATTRIBUTE;
    for (let k = 0; k < candidates.length; k++) {
      const i = candidates[k]!;
      if (sameBytes(b, start, end, OWN_BYTES[i]!, 0)) return OWN_KINDS[i]!;
    }
    return ATTRIBUTE;
  }

  private attribute(b: Buffer, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number): void {
    const found = this.find(b, keyStart, keyEnd);
    if (found >= 0) {
      this.ranges[found * 4 + 2] = valueStart;
      this.ranges[found * 4 + 3] = valueEnd;
      return;
    }
    if ((this.count + 1) * 4 > this.ranges.length) {
      const grown = new Int32Array(this.ranges.length * 2);
      grown.set(this.ranges);
      this.ranges = grown;
    }
    const at = this.count * 4;
    this.ranges[at] = keyStart;
    this.ranges[at + 1] = keyEnd;
    this.ranges[at + 2] = valueStart;
    this.ranges[at + 3] = valueEnd;
    this.index?.set(b.toString('latin1', keyStart, keyEnd), this.count);
    this.count++;
  }

  /** The attribute with this key so far, or −1. */
  private find(b: Buffer, start: number, end: number): number {
    const ranges = this.ranges;
    const length = end - start;
    if (this.index === undefined) {
      if (this.count < 32) {
        for (let i = 0; i < this.count; i++) {
          const from = ranges[i * 4]!;
          if (ranges[i * 4 + 1]! - from === length && sameBytes(b, start, end, b, from)) return i;
        }
        return -1;
      }
      this.index = new Map();
      for (let i = 0; i < this.count; i++) {
        this.index.set(b.toString('latin1', ranges[i * 4]!, ranges[i * 4 + 1]!), i);
      }
    }
    return this.index.get(b.toString('latin1', start, end)) ?? -1;
  }
}
