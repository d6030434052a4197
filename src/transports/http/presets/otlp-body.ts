import type { LogRecord } from '../../../core/record/log-record.js';
import { lendBuffer, takeBack } from './body-buffers.js';
import { ascii, ByteWriter } from './byte-writer.js';
import { resourceOf, severityJson } from './otlp-keys.js';
import { OtlpLine } from './otlp-line.js';
import { anyValueJson } from './otlp-values.js';
import { unixNanos } from './unix-nanos.js';

/**
 * An OTLP/HTTP JSON ExportLogsServiceRequest written as UTF-8 bytes straight from each
 * record's line: keys, strings and numbers are copied as the line has them (never parsed
 * and encoded again), level, time and message come from the public record, and nothing per
 * record is built as a string. One writer and one reader serve every body (a body is made
 * without yielding).
 */

const QUOTE = 34;
const COMMA = 44;
const OPEN_BRACE = 123;
const OPEN_BRACKET = 91;
const LOWER_N = 110;
const LOWER_T = 116;
const LOWER_F = 102;

const KEY_OPEN = ascii('{"key":');
const STRING_VALUE = ascii(',"value":{"stringValue":');
const BOOL_VALUE = ascii(',"value":{"boolValue":');
const INT_VALUE = ascii(',"value":{"intValue":');
const DOUBLE_VALUE = ascii(',"value":{"doubleValue":');
const NULL_VALUE = ascii(',"value":{}}');
const NESTED_VALUE = ascii(',"value":');
const SCALAR_CLOSE = ascii('}}');
const TRACE_ID = ascii('],"traceId":');
const SPAN_ID = ascii(',"spanId":');
const FLAGS = ascii(',"flags":');
const RESOURCE_OPEN = ascii('{"resource":');
const SCOPE_OPEN = ascii(',"scopeLogs":[{"scope":{"name":"streamlog"},"logRecords":[');
const SCOPE_CLOSE = ascii(']}]}');
const BODY_START = ascii('{"resourceLogs":[');
const BODY_END = ascii(']}');
const COMMA_BYTES = ascii(',');

const line = new ByteWriter(4096);
const reader = new OtlpLine();

let lastTime = Number.NaN;
let times = '';
/**
 * Loki's OTLP endpoint, like its push API, keeps one entry per stream, nanosecond and line:
 * two records of a millisecond with one message (a retry loop's line; fields that differ do
 * not count, Loki compares the line alone) were one in Loki, both counted delivered. So each
 * record after the first of its millisecond gets the next nanosecond: a run of records of one
 * time in a body starts at the millisecond's next free nanosecond, which its first record
 * keeps, with the run's length, for a resend of the batch (the same nanoseconds again, a copy
 * Loki drops as one); records past that length in a resent run take free ones.
 * Records in the run after the first: `sameTime`; the run's first nanosecond: `runBase`.
 */
let sameTime = 0;
let runBase = 0;
/** The run's first record, and how many of its records had their nanoseconds before (a resend). */
let runFirst: LogRecord | undefined;
let runKnown = Number.POSITIVE_INFINITY;
/** Per whole millisecond of the last few thousand, its next free nanosecond. */
const nextFree = new Map<number, number>();
/**
 * The latest millisecond forgotten from nextFree, and the most nanoseconds a forgotten one had
 * taken: a wall clock set back (NTP, a VM's clock corrected) logs again at milliseconds used
 * long ago, whose nanoseconds from 0 on may be taken (Loki then dropped the later record of a
 * line). Those start past what any forgotten millisecond took, never at 0.
 */
let forgottenUpTo = Number.NEGATIVE_INFINITY;
let forgottenTaken = 0;

/** The next free nanosecond of the millisecond `time`, as far as is known. */
function freeAt(time: number): number {
  return nextFree.get(time) ?? (time <= forgottenUpTo ? forgottenTaken : 0);
}
/** A run's first record → the run's first nanosecond · RUN_SCALE + the run's length. */
const runStarts = new WeakMap<LogRecord, number>();
const RUN_SCALE = 2 ** 20;

/** A run's first record, at the first nanosecond free or that it had. */
function startRun(record: LogRecord): void {
  const known = runStarts.get(record);
  runFirst = record;
  if (known === undefined) {
    runBase = freeAt(record.time);
    runKnown = Number.POSITIVE_INFINITY;
  } else {
    runBase = Math.floor(known / RUN_SCALE);
    runKnown = known % RUN_SCALE;
  }
}

