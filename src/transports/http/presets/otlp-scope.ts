import type { RecordScope } from '../../../core/record/log-record.js';
import type { RecordShape } from '../../../core/record/shape.js';
import { LineEntries } from './line-entries.js';
import { AttributeKey, AttributeList, appendAttributes, rawAnyValue } from './otlp-values.js';

/** Keys the record's own OTLP fields carry (or the resource does), never repeated as attributes. */
const OWN_KEYS = ['level', 'time', 'name', 'trace_id', 'span_id', 'trace_flags'];

/** Bindings that describe the process, not the event: OTel's resource attributes for them. */
const RESOURCE_BINDINGS: ReadonlyMap<string, string> = new Map([
  ['"pid"', 'process.pid'],
  ['"hostname"', 'host.name'],
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

/** Keys kept per book: enough for any real set of call sites, bounded against keys made from data. */
const MAX_KEYS = 1024;
/** Layouts kept per book: one per call-site shape that is logged often. */
const MAX_LAYOUTS = 8;
/** Books kept per logger tree: one per set of binding keys (not values: a child per request shares one). */
const MAX_BOOKS = 64;
/**
 * Learning a layout is paid for by records that matched one; a book whose records rarely
 * repeat a layout (keys made from data) soon stops trying and reads every line entry by entry.
 */
const LEARN_COST = 16;
const MAX_CREDIT = 1024;
/** After this many lines in a row fit no layout, only one line in 16 is tried against them. */
const MISS_RUN = 64;

/**
 * What the lines of loggers with the same binding keys share, whatever the bound values:
 * what each key is to OTLP, and the layouts (key sequences after the bindings) their records
 * were seen to have, so a line with a known layout is read by checking its keys in place
 * rather than cutting each one out.
 */
export class LayoutBook {
  readonly layouts: LineKey[][] = [];
  /** Whether lines may be read by layout: not when the bindings carry the record's own fields. */
  readonly usable: boolean;
  private credit = 4 * LEARN_COST;
  private misses = 0;
  /** Keys of the line, quoted, that are not attributes: the record's own, the resource's. */
  private readonly skip: ReadonlySet<string>;
  private readonly named: boolean;
  private readonly bindingKeys: ReadonlySet<string>;
  private readonly keys = new Map<string, LineKey>();
  private readonly severities = new Map<number, string>();

  constructor(
    private readonly shape: RecordShape,
    bindingKeys: readonly string[],
  ) {
    this.bindingKeys = new Set(bindingKeys);
    this.named = this.bindingKeys.has('"name"');
    const skip = new Set([...OWN_KEYS, shape.messageKey].map((key) => JSON.stringify(key)));
    for (const key of RESOURCE_BINDINGS.keys()) if (this.bindingKeys.has(key)) skip.add(key);
    this.skip = skip;
    this.usable = bindingKeys.every((key) => {
      const kind = this.kindOf(key);
      return kind === ATTRIBUTE || kind === SKIP;
    });
  }

  /** What a key (quoted, as the line has it) is to OTLP. */
  kindOf(quotedKey: string): number {
    if (!this.skip.has(quotedKey)) return ATTRIBUTE;
    if (quotedKey === '"trace_id"') return TRACE_ID;
    if (quotedKey === '"span_id"') return SPAN_ID;
    if (quotedKey === '"trace_flags"') return TRACE_FLAGS;
    if (quotedKey === '"name"' && !this.named) return SERVICE;
    return SKIP;
  }

  lineKey(quotedKey: string): LineKey {
    const known = this.keys.get(quotedKey);
    if (known !== undefined) return known;
    const kind = this.kindOf(quotedKey);
    const attribute = kind === ATTRIBUTE ? new AttributeKey(quotedKey) : undefined;
    const key: LineKey = { text: `${quotedKey}:`, kind, attribute };
    if (this.keys.size < MAX_KEYS) this.keys.set(quotedKey, key);
    return key;
  }

  /** `"severityNumber":9,"severityText":"INFO"` for a level. */
  severity(level: number): string {
    let text = this.severities.get(level);
    if (text === undefined) {
      const label = JSON.stringify(this.shape.levels.label(level).toUpperCase());
      text = `"severityNumber":${severityNumber(level)},"severityText":${label}`;
      this.severities.set(level, text);
    }
    return text;
  }

  /** Whether to try this line against the layouts: not every line while none has fit for long. */
  tries(): boolean {
    if (this.misses < MISS_RUN) return true;
    this.missed();
    return (this.misses & 15) === 0;
  }

  /** No layout fit a line. A long run of such lines still earns a try at learning now and then. */
  missed(): void {
    this.misses++;
    if (this.misses % 256 === 0 && this.credit < LEARN_COST) this.credit = LEARN_COST;
  }

  /** A layout matched: credit for learning more, and the layout to the front. */
  matched(index: number): void {
    this.misses = 0;
    if (this.credit < MAX_CREDIT) this.credit++;
    if (index > 0) this.layouts.unshift(...this.layouts.splice(index, 1));
  }

  /** Whether learning a layout is paid for; taking the cost if it is. */
  mayLearn(): boolean {
    if (this.credit < LEARN_COST) return false;
    this.credit -= LEARN_COST;
    return true;
  }

  /**
   * Keeps a layout seen in a line that matched none, if it can be read in place: each key
   * once, none of them bound too (a repeated key keeps its first place and last value, which
   * only reading entry by entry gets right).
   */
  learn(layout: LineKey[]): boolean {
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

export function resourceJson(service: unknown, processAttributes: Record<string, unknown>): string {
  const name = JSON.stringify(typeof service === 'string' ? service : 'unknown_service');
  const attributes = appendAttributes(`{"key":"service.name","value":{"stringValue":${name}}}`, processAttributes);
  return `{"attributes":[${attributes}]}`;
}

const books = new WeakMap<RecordShape, Map<string, LayoutBook>>();

function bookFor(shape: RecordShape, bindingKeys: string[]): LayoutBook {
  let byKeys = books.get(shape);
  if (byKeys === undefined) {
    byKeys = new Map();
    books.set(shape, byKeys);
  }
  // Quoted keys joined by commas: no two key lists give the same text.
  const signature = bindingKeys.join(',');
  let book = byKeys.get(signature);
  if (book === undefined) {
    book = new LayoutBook(shape, bindingKeys);
    if (byKeys.size < MAX_BOOKS) byKeys.set(signature, book);
  }
  return book;
}

const bindingEntries = new LineEntries();

/** What a logger's bindings give every record it makes, worked out once per logger. */
export class ScopeOtlp {
  /** The `resource` object's JSON: `service.name` from `name`, and the process bindings. */
  readonly resource: string;
  /** The process bindings, for a record whose own `name` field names the service. */
  readonly processAttributes: Record<string, unknown> = {};
  /** The bindings as the line writes them (`,"pid":1,…`), and what they add as attributes. */
  readonly bindingsJson: string;
  readonly bindingAttributes: string;
  readonly timed: boolean;
  readonly book: LayoutBook;

  constructor(scope: RecordScope) {
    this.bindingsJson = scope.bindingsJson;
    this.timed = scope.shape.timestamp !== false;
    const keys: string[] = [];
    const values: string[] = [];
    const reader = bindingEntries.read(`{${scope.bindingsJson.slice(1)}}`);
    while (reader.next()) {
      keys.push(reader.key);
      values.push(reader.value);
    }
    this.book = bookFor(scope.shape, keys);
    const attributes = new AttributeList();
    let service: unknown;
    const resourceValues = new Map<string, string>();
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (RESOURCE_BINDINGS.has(key)) resourceValues.set(key, values[i]!);
      else if (key === '"name"') service = JSON.parse(values[i]!);
      else if (this.book.kindOf(key) === ATTRIBUTE) attributes.set(key, rawAnyValue(values[i]!));
    }
    for (const [key, resourceKey] of RESOURCE_BINDINGS) {
      const value = resourceValues.get(key);
      if (value !== undefined) this.processAttributes[resourceKey] = JSON.parse(value);
    }
    this.bindingAttributes = attributes.json();
    this.resource = resourceJson(service, this.processAttributes);
  }
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
