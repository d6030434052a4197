import { randomBytes } from 'node:crypto';
import type { LogRecord } from '../../../core/record/log-record.js';
import type { PresetFactory, Verdict } from '../preset.js';
import { TopLevelKeys } from './line-entries.js';

interface BulkResult {
  status?: unknown;
  error?: { type?: string; reason?: string };
}

/** What of a bulk answer is read: each item's `_id`, `status` and `error` (so every item stays in its place). */
const READ_FILTER = 'errors,items.*._id,items.*.status,items.*.error';

/** Item statuses that refuse the write to the index or cluster (auth, a read-only block, no index), not a document. */
const REQUEST_LEVEL: ReadonlySet<number> = new Set([401, 403, 404]);

/**
 * Elasticsearch and OpenSearch `_bulk`: a `create` action per record with an `_id` made
 * here, once per record, so a batch sent again cannot index a record twice (409 on create
 * counts as delivered). Each document carries `@timestamp` (ISO 8601, from the record's
 * time), the field Kibana and OpenSearch Dashboards look for. A 2xx is read item by item:
 * the items that got 429 or 5xx are retried, the refused ones fail. An answer that cannot
 * be read (cut, not JSON, an item count, item shape or item `_id` that does not match the batch) says
 * nothing about what was indexed: the batch is retried (the ids keep that from indexing twice).
 * An index that refuses client-made ids (OpenSearch Serverless time series collections) gets
 * the refused documents again without one, and every later one too.
 */