/** A record of a resent run past those it had: from here on, free nanoseconds. */
function passKnown(): void {
  const free = freeAt(lastTime);
  if (runBase + sameTime < free) runBase = free - sameTime;
  runKnown = Number.POSITIVE_INFINITY;
}

/** Ends the run of records of `lastTime`: its nanoseconds are taken. */
function endRun(): void {
  if (!bumpable) return;
  const next = runBase + sameTime + 1;
  // A run first sent keeps where it started and its length (a resent one keeps what it had).
  if (runFirst !== undefined && !runStarts.has(runFirst)) {
    runStarts.set(runFirst, runBase * RUN_SCALE + Math.min(sameTime + 1, RUN_SCALE - 1));
  }
  runFirst = undefined;
  if (next > freeAt(lastTime)) nextFree.set(lastTime, next);
  // Records come in time order: the milliseconds of the last few seconds are enough.
  if (nextFree.size > 4096) {
    const [time, taken] = nextFree.entries().next().value!;
    nextFree.delete(time);
    if (time > forgottenUpTo) forgottenUpTo = time;
    if (taken > forgottenTaken) forgottenTaken = taken;
  }
}
/** Whether the time is whole milliseconds that can take six more digits (a uint64 holds). */
let bumpable = false;
/**
 * Where the last six digits of timeUnixNano and of observedTimeUnixNano are in `head`: a
 * record after the first of its millisecond is the head with those digits written over.
 */
let timeDigitsAt = 0;
let observedDigitsAt = 0;
let lastSeverity = '';
/** The last message's bytes as its line had them (length −1: none; −2: none seen yet), and its JSON. */
const lastMessage = new ByteWriter(256);
let lastMessageLength = -2;
let message = '""';
/** Everything before a record's first attribute, for the last time, severity and message seen. */
let head = ascii('');

/** The largest whole millisecond whose nanoseconds fit in a uint64 (as unixNanos has it). */
const LAST_WHOLE_MS = Number(((1n << 64n) - 1n) / 1_000_000n);
/** The three ASCII digits of 0 to 999, three bytes each. */
const THREE_DIGITS = ascii(Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0')).join(''));

/** `nanos` (under a million) as six digits at `at`: twice a record, a loop of divisions showed. */
function writeNanoDigits(bytes: Uint8Array, at: number, nanos: number): void {
  const high = (nanos / 1000) | 0;
  const h = high * 3;
  const l = (nanos - high * 1000) * 3;
  bytes[at] = THREE_DIGITS[h]!;
  bytes[at + 1] = THREE_DIGITS[h + 1]!;
  bytes[at + 2] = THREE_DIGITS[h + 2]!;
  bytes[at + 3] = THREE_DIGITS[l]!;
  bytes[at + 4] = THREE_DIGITS[l + 1]!;
  bytes[at + 5] = THREE_DIGITS[l + 2]!;
}

/** Is this JSON number an integer that a double holds exactly (15 digits always are)? */
function isInteger(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c === 46 || c === 101 || c === 69) return false; // . e E
  }
  return end - start <= 15 || Number.isSafeInteger(Number(b.toString('latin1', start, end)));
}

/** One attribute: `{"key":…,"value":…}` with the raw value as its AnyValue. */
function writeAttribute(
  out: ByteWriter,
  b: Buffer,
  keyStart: number,
  keyEnd: number,
  start: number,
  end: number,
): void {
  out.putPiece(KEY_OPEN);
  out.put(b, keyStart, keyEnd);
  writeValue(out, b, start, end);
}

/** `,"value":…}`: the raw value as its AnyValue, closing the attribute. */
function writeValue(out: ByteWriter, b: Buffer, start: number, end: number): void {
  const first = b[start];
  let opening: Uint8Array;
  if (first === QUOTE) opening = STRING_VALUE;
  else if (first === LOWER_T || first === LOWER_F) opening = BOOL_VALUE;
  else if (first === LOWER_N) {
    out.putPiece(NULL_VALUE);
    return;
  } else if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    out.putPiece(NESTED_VALUE);
    out.text(anyValueJson(JSON.parse(b.toString('utf8', start, end))));
    // An AnyValue can be longer than its JSON: the rest of the record's room is asked for again.
    out.room(reserved);
    out.putByte(125);
    return;
  } else opening = isInteger(b, start, end) ? INT_VALUE : DOUBLE_VALUE;
  out.putPiece(opening);
  out.put(b, start, end);
  out.putPiece(SCALAR_CLOSE);
}

/**
 * Is the raw value W3C's trace flags, a run of digits of at most 255? `flags` is a fixed32, but
 * only its low byte is the trace flags: logs.proto says the 24 bits above must be 0.
 */
