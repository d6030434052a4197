import type { LogRecord } from '../../core/record/log-record.js';
import { headerField, LIMITS, NILVALUE, sdName, sdValue, timestamp, withoutNul } from './header.js';
import { severityOf } from './severity.js';

export interface MessageOptions {
  /** Facility number, 0-23. */
  facility: number;
  /** Severity of `fatal` records: crit (2) or emerg (0). */
  fatalSeverity: 'crit' | 'emerg';
  hostname: string | undefined;
  /** APP-NAME; when undefined, the record's `name` field. */
  appName: string | undefined;
  procId: string | undefined;
  /** The record field whose value is the MSGID (a dotted path reaches into objects). */
  msgIdField: string | undefined;
  /** SD-ID → the record fields that become its params, by name (dotted paths allowed). */
  structuredData: Readonly<Record<string, readonly string[]>> | undefined;
  /** The record as the MSG part (a trailing newline is dropped). */
  line(record: LogRecord): string;
  /** Prefix MSG with a UTF-8 byte order mark, the RFC's MSG-UTF8 form (default false). */
  utf8Bom: boolean;
  /** The message's limit in UTF-8 bytes: structured data takes at most half of what the header leaves. */
  maxBytes: number;
  /** Newlines go escaped, two bytes each (tcp and tls with `lf` framing): counted in the budget. */
  escapesNewlines?: boolean | undefined;
}

const BOM = '\uFEFF';

/**
 * The most bytes the header and a NILVALUE structured data can take with these fields: a
 * limit below it would cut the header itself, leaving no RFC 5424 message. `<191>1 `, the
 * timestamp and the spaces are 36 bytes; the app-name from `name` and a msgid from a field
 * count at their RFC limits.
 */
export function longestHeader(options: Pick<MessageOptions, 'hostname' | 'appName' | 'procId' | 'msgIdField'>): number {
  const appName = options.appName === undefined ? LIMITS.appName : headerField(options.appName, LIMITS.appName).length;
  const msgId = options.msgIdField === undefined ? NILVALUE.length : LIMITS.msgId;
  const fields = headerField(options.hostname, LIMITS.hostname).length + appName;
  return 36 + fields + headerField(options.procId, LIMITS.procId).length + msgId + ' -'.length;
}

/**
 * Builds RFC 5424 messages: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD [MSG]`. What
 * is the same for every record is prepared once; the record's view is parsed only when a
 * field is read from it (app-name from `name`, the msgid field, structured data).
 */
export class MessageBuilder {
  private readonly facility8: number;
  private readonly fatal: 'crit' | 'emerg';
  private readonly hostname: string;
  private readonly appName: string | undefined;
  private readonly procId: string;
  private readonly msgIdPath: string[] | undefined;
  private readonly sd: { id: string; params: { name: string; path: string[] }[] }[];
  private readonly line: (record: LogRecord) => string;
  private readonly bom: string;
  private readonly needsView: boolean;
  private readonly maxBytes: number;
  private readonly escapesNewlines: boolean;
  /** Whether the last message built had its structured data's values cut to fit (see structuredData). */
  cutLast = false;

  constructor(options: MessageOptions) {
    this.facility8 = options.facility * 8;
    this.fatal = options.fatalSeverity;
    this.hostname = headerField(options.hostname, LIMITS.hostname);
    this.appName = options.appName === undefined ? undefined : headerField(options.appName, LIMITS.appName);
    this.procId = headerField(options.procId, LIMITS.procId);
    this.msgIdPath = options.msgIdField === undefined ? undefined : pathOf(options.msgIdField);
    this.sd = Object.entries(options.structuredData ?? {}).map(([id, fields]) => ({
      id: sdName(id),
      params: fields.map((field) => ({ name: sdName(field), path: pathOf(field) })),
    }));
    this.line = options.line;
    this.bom = options.utf8Bom ? BOM : '';
    this.needsView = this.appName === undefined || this.msgIdPath !== undefined || this.sd.length > 0;
    this.maxBytes = options.maxBytes;
    this.escapesNewlines = options.escapesNewlines ?? false;
  }

  /** The SYSLOG-MSG of one record, unframed. */
  build(record: LogRecord): string {
    const fields = this.needsView ? new Fields(record) : undefined;
    const pri = this.facility8 + severityOf(record.label, record.level, this.fatal);
    const app = this.appName ?? headerField(text(fields!.get(NAME)), LIMITS.appName);
    const msgId =
      this.msgIdPath === undefined ? NILVALUE : headerField(text(fields!.get(this.msgIdPath)), LIMITS.msgId);
    const head = `<${pri}>1 ${timestamp(record.time)} ${this.hostname} ${app} ${this.procId} ${msgId}`;
    this.cutLast = false;
    // The header is ASCII (headerField): its length is its bytes.
    const sd =
      fields === undefined || this.sd.length === 0
        ? NILVALUE
        : this.structuredData(fields, Math.floor((this.maxBytes - head.length - 1) / 2));
    let msg = withoutNul(this.line(record));
    if (msg.endsWith('\n')) msg = msg.slice(0, msg.endsWith('\r\n') ? -2 : -1);
    return msg === '' ? `${head} ${sd}` : `${head} ${sd} ${this.bom}${msg}`;
  }

