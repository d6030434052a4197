import type { RecordScope } from '../../../core/record/log-record.js';
import { LineEntries } from './line-entries.js';
import { AttributeKey, AttributeList, appendAttributes, rawAnyValue } from './otlp-values.js';

/** Keys the record's own OTLP fields carry (or the resource does), never repeated as attributes. */
const OWN_KEYS = ['level', 'time', 'name', 'trace_id', 'span_id', 'trace_flags'];

/** Bindings that describe the process, not the event: OTel's resource attributes for them. */
const RESOURCE_BINDINGS: ReadonlyMap<string, string> = new Map([
  ['pid', 'process.pid'],
  ['hostname', 'host.name'],
]);

/** What one entry of a line is to OTLP. */
export const ATTRIBUTE = 0;
export const SKIP = 1;
export const TRACE_ID = 2;
export const SPAN_ID = 3;
export const TRACE_FLAGS = 4;
/** A record's own `name`, naming its service when its logger binds none. */
export const SERVICE = 5;

export interface LineKey {
  /** The key as the line writes it, colon included: `"userId":`. */
  readonly text: string;
  readonly kind: number;
  /** For an ATTRIBUTE: its entry openings. */
  readonly attribute: AttributeKey | undefined;
}

/** Keys kept per logger: enough for any real set of call sites, bounded against keys made from data. */
const MAX_KEYS = 1024;
/** Layouts kept per logger: one per call-site shape that is logged often. */
const MAX_LAYOUTS = 8;
/**
 * Learning a layout is paid for by records that matched one; a logger whose records rarely
 * repeat a layout (keys made from data) soon stops trying and reads every line entry by entry.
 */
const LEARN_COST = 16;
const MAX_CREDIT = 1024;

export function resourceJson(service: unknown, processAttributes: Record<string, unknown>): string {
  const name = JSON.stringify(typeof service === 'string' ? service : 'unknown_service');
  const attributes = appendAttributes(`{"key":"service.name","value":{"stringValue":${name}}}`, processAttributes);
  return `{"attributes":[${attributes}]}`;
}

/**
 * What a logger's bindings give every record it makes, worked out once per logger: the
 * resource, the bindings' own attributes, and the layouts (key sequences after the
 * bindings) its records were seen to have, so a line with a known layout is read by
 * checking its keys in place rather than cutting each one out.
 */
export class ScopeOtlp {
  /** The `resource` object's JSON: `service.name` from `name`, and the process bindings. */
  readonly resource: string;
  /** The process bindings, for a record whose own `name` field names the service. */
  readonly processAttributes: Record<string, unknown> = {};
  /** Whether `name` is bound (otherwise a record's own `name` field names the service). */
  readonly named: boolean;
  /** The bindings as the line writes them (`,"pid":1,…`), and what they add as attributes. */
  readonly bindingsJson: string;
  readonly bindingAttributes: string;
  readonly timed: boolean;
  /** Whether lines may be read by layout: not when the bindings carry the record's own fields. */
  readonly layoutsUsable: boolean;
  readonly layouts: LineKey[][] = [];
  private credit = 4 * LEARN_COST;
  /** Keys of the line, quoted, that are not attributes: the record's own, the resource's. */
  private readonly skip: ReadonlySet<string>;
  private readonly bindingKeys = new Set<string>();
  private readonly keys = new Map<string, LineKey>();
  private readonly severities = new Map<number, string>();

  constructor(private readonly scope: RecordScope) {
    this.bindingsJson = scope.bindingsJson;
    this.timed = scope.shape.timestamp !== false;
    const bindings = JSON.parse(`{${scope.bindingsJson.slice(1)}}`) as Record<string, unknown>;
    const inResource: string[] = [];
    for (const [key, resourceKey] of RESOURCE_BINDINGS) {
      if (!Object.hasOwn(bindings, key)) continue;
      this.processAttributes[resourceKey] = bindings[key];
      inResource.push(key);
    }
    this.resource = resourceJson(bindings.name, this.processAttributes);
    this.named = Object.hasOwn(bindings, 'name');
    this.skip = new Set([...OWN_KEYS, scope.shape.messageKey, ...inResource].map((key) => JSON.stringify(key)));
    const attributes = new AttributeList();
    const reader = new LineEntries().read(`{${scope.bindingsJson.slice(1)}}`);
    let usable = true;
    while (reader.next()) {
      this.bindingKeys.add(reader.key);
      const kind = this.lineKey(reader.key).kind;
      if (kind === ATTRIBUTE) attributes.set(reader.key, rawAnyValue(reader.value));
      else if (kind !== SKIP) usable = false;
    }
    this.bindingAttributes = attributes.json();
    this.layoutsUsable = usable;
  }

  /** What a key (quoted, as the line has it) is to OTLP. */
  lineKey(quotedKey: string): LineKey {
    const known = this.keys.get(quotedKey);
    if (known !== undefined) return known;
    const kind = this.kindOf(quotedKey);
    const key: LineKey = {
      text: `${quotedKey}:`,
      kind,
      attribute: kind === ATTRIBUTE ? new AttributeKey(quotedKey) : undefined,
    };
    if (this.keys.size < MAX_KEYS) this.keys.set(quotedKey, key);
    return key;
  }

  private kindOf(quotedKey: string): number {
    if (!this.skip.has(quotedKey)) return ATTRIBUTE;
    if (quotedKey === '"trace_id"') return TRACE_ID;
    if (quotedKey === '"span_id"') return SPAN_ID;
    if (quotedKey === '"trace_flags"') return TRACE_FLAGS;
    if (quotedKey === '"name"' && !this.named) return SERVICE;
    return SKIP;
  }

  /** `"severityNumber":9,"severityText":"INFO"` for a level. */
  severity(level: number): string {
    let text = this.severities.get(level);
    if (text === undefined) {
      const label = JSON.stringify(this.scope.shape.levels.label(level).toUpperCase());
      text = `"severityNumber":${severityNumber(level)},"severityText":${label}`;
      this.severities.set(level, text);
    }
    return text;
  }

  /** A layout matched: credit for learning more, and the layout to the front. */
  matched(index: number): void {
    if (this.credit < MAX_CREDIT) this.credit++;
    if (index > 0) this.layouts.unshift(...this.layouts.splice(index, 1));
  }

  /**
   * Keeps a layout seen in a line that matched none, if learning is paid for and the layout
   * is one that can be read in place: each key once, none of them bound too (a repeated key
   * keeps its first place and last value, which only reading entry by entry gets right).
   */
  learn(layout: LineKey[]): boolean {
    if (this.credit < LEARN_COST) return false;
    this.credit -= LEARN_COST;
    const seen = new Set<string>();
    for (const key of layout) {
      if (seen.has(key.text) || this.bindingKeys.has(key.text.slice(0, -1))) return false;
      seen.add(key.text);
    }
    if (this.layouts.length === MAX_LAYOUTS) this.layouts.pop();
    this.layouts.unshift(layout);
    return true;
  }
}

/** OTLP severity numbers for our levels: trace 1, debug 5, info 9, warn 13, error 17, fatal 21. */
function severityNumber(level: number): number {
  if (level >= 60) return 21;
  if (level >= 50) return 17;
  if (level >= 40) return 13;
  if (level >= 30) return 9;
  if (level >= 20) return 5;
  return 1;
}

const scopes = new WeakMap<RecordScope, ScopeOtlp>();

export function scopeOtlp(scope: RecordScope): ScopeOtlp {
  let cached = scopes.get(scope);
  if (cached === undefined) {
    cached = new ScopeOtlp(scope);
    scopes.set(scope, cached);
  }
  return cached;
}
