import type { LogRecord } from '../../core/record/log-record.js';

import type { Verdict } from '../../core/plugin/batch-outcome.js';

export type { Verdict };

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What a preset is told when it is made: the entry's preset options, and the record's line. */
export interface PresetOptions {
  /** The record as this transport's formatted line (its `format`, JSON by default). */
  line(record: LogRecord): string;
  /** Loki: record fields that become stream labels. */
  labels?: string[] | undefined;
  /** Loki: record fields sent as structured metadata. */
  metadata?: string[] | undefined;
  /** Elasticsearch/OpenSearch: the index. */
  index?: string | undefined;
  /** ClickHouse: the table, and which record field fills each column. */
  table?: string | undefined;
  columns?: Record<string, string> | undefined;
  /** ClickHouse: send `insert_deduplication_token` (ClickHouse 22.2 or later) so a resend is not inserted twice. */
  insertDeduplicationToken?: boolean | undefined;
}

export type PresetFactory = (options: PresetOptions) => HttpPreset;

/** How one backend wants its logs: body shape, content type, URL, and reading the answer. */
export interface HttpPreset {
  readonly contentType: string;
  /** The URL to send to, from the configured one (ClickHouse adds its INSERT query). */
  url?(base: string): string;
  /** The URL of one request, from the one `url` made and the request's body (`body` or `bodyUtf8`, uncompressed). */
  requestUrl?(url: string, body: string | Uint8Array): string;
  body(records: readonly LogRecord[]): string;
  /**
   * The same body as UTF-8 bytes: when a preset has it, the transport sends this instead of
   * `body` (a large body written as bytes skips building one string and encoding it again).
   */
  bodyUtf8?(records: readonly LogRecord[]): Uint8Array;
  /**
   * Called once the transport is done with a body `bodyUtf8` made (handed whole to the socket,
   * compressed, or split before it was sent for being over `batch.maxBytes`): its memory may
   * be written again. Not called for a body whose request failed before it was sent whole. A
   * throw is ignored: that memory is only not used again.
   */
  release?(body: Uint8Array): void;
  /** The verdict on a response; undefined leaves it to the generic rules by status. */
  classify?(response: HttpResponse, records: readonly LogRecord[]): Verdict | undefined;
  /** Statuses worth retrying, besides network errors and timeouts. */
  readonly retryable?: ReadonlySet<number>;
}

export const DEFAULT_RETRYABLE: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

/**
 * Seconds or an HTTP date, as Retry-After allows; undefined when absent or unreadable. A date
 * is the server's: measured from `serverDate` (the answer's own Date) when it has one, as
 * this host's clock may differ by hours (ahead, every date looked past and the wait was none).
 */
export function retryAfterMs(
  header: string | string[] | undefined,
  now = Date.now(),
  serverDate?: string | string[],
): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = dateOf(value);
  if (date === undefined) return undefined;
  const stated = dateOf(Array.isArray(serverDate) ? serverDate[0] : serverDate);
  return Math.max(0, date - (stated ?? now));
}

/**
 * An HTTP date's time. A date names its day or month, or has a time of day: "1.5", "-1",
 * "0" or "12 13" are no date (Date.parse would read a year in them, long past or 2000).
 */
function dateOf(value: string | undefined): number | undefined {
  if (value === undefined || !/[A-Za-z]{3}|\d:\d/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date;
}

/** Where a redirect points, without its user, password, query or fragment (a signed URL's signature). */
function redirectTarget(location: string): string {
  if (!URL.canParse(location)) return location.replace(/[?#].*$/s, '').slice(0, 200);
  const url = new URL(location);
  return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 200);
}

/** The generic reading of a status: what every preset does unless it knows better. */
export function verdictFor(response: HttpResponse, retryable: ReadonlySet<number>): Verdict {
  const { status } = response;
  if (status >= 200 && status < 300) return { kind: 'delivered' };
  // A redirect is not followed (a POST body is not sent to wherever an answer points): say where it pointed.
  const location = status >= 300 && status < 400 ? response.headers.location : undefined;
  const moved = typeof location === 'string' ? ` (a redirect to ${redirectTarget(location)}, not followed)` : '';
  // A redirect's body repeats its Location whole (a signed URL's signature, a password in it): not quoted.
  const quoted = status >= 300 && status < 400 ? '' : response.body.slice(0, 200);
  const reason = new Error(`HTTP ${status}${moved}${quoted ? `: ${quoted}` : ''}`);
  if (retryable.has(status)) {
    return {
      kind: 'retry',
      reason,
      retryAfterMs: retryAfterMs(response.headers['retry-after'], Date.now(), response.headers.date),
    };
  }
  if (status === 413) return { kind: 'split', reason };
  if (status === 400 || status === 422) return { kind: 'bisect', reason };
  if (status === 401 || status === 403) return { kind: 'fail', reason, circuit: true };
  return { kind: 'fail', reason };
}

/** The records' JSON lines joined: NDJSON-shaped presets re-serialise nothing. */
export function ndjsonBody(records: readonly LogRecord[]): string {
  let body = '';
  for (const record of records) body += record.json();
  return body;
}

/**
 * A 2xx whose body is an HTML page (a login page, a proxy's or a web UI's answer to a URL
 * that is not the backend's) for a backend whose answer is never one: not the backend's
 * word that it took the batch, so the batch is retried; undefined for any other answer.
 */
export function htmlPageVerdict(response: HttpResponse, backend: string): Verdict | undefined {
  if (response.status < 200 || response.status >= 300) return undefined;
  if (!/^\s*<(?:!doctype|html|head|body)\b/i.test(response.body)) return undefined;
  const reason = new Error(
    `HTTP ${response.status} with an HTML page (${response.body.length} characters), not an answer from ${backend}`,
  );
  return { kind: 'retry', reason };
}
