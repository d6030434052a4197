import { fieldsFromLine } from '../../core/record/line-record.js';
import { impl, type LogRecord } from '../../core/record/log-record.js';
import { headerField, LIMITS, NILVALUE, sdName, sdValue, timestamp, withoutNul } from './header.js';
import { truncateUtf8 } from './framing.js';
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
}

const BOM = '\uFEFF';

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
        : this.structuredData(fields, (this.maxBytes - head.length - 1) >> 1);
    let msg = withoutNul(this.line(record));
    if (msg.endsWith('\n')) msg = msg.slice(0, msg.endsWith('\r\n') ? -2 : -1);
    return msg === '' ? `${head} ${sd}` : `${head} ${sd} ${this.bom}${msg}`;
  }

  /**
   * The SD-ELEMENTs, in at most `budget` bytes. A value too long for that is cut, never its
   * element: the message's own cut to the limit would land inside it, leaving an element never
   * closed (no RFC 5424 message) and no MSG (rsyslog read the rest of the value as the MSG).
   */
  private structuredData(fields: Fields, budget: number): string {
    const sd = this.elements(fields, undefined);
    if (sd.length * 3 <= budget || Buffer.byteLength(sd) <= budget) return sd;
    this.cutLast = true;
    const empty = this.elements(fields, 0);
    if (Buffer.byteLength(empty) > budget) return NILVALUE;
    const values = (empty.match(/=""/g) ?? []).length;
    // A byte of a value is at most 3 once escaped and sent (a NUL becomes U+FFFD; `"`, `\`, `]`
    // and, under lf framing, a newline take 2).
    return this.elements(fields, Math.floor((budget - Buffer.byteLength(empty)) / values / 3));
  }

  /** The SD-ELEMENTs, each value cut to `cut` UTF-8 bytes when given. */
  private elements(fields: Fields, cut: number | undefined): string {
    let out = '';
    for (const element of this.sd) {
      let params = '';
      for (const param of element.params) {
        let value = text(fields.get(param.path));
        if (value === undefined) continue;
        if (cut !== undefined) value = cut === 0 ? '' : (truncateUtf8(value, cut) ?? value);
        params += ` ${param.name}="${sdValue(value)}"`;
      }
      // An element none of whose fields the record has says nothing: left out.
      if (params !== '') out += `[${element.id}${params}]`;
    }
    return out === '' ? NILVALUE : out;
  }
}

const NAME = ['name'];

/**
 * A record's fields as its JSON line holds them. A string, number or boolean passed at the
 * call site is read as it is (the line holds the same), unless its key is one the line
 * keeps for the logger (`name`, `pid`, the level's, the message's), which the line writes
 * as `@name` beside the logger's own; anything else (bindings, context, objects that
 * serialise their own way) from the parsed line, parsed once per record. So a record reads
 * the same whether it went out at once or was made again from its line (see WaitingRecords).
 */
class Fields {
  private view: Readonly<Record<string, unknown>> | undefined;

  constructor(private readonly record: LogRecord) {}

  /**
   * The value at `path`, or undefined when the record has none or it cannot be read (a getter
   * that throws, a Proxy): that header field or param is left out, and the record is sent.
   * Read when its batch is sent, a throw here failed every record of the batch.
   */
  get(path: string[]): unknown {
    try {
      return this.read(path);
    } catch {
      return undefined;
    }
  }

  private read(path: string[]): unknown {
    // A record made again from the line it waited as reads its fields from that line: its
    // view alone, then, is the line parsed once, not twice.
    const own = fieldsFromLine(this.record) ? undefined : this.record.fields;
    if (
      own !== undefined &&
      path.length === 1 &&
      Object.hasOwn(own, path[0]!) &&
      !impl(this.record).scope.shape.safe.coreKeys?.has(path[0]!)
    ) {
      const value = own[path[0]!];
      const kind = typeof value;
      if (kind === 'string' || kind === 'boolean' || (kind === 'number' && Number.isFinite(value))) return value;
    }
    this.view ??= this.record.view();
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

/** A field's value as text: strings as they are, anything else as its JSON (none when it has none). */
function text(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value);
  } catch {
    // A BigInt or a throwing toJSON the line wrote its own way: the field is left out here.
    return undefined;
  }
}
