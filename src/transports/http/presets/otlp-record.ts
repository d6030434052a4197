import type { LogRecordImpl } from '../../../core/record/log-record.js';
import { endOfString, endOfValue, LineEntries } from './line-entries.js';
import { unixNanos } from './unix-nanos.js';
import {
  ATTRIBUTE,
  type LayoutBook,
  type LineKey,
  SERVICE,
  SKIP,
  type ScopeOtlp,
  SPAN_ID,
  TRACE_FLAGS,
  TRACE_ID,
} from './otlp-scope.js';
import { AttributeList, rawAnyValue } from './otlp-values.js';

const COMMA = 44;
const COLON = 58;
const CLOSE_BRACE = 125;

/**
 * What reading one line found: its attributes and the record's own OTLP fields. One, reused:
 * a body is built to the end without yielding.
 */
const found = { attributes: '', traceId: '', spanId: '', flags: '', service: undefined as string | undefined };

function clearFound(): void {
  found.attributes = '';
  found.traceId = '';
  found.spanId = '';
  found.flags = '';
  found.service = undefined;
}

/** An entry that is one of the record's own fields rather than an attribute. */
function noteOwnField(kind: number, value: string): void {
  const isString = value.charCodeAt(0) === 34;
  if (kind === TRACE_ID) found.traceId = isString ? `,"traceId":${value}` : '';
  else if (kind === SPAN_ID) found.spanId = isString ? `,"spanId":${value}` : '';
  else if (kind === TRACE_FLAGS) found.flags = /^\d+$/.test(value) ? `,"flags":${value}` : '';
  else if (kind === SERVICE) found.service = isString ? (JSON.parse(value) as string) : undefined;
}

const entries = new LineEntries();
const attributes = new AttributeList();

/** Reads any line entry by entry: what every line can be read with. */
function readEntries(line: string, scope: ScopeOtlp): void {
  clearFound();
  attributes.clear();
  const reader = entries.read(line);
  while (reader.next()) {
    const kind = scope.book.kindOf(reader.key);
    if (kind === ATTRIBUTE) attributes.set(reader.key, rawAnyValue(reader.value));
    else if (kind !== SKIP) noteOwnField(kind, reader.value);
  }
  found.attributes = attributes.json();
}

/** Where the line's entries after level, time and the bindings begin; -1 if it is not shaped so. */
function afterBindings(line: string, scope: ScopeOtlp): number {
  if (!line.startsWith('{"level":')) return -1;
  let at = endOfValue(line, 9);
  if (scope.timed) {
    if (!line.startsWith(',"time":', at)) return -1;
    at = endOfValue(line, at + 8);
  }
  return line.startsWith(scope.bindingsJson, at) ? at + scope.bindingsJson.length : -1;
}

/** Reads the entries from `start` on if they have exactly the keys of `layout`, in order. */
function readByLayout(line: string, start: number, layout: LineKey[], scope: ScopeOtlp): boolean {
  let at = start;
  let list = scope.bindingAttributes;
  clearFound();
  for (let i = 0; i < layout.length; i++) {
    const key = layout[i]!;
    if (line.charCodeAt(at) !== COMMA || !line.startsWith(key.text, at + 1)) return false;
    const valueStart = at + 1 + key.text.length;
    at = endOfValue(line, valueStart);
    if (key.kind === ATTRIBUTE) list += (list === '' ? '' : ',') + key.attribute!.entry(line.slice(valueStart, at));
    else if (key.kind !== SKIP) noteOwnField(key.kind, line.slice(valueStart, at));
  }
  if (line.charCodeAt(at) !== CLOSE_BRACE) return false;
  found.attributes = list;
  return true;
}

/** The keys of the entries from `start` on, or undefined if the line ends otherwise than expected. */
function layoutOf(line: string, start: number, book: LayoutBook): LineKey[] | undefined {
  const layout: LineKey[] = [];
  let at = start;
  while (line.charCodeAt(at) === COMMA) {
    const keyEnd = endOfString(line, at + 1);
    if (line.charCodeAt(keyEnd) !== COLON) return undefined;
    layout.push(book.lineKey(line.slice(at + 1, keyEnd)));
    at = endOfValue(line, keyEnd + 1);
  }
  return line.charCodeAt(at) === CLOSE_BRACE ? layout : undefined;
}

/** Reads a line by one of its logger's layouts, learning its layout if none fits. */
function readByLayouts(line: string, scope: ScopeOtlp): boolean {
  const book = scope.book;
  if (!book.usable || !book.tries()) return false;
  const start = afterBindings(line, scope);
  if (start < 0) return false;
  const layouts = book.layouts;
  for (let i = 0; i < layouts.length; i++) {
    if (readByLayout(line, start, layouts[i]!, scope)) {
      book.matched(i);
      return true;
    }
  }
  book.missed();
  if (!book.mayLearn()) return false;
  const layout = layoutOf(line, start, book);
  return layout !== undefined && book.learn(layout) && readByLayout(line, start, layout, scope);
}

let lastTime = Number.NaN;
let lastTimes = '';
let lastMsg: string | undefined;
let lastMsgJson = '""';

/**
 * One record as an OTLP LogRecord, read from its JSON line: the line holds the values as
 * they were at the log call (a caller may change its objects right after), and its keys and
 * strings are copied as they are, never parsed and re-encoded. `recordService()` then says
 * the service the record named itself, if it did.
 */
export function logRecordJson(record: LogRecordImpl, scope: ScopeOtlp): string {
  const line = record.json();
  if (!readByLayouts(line, scope)) readEntries(line, scope);
  // Records come in bursts within one millisecond, and with one message.
  if (record.time !== lastTime) {
    lastTime = record.time;
    const nanos = unixNanos(record.time);
    lastTimes = `{"timeUnixNano":"${nanos}","observedTimeUnixNano":"${nanos}",`;
  }
  if (record.msg !== lastMsg) {
    lastMsg = record.msg;
    lastMsgJson = JSON.stringify(record.msg ?? '');
  }
  return (
    `${lastTimes}${scope.book.severity(record.level)},"body":{"stringValue":${lastMsgJson}},` +
    `"attributes":[${found.attributes}]${found.traceId}${found.spanId}${found.flags}}`
  );
}

/** The service the last record read named itself (its own `name`), when its logger binds none. */
export function recordService(): string | undefined {
  return found.service;
}