export const elasticsearchPreset: PresetFactory = (options) => {
  const index = options.index ?? 'logs';
  // An id is 96 random bits drawn once per transport, then a count: unique like a random
  // UUID per record, a quarter of the cost to make and keep, and ids that share a prefix
  // are the kind the index looks up fastest (random ones are the slowest).
  const prefix = randomBytes(12).toString('base64url');
  let made = 0;
  const ids = new WeakMap<LogRecord, string>();
  const idOf = (record: LogRecord): string => {
    let id = ids.get(record);
    if (id === undefined) {
      id = prefix + (made++).toString(36);
      ids.set(record, id);
    }
    return id;
  };
  const keys = new TopLevelKeys(METADATA_FIELDS);
  // Set once the index refuses client-made ids (an OpenSearch Serverless time series
  // collection): from then on the server names each document, and a resend may duplicate.
  let serverIds = false;
  const target = JSON.stringify(index);
  return {
    contentType: 'application/x-ndjson',
    // `/_bulk` ends the path, before any query (`?pipeline=…`, `?refresh=…`).
    url: (base) => {
      const url = new URL(base);
      // Trailing slashes end no path here: `…/_bulk/` appended to became `/_bulk/_bulk`, an
      // index named `_bulk`, refused.
      const path = url.pathname.replace(/\/+$/, '');
      url.pathname = path.endsWith('/_bulk') ? path : `${path}/_bulk`;
      // A `filter_path` (the bulk docs suggest `items.*.error`) left out what the answer is read
      // by: every success filtered away, or 409s without their status, so stored records were
      // resent until they failed. A URL that filters gets the filter that keeps what is read.
      if (url.searchParams.has('filter_path')) url.searchParams.set('filter_path', READ_FILTER);
      return url.toString();
    },
    body(records) {
      let body = '';
      for (const record of records) {
        const action = serverIds
          ? `{"create":{"_index":${target}}}`
          : `{"create":{"_index":${target},"_id":"${idOf(record)}"}}`;
        body += `${action}\n${documentOf(record, keys)}`;
      }
      return body;
    },
    classify(response, records): Verdict | undefined {
      const { status: answered } = response;
      if (answered < 200 || answered >= 300) return undefined;
      // With ids the server makes, a batch sent again after an answer that says nothing may index twice.
      const unreadable = (what: string): Verdict => ({
        kind: 'retry',
        reason: Object.assign(new Error(`the bulk answer could not be read: ${what}`), { outcomeUnknown: serverIds }),
      });
      let parsed: unknown;
      try {
        parsed = JSON.parse(response.body);
      } catch {
        // Another 2xx than 200 with no bulk answer is a proxy's (a queue's 202): taken as delivered, as before.
        return answered === 200 ? unreadable(`not JSON (${response.body.length} characters)`) : undefined;
      }
      const items = (parsed as { items?: unknown } | null)?.items;
      if (!Array.isArray(items)) return answered === 200 ? unreadable('no items') : undefined;
      if (items.length !== records.length) return unreadable(`${items.length} items for ${records.length} records`);
      const failed = new Map<number, Error>();
      const failedStatuses: number[] = [];
      const retry: number[] = [];
      let retryReason: Error | undefined;
      let idsRefused = false;
      for (let i = 0; i < items.length; i++) {
        const result = resultOf(items[i]);
        if (result === undefined) return unreadable(`item ${i} is not a bulk result`);
        // Items answer in the order sent: one naming another record's id is no answer about this one.
        const id = (result as { _id?: unknown })._id;
        if (!serverIds && typeof id === 'string' && id !== ids.get(records[i]!)) {
          return unreadable(`item ${i} is about _id ${JSON.stringify(id.slice(0, 64))}, not the document sent there`);
        }
        const status = result.status as number;
        if ((status >= 200 && status < 300) || status === 409) continue;
        const reason = result.error?.reason;
        if (status === 429 || status >= 500) {
          retry.push(i);
          retryReason ??= itemError(status, result.error);
        } else if (status === 400 && typeof reason === 'string' && /document id is not supported/i.test(reason)) {
          // Refused for the id we made, not for the document: sent again, named by the server.
          serverIds = true;
          idsRefused = true;
          retry.push(i);
        } else {
          failed.set(i, itemError(status, result.error));
          failedStatuses.push(status);
        }
      }
      if (failed.size === 0 && retry.length === 0) return { kind: 'delivered' };
      // Every item refused for the index or the cluster, not for its document (no permission
      // to write, a read-only block after a full disk, a missing index): the request's
      // refusal, as ClickHouse's missing table is, failing the batch and opening the circuit.
      if (failed.size === items.length && failedStatuses.every((status) => REQUEST_LEVEL.has(status))) {
        return { kind: 'fail', reason: failed.get(0)!, circuit: true };
      }
      if (!idsRefused) return { kind: 'partial', failed, retry, reason: retryReason };
      const why = new Error('the index refuses client-made document ids: sent again without (the server names them)');
      return { kind: 'partial', failed, retry, reason: why };
    },
  };
};

/** What an item's answer says: `400 mapper_parsing_exception: failed to parse`, or as much of it as it has. */
function itemError(status: number, error: BulkResult['error']): Error {
  const type = typeof error?.type === 'string' ? ` ${error.type}` : '';
  const reason = typeof error?.reason === 'string' ? `: ${error.reason}` : '';
  return new Error(`${status}${type}${reason}`);
}

/** An item's result: the value of its one action key (`create` here; `index` from a proxy that rewrites). */
function resultOf(item: unknown): BulkResult | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const keys = Object.keys(item);
  if (keys.length !== 1) return undefined;
  const result = (item as Record<string, unknown>)[keys[0]!] as BulkResult | null;
  if (result === null || typeof result !== 'object') return undefined;
  return Number.isInteger(result.status) ? result : undefined;
}

/**
 * The record's document: its line with each key once (Elasticsearch refuses a repeated
 * field), a top-level metadata field (`_id`, `_index`…, refused inside a document) renamed
 * `@_id`, and `@timestamp` first (also with `timestamp: false`) unless the line has its
 * own at its top level or the time's year is not four digits (0000 to 9999).
 */