  /**
   * The SD-ELEMENTs, in at most `budget` bytes as sent. A value too long for that is cut, never
   * its element: the message's own cut to the limit would land inside it, leaving an element
   * never closed (no RFC 5424 message) and no MSG (rsyslog read the rest of the value as the
   * MSG). Short values are kept whole and the long ones share what is left, each cut to its
   * share of bytes as sent (escapes and, under lf, escaped newlines counted).
   */
  private structuredData(fields: Fields, budget: number): string {
    // Each param's value, read once, in the order of the elements' params (undefined: absent).
    const values: (string | undefined)[] = [];
    for (const element of this.sd) for (const param of element.params) values.push(text(fields.get(param.path)));
    const whole = this.render(values);
    // A UTF-16 unit is at most 3 bytes as sent (a NUL, sent as U+FFFD; a newline escaped under
    // lf is 2): most records need no closer count.
    if (whole.length * 3 <= budget) return whole;
    const sizes = values.map((value) => (value === undefined ? 0 : this.sentBytes(value)));
    const frame = this.render(values.map((value) => (value === undefined ? undefined : ''))).length;
    if (frame + sizes.reduce((sum, size) => sum + size, 0) <= budget) return whole;
    this.cutLast = true;
    if (frame > budget) return NILVALUE;
    const shares = fairShares(sizes, budget - frame);
    return this.render(
      values.map((value, index) => (value === undefined ? undefined : this.cutToSent(value, shares[index]!))),
    );
  }

  /** The SD-ELEMENTs with these values (in the params' order); an element with none of them is left out. */
  private render(values: readonly (string | undefined)[]): string {
    let out = '';
    let at = 0;
    for (const element of this.sd) {
      let params = '';
      for (const param of element.params) {
        const value = values[at++];
        if (value !== undefined) params += ` ${param.name}="${sdValue(value)}"`;
      }
      if (params !== '') out += `[${element.id}${params}]`;
    }
    return out === '' ? NILVALUE : out;
  }

  /** The bytes a value takes as sent: UTF-8 after SD escapes, NUL as U+FFFD, newlines as escaped under lf. */
  private sentBytes(value: string): number {
    let bytes = 0;
    for (const char of value) bytes += this.charBytes(char);
    return bytes;
  }

  /** The longest start of `value` that takes at most `max` bytes as sent, never cut inside a character. */
  private cutToSent(value: string, max: number): string {
    let bytes = 0;
    let end = 0;
    for (const char of value) {
      bytes += this.charBytes(char);
      if (bytes > max) break;
      end += char.length;
    }
    return value.slice(0, end);
  }

  private charBytes(char: string): number {
    if (char === '"' || char === '\\' || char === ']') return 2;
    if (char === '\u0000') return 3;
    if (char === '\n' || char === '\r') return this.escapesNewlines ? 2 : 1;
    return Buffer.byteLength(char);
  }
}

/**
 * Splits `budget` among values of these sizes: each value that fits within an even share of
 * what is left keeps its size, and the rest share the remainder evenly.
 */
function fairShares(sizes: readonly number[], budget: number): number[] {
  const shares = sizes.slice();
  const order = sizes.map((_, index) => index).sort((a, b) => sizes[a]! - sizes[b]!);
  let left = budget;
  order.forEach((index, rank) => {
    const share = Math.floor(left / (order.length - rank));
    shares[index] = Math.min(sizes[index]!, share);
    left -= shares[index]!;
  });
  return shares;
}

const NAME = ['name'];

/**
 * A record's fields as its JSON line holds them, parsed once per record: as they were at the
 * call, as redaction, serializers and `hooks.streamWrite` left them. The caller's own object
 * was read for a string, number or boolean before: at the batch's send, so a value changed
 * after the call, or a getter read again, said another thing than the line, and a value the
 * line's hook masked went out whole in the MSGID or a param.
 */
class Fields {
  private view: Readonly<Record<string, unknown>> | undefined;

  constructor(private readonly record: LogRecord) {}

  /**
   * The value at `path`, or undefined when the record has none or its line cannot be read (a
   * `hooks.streamWrite` may give text that is no JSON): that header field or param is then left
   * out, the record sent.
   */
  get(path: string[]): unknown {
    try {
      this.view ??= this.record.view();
    } catch {
      return undefined;
    }
    return lookup(this.view, path);
  }
}

/** A field name, or a dotted path into nested objects ("req.method"). */
function pathOf(field: string): string[] {
  return field.includes('.') ? [field, ...field.split('.')] : [field];
}

/** The value at a field: its own key first ("a.b" as written), then the dotted path. */
function lookup(view: Readonly<Record<string, unknown>>, path: string[]): unknown {
  const [whole, ...parts] = path;
  if (Object.hasOwn(view, whole!)) return view[whole!];
  let at: unknown = view;
  for (const part of parts) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return parts.length === 0 ? undefined : at;
}

/**
 * A field's value as text: strings as they are, anything else as its JSON. Values come from
 * the line parsed (Fields.get), so JSON.stringify cannot throw here.
 */
function text(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