function isFlags(b: Buffer, start: number, end: number): boolean {
  if (end <= start || end - start > 3) return false;
  for (let i = start; i < end; i++) if (b[i]! < 48 || b[i]! > 57) return false;
  return end - start < 3 || Number(b.toString('latin1', start, end)) <= 255;
}

/**
 * Is the raw value a string of `digits` hex digits (an id as OTLP's JSON has it: a collector
 * refuses the whole request for an id of any other length or with any other character)?
 */
function isHexId(b: Buffer, start: number, end: number, digits: number): boolean {
  if (end - start !== digits + 2 || b[start] !== QUOTE) return false;
  for (let i = start + 1; i < end - 1; i++) {
    const c = b[i]! | 32;
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

const NAME_KEY = ascii('"name"');
const TRACE_ID_KEY = ascii('"trace_id"');
const SPAN_ID_KEY = ascii('"span_id"');
const TRACE_FLAGS_KEY = ascii('"trace_flags"');

/**
 * A `trace_id`, `span_id` or `trace_flags` that is no OTLP id or flags (a UUID, a number, a
 * string of flags) as the attribute it is, not dropped nor sent where the collector would
 * refuse the request for it.
 */
function writeOwnAttribute(out: ByteWriter, b: Buffer, key: Uint8Array, start: number, end: number, n: number): void {
  if (n > 0) out.putByte(COMMA);
  out.putPiece(KEY_OPEN);
  out.putPiece(key);
  writeValue(out, b, start, end);
}

/**
 * Bytes of body an attribute takes beyond its key and value as the line has them: its key and
 * value wrapped in `{"key":…,"value":{"doubleValue":…}}` and a comma. The keys and values
 * written are ranges of the line, none twice, so a LogRecord beyond its head takes at most its
 * line's bytes, this per attribute (the line's and up to four own keys that are no ids), and
 * the ids' constant pieces (32 bytes). Asking for 8 bytes per line byte instead covered the
 * same, but asked a record of 8 MB for 64 MB (144 MB with a nested value), each body.
 */
const ATTRIBUTE_BYTES = 34;
/** The room asked for the LogRecord being written, beyond its head. */
let reserved = 0;

/**
 * One LogRecord, from the line the reader has just read (`lineBytes` long). Its room is asked
 * for once, from the line's length, and its pieces are then written without a check each.
 */
function writeLogRecord(out: ByteWriter, record: LogRecord, b: Buffer, lineBytes: number): void {
  // Records come in bursts within one millisecond, of one level and with one message: their
  // LogRecords start alike, up to the attributes.
  let changed = false;
  if (record.time !== lastTime) {
    endRun();
    lastTime = record.time;
    sameTime = 0;
    const nanos = unixNanos(record.time);
    times = `{"timeUnixNano":"${nanos}","observedTimeUnixNano":"${nanos}",`;
    // Below the last whole millisecond a uint64 holds (its six digits would overflow).
    bumpable = record.time < LAST_WHOLE_MS && nanos.length > 6 && nanos.endsWith('000000');
    // `{"timeUnixNano":"` is 17 characters, `","observedTimeUnixNano":"` 26 (all ASCII, as the digits).
    timeDigitsAt = 17 + nanos.length - 6;
    observedDigitsAt = timeDigitsAt + 26 + nanos.length;
    if (bumpable) {
      startRun(record);
    }
    changed = true;
  } else if (++sameTime >= runKnown && bumpable) passKnown();
  const severity = severityJson(record.level, record.label);
  if (severity !== lastSeverity) {
    lastSeverity = severity;
    changed = true;
  }
  if (!sameMessage(b)) {
    message = messageJson(b);
    changed = true;
  }
  if (changed) {
    head = ascii(`${times}${severity},"body":{"stringValue":${message}},"attributes":[`);
  }
  reserved = lineBytes + ATTRIBUTE_BYTES * (reader.count + 4) + 64;
  out.room(head.length + reserved);
  const headAt = out.at;
  out.putPiece(head);
  const nanos = runBase + sameTime;
  if (nanos !== 0 && bumpable && nanos < 1_000_000) {
    writeNanoDigits(out.bytes, headAt + timeDigitsAt, nanos);
    writeNanoDigits(out.bytes, headAt + observedDigitsAt, nanos);
  }
  const ranges = reader.ranges;
  for (let i = 0; i < reader.count; i++) {
    if (i > 0) out.putByte(COMMA);
    const at = i * 4;
    writeAttribute(out, b, ranges[at]!, ranges[at + 1]!, ranges[at + 2]!, ranges[at + 3]!);
  }
  const own = reader.own;
  // trace_id, span_id (hex strings) and trace_flags (digits), as the line has them.
  const traceId = own[6]! >= 0 && isHexId(b, own[6]!, own[7]!, 32);
  const spanId = own[8]! >= 0 && isHexId(b, own[8]!, own[9]!, 16);
  const flags = own[10]! >= 0 && isFlags(b, own[10]!, own[11]!);
  // A name that is no string is no service.name (the resource says unknown_service): an attribute.
  const otherName = own[0]! >= 0 && b[own[0]!] !== QUOTE;
  if (otherName || (own[6]! >= 0 && !traceId) || (own[8]! >= 0 && !spanId) || (own[10]! >= 0 && !flags)) {
    let n = reader.count;
    if (otherName) writeOwnAttribute(out, b, NAME_KEY, own[0]!, own[1]!, n++);
    if (own[6]! >= 0 && !traceId) writeOwnAttribute(out, b, TRACE_ID_KEY, own[6]!, own[7]!, n++);
    if (own[8]! >= 0 && !spanId) writeOwnAttribute(out, b, SPAN_ID_KEY, own[8]!, own[9]!, n++);
    if (own[10]! >= 0 && !flags) writeOwnAttribute(out, b, TRACE_FLAGS_KEY, own[10]!, own[11]!, n++);
  }
  if (traceId) {
    out.putPiece(TRACE_ID);
    out.put(b, own[6]!, own[7]!);
  } else out.putByte(93);
  if (spanId) {
    out.putPiece(SPAN_ID);
    out.put(b, own[8]!, own[9]!);
  }
  if (flags) {
    out.putPiece(FLAGS);
    out.put(b, own[10]!, own[11]!);
  }
  out.putByte(125);
}

/** The raw JSON of one of the reader's own values (name 0, pid 1, hostname 2), or undefined. */
function ownValue(b: Buffer, which: number): string | undefined {
  const start = reader.own[which * 2]!;
  return start < 0 ? undefined : b.toString('utf8', start, reader.own[which * 2 + 1]!);
}

/** The message's place among the reader's own values. */
const MESSAGE = 6;

/**
 * Has the line the last line's message? Remembers it when not. Read from the line, not the
 * record: a `hooks.streamWrite` that masks a card number in the line masks it in the body too,
 * and one that takes the message out leaves the body empty (before, the record's message
 * went out whole there).
 */
function sameMessage(b: Buffer): boolean {
  const start = reader.own[MESSAGE * 2]!;
  if (start < 0) {
    if (lastMessageLength === -1) return true;
    lastMessageLength = -1;
    return false;
  }
  const length = reader.own[MESSAGE * 2 + 1]! - start;
  if (length === lastMessageLength && sameBytes(b, start, lastMessage.bytes, length)) return true;
  lastMessageLength = length;
  lastMessage.reset();
  lastMessage.copy(b, start, start + length);
  return false;
}

function sameBytes(b: Buffer, start: number, last: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (b[start + i] !== last[i]) return false;
  return true;
}

/** The body's stringValue: the line's message as JSON text, a message that is no string (a hook's) as its text. */
function messageJson(b: Buffer): string {
  const start = reader.own[MESSAGE * 2]!;
  if (start < 0) return '""';
  const text = b.toString('utf8', start, reader.own[MESSAGE * 2 + 1]!);
  return b[start] === QUOTE ? text : JSON.stringify(text);
}

/** Have the line's name, pid and hostname the bytes of the last line's? */
const lastOwn = new ByteWriter(256);
const lastOwnLengths = new Int32Array(3).fill(-2);

function sameResource(b: Buffer): boolean {
  const own = reader.own;
  let at = 0;
  for (let which = 0; which < 3; which++) {
    const start = own[which * 2]!;
    const length = start < 0 ? -1 : own[which * 2 + 1]! - start;
    if (length !== lastOwnLengths[which]) return false;
    for (let i = 0; i < length; i++) if (b[start + i] !== lastOwn.bytes[at + i]) return false;
    if (length > 0) at += length;
  }
  return true;
}

function rememberResource(b: Buffer): void {
  const own = reader.own;
  lastOwn.reset();
  for (let which = 0; which < 3; which++) {
    const start = own[which * 2]!;
    lastOwnLengths[which] = start < 0 ? -1 : own[which * 2 + 1]! - start;
    if (start >= 0) lastOwn.copy(b, start, own[which * 2 + 1]!);
  }
}

/**
 * A line the reader could not read to its end (a `hooks.streamWrite` hook wrote it with spaces
 * between tokens): read again written compact, so no field after a space is lost nor copied
 * with the space into the body; a line that is no JSON object at all is the body, and is sent
 * whole as the attribute `log.record.original` too (OpenTelemetry's name for it).
 */
function readAgain(record: LogRecord): void {
  const text = record.json().replace(/\r?\n$/, '');
  let compact: string;
  try {
    const parsed: unknown = JSON.parse(text);
    const object = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    compact = object ? JSON.stringify(parsed) : original(record, text);
  } catch {
    compact = original(record, text);
  }
  line.reset();
  line.text(compact);
  reader.read(line.bytes, 0, line.at);
}

function original(record: LogRecord, text: string): string {
  return JSON.stringify({ [record.messageKey]: text, 'log.record.original': text });
}

let starts = new Int32Array(0);
let ends = new Int32Array(0);
let groupOf = new Int32Array(0);
let lastResource = '';
let lastResourceBytes = ascii('{}');

/** Bytes of body per record, as last made: a body's buffer is sized from it, and rarely grows. */
let bytesPerRecord = 512;
/** The most a body's buffer starts at; beyond it, it grows as it is written. */
const MAX_FIRST_SIZE = 4 * 1024 * 1024;

/**
 * The records' ExportLogsServiceRequest, grouped by resource in order of first appearance.
 * Written into a buffer of its own, handed out as it is (nearly every body has one resource:
 * its LogRecords are written in place, under the first record's resource).
 */
export function otlpBodyBytes(records: readonly LogRecord[]): Buffer {
  // Bounded: after a body of one huge record, a thousand small ones must not ask for gigabytes.
  const out = new ByteWriter(
    0,
    lendBuffer(Math.min(MAX_FIRST_SIZE, Math.ceil(records.length * bytesPerRecord * 1.1) + 256)),
  );
  // Per record: where its LogRecord starts and ends in `out`, and its resource's group.
  if (starts.length < records.length) {
    starts = new Int32Array(records.length);
    ends = new Int32Array(records.length);
    groupOf = new Int32Array(records.length);
  }
  const groups: Uint8Array[] = [];
  const groupByResource = new Map<string, number>();
  let group = -1;
  // Each body's first record starts a run of its time (see runStarts).
  endRun();
  lastTime = Number.NaN;
  bumpable = false;
  out.piece(BODY_START);
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    line.reset();
    line.text(record.json());
    reader.setMessageKey(record.messageKey);
    reader.read(line.bytes, 0, line.at);
    if (!reader.whole) readAgain(record);
    const b = line.bytes;
    if (group < 0 || !sameResource(b)) {
      rememberResource(b);
      const resource = resourceOf(ownValue(b, 0), ownValue(b, 1), ownValue(b, 2));
      if (resource !== lastResource) {
        lastResource = resource;
        lastResourceBytes = ascii(resource);
      }
      group = groupByResource.get(resource) ?? -1;
      if (group < 0) {
        group = groups.length;
        groups.push(lastResourceBytes);
        groupByResource.set(resource, group);
      }
      if (i === 0) {
        out.piece(RESOURCE_OPEN);
        out.piece(lastResourceBytes);
        out.piece(SCOPE_OPEN);
      }
    }
    if (i > 0) out.byte(COMMA);
    starts[i] = out.at;
    writeLogRecord(out, record, b, line.at);
    ends[i] = out.at;
    groupOf[i] = group;
  }
  endRun();
  if (records.length > 0) bytesPerRecord = Math.max(64, out.at / records.length);
  // The line's buffer is kept from body to body, but not at the size of a huge record.
  line.shrink(1024 * 1024, 4096);
  if (groups.length <= 1) {
    if (groups.length === 1) out.piece(SCOPE_CLOSE);
    out.piece(BODY_END);
    return out.bytes.subarray(0, out.at);
  }
  // Records of several resources: each group's LogRecords together, in order.
  const parts: Uint8Array[] = [BODY_START];
  for (let g = 0; g < groups.length; g++) {
    if (g > 0) parts.push(COMMA_BYTES);
    parts.push(RESOURCE_OPEN, groups[g]!, SCOPE_OPEN);
    let first = true;
    for (let i = 0; i < records.length; i++) {
      if (groupOf[i] !== g) continue;
      if (!first) parts.push(COMMA_BYTES);
      first = false;
      parts.push(out.bytes.subarray(starts[i]!, ends[i]!));
    }
    parts.push(SCOPE_CLOSE);
  }
  parts.push(BODY_END);
  const body = Buffer.concat(parts);
  takeBack(out.bytes);
  return body;
}