function documentOf(record: LogRecord, keys: TopLevelKeys): string {
  const line = withFieldNames(keys.rewrite(record.json()));
  const time = record.time;
  if (!(time >= FIRST_ISO_MS && time <= LAST_ISO_MS) || keys.has('"@timestamp"')) return line;
  // A line not read to its end (spaces a streamWrite hook put in): its own @timestamp anywhere counts.
  if (!keys.whole && /"@timestamp"\s*:/.test(line)) return line;
  // Records of a batch mostly share their millisecond with the one before.
  if (time !== lastTime) {
    lastTime = time;
    lastIso = new Date(time).toISOString();
  }
  return `{"@timestamp":"${lastIso}"${hasMembers(line) ? ',' : ''}${line.slice(1)}`;
}

/**
 * Whether the object a line opens has a member. A canonical line's second character is the
 * first key's quote; a streamWrite hook's `{}` or `{ }` (with "\r\n" under crlf) has none, and
 * a comma after `@timestamp` would make it no JSON (its length says nothing).
 */
function hasMembers(line: string): boolean {
  return line.charCodeAt(1) === 34 || !/^\{\s*\}/.test(line);
}

/**
 * The line with every key, at any depth, one Elasticsearch can name: it refuses a document
 * with an empty key, one of spaces, or one with an empty part between dots (`""`, `" "`,
 * `".env"`, `"a."`, `"a..b"`: a query string or a form logged whole, crafted or not), item
 * by item. Each empty part becomes `_` (`"a._.b"`, `"_.env"`; `@` before it while the name is
 * taken). Only a line that may hold such a key is parsed; one that holds none goes as it came.
 */
function withFieldNames(line: string): string {
  if (!SUSPECT_KEY.test(line)) return line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return line;
  }
  const renamed = { count: 0 };
  const fixed = fieldNames(parsed, renamed);
  if (renamed.count === 0) return line;
  return JSON.stringify(fixed) + line.slice(line.lastIndexOf('}') + 1);
}

/**
 * A blank character as the line may write it: itself, or escaped (a tab is `\t`, a control
 * character `\u001f`: any `\u` escape is taken as maybe blank).
 */
const BLANK = String.raw`(?:\s|\\[tnrf]|\\u[0-9a-fA-F]{4})`;

/**
 * A key that may be empty, blank, or have a blank part at an end or between dots, as the line
 * writes it (or near enough): a quote or a dot, blanks, then a dot or the key's end.
 */
const SUSPECT_KEY = new RegExp(`[".]${BLANK}*(?:\\.|":)`);

function fieldNames(value: unknown, renamed: { count: number }): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => fieldNames(item, renamed));
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const parts = key.split('.');
    let name = key;
    if (parts.some((part) => part.trim() === '')) {
      renamed.count++;
      name = parts.map((part) => (part.trim() === '' ? '_' : part)).join('.');
      while (Object.hasOwn(source, name) || Object.hasOwn(out, name)) name = `@${name}`;
    }
    Object.defineProperty(out, name, {
      value: fieldNames(source[key], renamed),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Elasticsearch's metadata fields (and OpenSearch's): a document holding one at its top level
 * is refused ("Field [_id] is a metadata field and cannot be added inside a document").
 */
const METADATA_FIELDS: ReadonlySet<string> = new Set(
  [
    '_id',
    '_index',
    '_source',
    '_size',
    '_doc_count',
    '_field_names',
    '_ignored',
    '_routing',
    '_tier',
    '_type',
    '_version',
    '_seq_no',
    '_tsid',
    '_ts_routing_hash',
    '_data_stream_timestamp',
    '_nested_path',
    '_ignored_source',
  ].map((name) => `"${name}"`),
);

let lastTime = Number.NaN;
let lastIso = '';

/**
 * The times whose ISO 8601 year has four digits (0000-01-01 to 9999-12-31): the default date
 * format (`strict_date_optional_time`) takes no other ("+010000-…" is refused, the record failed).
 */
const FIRST_ISO_MS = -62167219200000;
const LAST_ISO_MS = 253402300799999;
