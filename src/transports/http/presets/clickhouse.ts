import { createHash } from 'node:crypto';
import type { LogRecord } from '../../../core/record/log-record.js';
import { type HttpResponse, htmlPageVerdict, type PresetFactory, type Verdict } from '../preset.js';
import { LinePicker, TopLevelKeys } from './line-entries.js';

/**
 * ClickHouse error codes that pass: too many queries or parts, memory, timeouts, network, a
 * replica read-only; and a replicated or distributed table's coordination: Keeper or
 * ZooKeeper unreachable (999, 225), too few live replicas or a quorum not met yet (285, 286),
 * no shard or connection free (203, 279, 519), an insert aborted or cancelled as the server
 * stops (236, 394), a quota or a remote's rate limit (201, 364), a disk full (243). A batch
 * they refuse is tried again, not bisected (every row would be refused alike, and fail).
 */
const RETRYABLE_CODES = new Set([
  159, 201, 202, 203, 209, 210, 225, 236, 241, 242, 243, 252, 279, 285, 286, 319, 364, 394, 425, 519, 999,
]);
/**
 * Codes that are the request's, not a row's (checked against a real server's answers): no
 * such table (60), database (81) or column (16), a syntax error (62), an unknown format
 * (73) or identifier (47), a user, password or grant refused (192, 193, 497, 516), readonly
 * (164). Every row would be refused alike: the batch fails at once and the circuit opens.
 */
const REQUEST_CODES = new Set([16, 47, 60, 62, 73, 81, 115, 164, 192, 193, 497, 516]);
/** Code 115, an unknown setting: what it means when it is the deduplication token. */
const TOKEN_UNKNOWN = 'insertDeduplicationToken needs ClickHouse 22.2 or later (this server has no such setting)';

/**
 * The token of one insert: a digest of its rows, so a resend of the same batch (after a
 * timeout or a reset) carries the same token and the server keeps one copy, whichever
 * attempt reached it. Two batches with the same rows byte for byte count as one insert,
 * as ClickHouse's own block deduplication would have it.
 */
function deduplicationToken(body: string | Uint8Array): string {
  return createHash('sha256').update(body).digest('hex').slice(0, 32);
}

/**
 * ClickHouse's HTTP interface: `INSERT INTO <table> FORMAT JSONEachRow`, a row per record
 * (the record's fields, or `columns` mapping column → field). An insert is all or nothing,
 * so a row the server cannot parse fails the batch and bisection isolates it; the exception
 * code in the answer decides whether to retry.
 */
export const clickhousePreset: PresetFactory = (options) => {
  const table = options.table ?? 'logs';
  if (!/^[A-Za-z_][\w.]*$/.test(table)) throw new Error(`table must be a plain name, got ${JSON.stringify(table)}`);
  const columns = options.columns;
  // Column → the field's key as the line quotes it, and the column's name quoted once.
  const mapping = Object.entries(columns ?? {}).map(([column, field]) => ({
    column: JSON.stringify(column),
    field,
    key: JSON.stringify(field),
  }));
  const wanted = [...new Set(mapping.map((m) => m.key))];
  const picker = new LinePicker(wanted);
  const at = mapping.map((m) => wanted.indexOf(m.key));
  // Values come from the record's line, as they were at the log call, copied as they are.
  const keys = new TopLevelKeys();
  const row = (record: LogRecord): string => {
    // A row that repeats a field is refused (code 117): each key once, its last value.
    if (columns === undefined) return wellFormed(keys.rewrite(record.json()));
    const values = picker.pick(record.json());
    let out = '';
    for (let i = 0; i < mapping.length; i++) {
      const { column, field } = mapping[i]!;
      const value = field === 'level' ? String(record.level) : field === 'time' ? String(record.time) : values[at[i]!];
      if (value !== undefined) out += `${out === '' ? '' : ','}${column}:${value}`;
    }
    return wellFormed(`{${out}}\n`);
  };
  const query = `INSERT INTO ${table} FORMAT JSONEachRow`;
  return {
    contentType: 'application/x-ndjson',
    url: (base) => {
      const url = new URL(base);
      // No fragment: requestUrl appends the deduplication token to the query, which must end the URL.
      url.hash = '';
      url.searchParams.set('query', query);
      if (columns === undefined) url.searchParams.set('input_format_skip_unknown_fields', '1');
      return url.toString();
    },
    requestUrl: options.insertDeduplicationToken
      ? (url, body) => `${url}&insert_deduplication_token=${deduplicationToken(body)}`
      : undefined,
    body(records) {
      let body = '';
      for (const record of records) body += row(record);
      return body;
    },
    classify(response): Verdict | undefined {
      const code = exceptionCode(response);
      if (response.status === 200 && code === undefined) {
        // An insert's answer has no body: a page (a proxy's, a login's) is not ClickHouse's word.
        return htmlPageVerdict(response, 'ClickHouse') ?? { kind: 'delivered' };
      }
      if (code === undefined) return undefined;
      const hint = code === 115 && options.insertDeduplicationToken ? `${TOKEN_UNKNOWN}: ` : '';
      const said = response.body.trim().slice(0, 300) || `Code: ${code}`;
      const reason = new Error(`${hint}ClickHouse ${said}`);
      // UNKNOWN_STATUS_OF_INSERT: a replicated table's commit cut off (a lost Keeper session), the
      // rows perhaps stored; what a retry delivers may be there twice.
      if (code === 319) return { kind: 'retry', reason: Object.assign(reason, { outcomeUnknown: true }) };
      if (RETRYABLE_CODES.has(code)) return { kind: 'retry', reason };
      if (REQUEST_CODES.has(code)) return { kind: 'fail', reason, circuit: true };
      // A row it could not parse (27, 33, 72, 117…): bisection finds it.
      return { kind: 'bisect', reason };
    },
  };
};

/**
 * The exception code of an answer: the `X-ClickHouse-Exception-Code` header, or the body's
 * `Code: N` (servers before the header, and an exception raised once the 200 was sent: a
 * server streaming progress headers can only say it in the body, after a 200 status line).
 */
function exceptionCode(response: HttpResponse): number | undefined {
  const header = response.headers['x-clickhouse-exception-code'];
  const fromHeader = Number(Array.isArray(header) ? header[0] : header);
  if (Number.isInteger(fromHeader) && fromHeader > 0) return fromHeader;
  // In a 200, only the exception's own text counts (a body that merely mentions a code does not).
  const match = /Code: (\d+)/.exec(response.body);
  if (match === null) return undefined;
  if (response.status === 200 && !response.body.includes('DB::Exception')) return undefined;
  return Number(match[1]);
}

/**
 * A half of a surrogate pair alone, as JSON writes it (`\ud800`: a string cut in the middle
 * of an emoji), preceded by an even run of backslashes (so an escape, not text). ClickHouse
 * refuses a lone high half (code 25, "missing second part of surrogate pair") and stores a
 * lone low half as bytes that are no UTF-8.
 */
const HIGH = String.raw`\\u[dD][89abAB][0-9a-fA-F]{2}`;
const LOW = String.raw`\\u[dD][c-fC-F][0-9a-fA-F]{2}`;
/** A high half written as an escape: after an even run of backslashes (`\\ud800` is a backslash and text). */
const HIGH_ESCAPE = String.raw`(?<!\\)(?:\\\\)*${HIGH}`;
const LONE_SURROGATE = new RegExp(String.raw`(?<!\\)((?:\\\\)*)(${HIGH}(?!${LOW})|(?<!${HIGH_ESCAPE})${LOW})`, 'g');

/** The row with each lone surrogate half as U+FFFD, as UTF-8 has it for a lone half in text. */
function wellFormed(row: string): string {
  if (!row.includes('\\ud') && !row.includes('\\uD')) return row;
  return row.replace(LONE_SURROGATE, '$1\\ufffd');
}
