import { BatchTransport } from '../../core/plugin/batch-transport.js';
import type { BatchInfo } from '../../core/plugin/batch-transport.js';
import type { Verdict } from '../../core/plugin/batch-outcome.js';
import { MAX_TIMER_MS } from '../../core/plugin/units.js';
import { timerHolds } from '../../core/util/timeout.js';
import type { LogRecord } from '../../core/record/log-record.js';
import type { HttpStats, HttpTransportOptions } from './options.js';
import { DEFAULT_RETRYABLE, type HttpPreset, verdictFor } from './preset.js';
import { httpPreset } from './presets/index.js';
import { checkHeaders, Scrubber } from './secrets.js';
import { Sender } from './sender.js';

/**
 * Ships records to an HTTP backend: a BatchTransport whose processor builds the body with a
 * preset, sends it, and reads the answer as a verdict (a network error or a retryable status
 * is tried again, a 413 split, a 400 bisected until the poison records stand alone, a 401
 * opens the circuit). Everything else — batching, retries, the spool, the exit path — is the
 * BatchTransport's. Failure reasons never carry the configured header values or the URL's
 * credentials (a gateway that echoes the request, an error that quotes the URL).
 */
export class HttpTransport extends BatchTransport {
  override readonly type: string = 'http';
  private readonly sender: Sender;

  constructor(options: HttpTransportOptions) {
    // A header Node would refuse fails here, once, not every request at run time.
    checkHeaders(options.headers);
    // The scheme as the URL parser reads it: `HTTPS://` is https, and no other scheme is sent to
    // (checked before a preset parses the URL, whose error would carry it, credentials and all).
    const schemeOf = (url: string) => (URL.canParse(url) ? new URL(url).protocol : undefined);
    const expected = 'http transport: url: expected an http:// or https:// URL';
    if (!['http:', 'https:'].includes(schemeOf(options.url) ?? '')) throw new TypeError(expected);
    if (namesPortZero(options.url)) throw new TypeError(`http transport: url: ${PORT_ZERO}`);
    // A preset's name is a config entry's way (`"preset": "loki"`); from code it is the preset
    // itself. Taken as given, every record failed with "preset.body is not a function".
    const presetGiven = options.preset as unknown;
    if (presetGiven !== undefined && typeof (presetGiven as Partial<HttpPreset> | null)?.body !== 'function') {
      const named =
        typeof presetGiven === 'string'
          ? `, not a name: a preset by name goes in an entry, createLogger({ transports: [{ type: "http", ` +
            `url, preset: ${JSON.stringify(presetGiven)} }] })`
          : '';
      throw new TypeError(`http transport: preset: expected a preset object with body()${named}`);
    }
    const preset = options.preset ?? httpPreset('ndjson')!({ line: (r) => r.json() });
    const url = preset.url ? preset.url(options.url) : options.url;
    const protocol = schemeOf(url);
    if (protocol !== 'http:' && protocol !== 'https:') throw new TypeError(expected);
    const concurrency = options.concurrency ?? 2;
    // From code, a bound no timer holds (Infinity, past 24.8 days) waits the longest a timer can:
    // the socket's timeout refuses Infinity (every attempt failed) and warns past 24.8 days.
    const given = options.timeoutMs ?? 10_000;
    const timeoutMs = timerHolds(given) ? given : MAX_TIMER_MS;
    const sender = new Sender(
      {
        headers: options.headers ?? {},
        timeoutMs,
        compression: options.compression ?? 'none',
        concurrency,
        tls: options.tls,
      },
      protocol === 'https:',
    );
    const retryable = preset.retryable ?? DEFAULT_RETRYABLE;
    const scrubber = new Scrubber(options.url, options.headers);
    const body = new BodySize(options.batch?.maxBytes ?? DEFAULT_MAX_BYTES);
    const send: Send = { preset, sender, url, retryable, scrubber, body };
    super((records, info) => deliver(send, records, info), {
      ...options,
      // A record counts as its line times what the preset's encoding made of lines so far,
      // so batches are cut near batch.maxBytes of request body, not of JSON lines.
      size: (record) => body.estimate(record),
      concurrency,
      saysWhenWritten: true,
      // The sender's timeout is per read; this one bounds the whole attempt (a drip-fed answer),
      // at most the longest timer Node keeps (a longer one would fire after 1 ms).
      timeoutMs: Math.min(timeoutMs * 2, MAX_TIMER_MS),
    });
    this.sender = sender;
  }

  protected override extraStats(): HttpStats {
    return { ...super.extraStats(), ...this.sender.bytes };
  }

  protected override async closeResources(): Promise<void> {
    await super.closeResources();
    this.sender.close();
  }

  override giveUpSync(reason: Error): void {
    super.giveUpSync(reason);
    // Sockets of attempts nobody waits for any more must not keep the process alive.
    this.sender.close();
  }
}

export const PORT_ZERO = 'expected a port from 1 to 65535, got port 0';

/**
 * Whether a parsed URL names port 0: Node's client takes it for no port and connects to the
 * scheme's default (80, 443), so the records would go to whatever listens there.
 */
export function namesPortZero(url: string): boolean {
  return URL.canParse(url) && new URL(url).port === '0';
}

interface Send {
  preset: HttpPreset;
  sender: Sender;
  url: string;
  retryable: ReadonlySet<number>;
  scrubber: Scrubber;
  body: BodySize;
}

const DEFAULT_MAX_BYTES = 1024 * 1024;

/**
 * batch.maxBytes bounds the request body (before compression), in bytes: the preset's
 * encoding can triple a line (OTLP's attributes) and UTF-8 doubles non-ASCII text. What a
 * body weighed against its records' lines is learned, and a body over the bound is split
 * before it is sent (a single record is sent whatever its size: the server decides).
 */
class BodySize {
  /** UTF-8 bytes of body per character of JSON line, as last measured. */
  private ratio = 1;

  constructor(readonly maxBytes: number) {}

  estimate(record: LogRecord): number {
    return Math.ceil(record.json().length * this.ratio);
  }

  /** A reason to split the batch before sending it, or undefined when the body fits. */
  check(body: string | Uint8Array, records: readonly LogRecord[]): Error | undefined {
    const bytes = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    let chars = 0;
    // Indexed: this for-of made an iterator result per record (8 MB for 200,000 records).
    for (let i = 0; i < records.length; i++) chars += records[i]!.json().length;
    if (chars > 0) this.ratio = Math.min(16, Math.max(0.25, bytes / chars));
    if (bytes <= this.maxBytes || records.length < 2) return undefined;
    return new Error(`the request body (${bytes} bytes) is over batch.maxBytes (${this.maxBytes})`);
  }
}

async function deliver(send: Send, records: readonly LogRecord[], info: BatchInfo): Promise<Verdict> {
  const { preset, scrubber } = send;
  let body: string | Uint8Array;
  try {
    body = preset.bodyUtf8 === undefined ? preset.body(records) : preset.bodyUtf8(records);
  } catch (error) {
    // A preset that cannot build a body is no reason to retry: find the record it chokes on.
    const reason = error instanceof Error ? error : new Error(String(error));
    return { kind: 'bisect', reason: scrubber.scrubError(new Error(`the preset threw: ${reason.message}`)) };
  }
  const sent = typeof body === 'string' || preset.release === undefined ? undefined : giveBack(preset);
  const tooLarge = send.body.check(body, records);
  if (tooLarge !== undefined) {
    sent?.(body as Uint8Array);
    return { kind: 'split', reason: tooLarge };
  }
  try {
    const url = preset.requestUrl === undefined ? send.url : preset.requestUrl(send.url, body);
    const response = await send.sender.send(url, preset.contentType, body, info.signal, sent, info.written);
    // An error answer is scrubbed whole before anyone quotes a slice of it (a cut could
    // leave half a token); a 2xx answer is read as it came (a bulk answer's JSON intact).
    const ok = response.status >= 200 && response.status < 300;
    const read = ok || scrubber.empty ? response : { ...response, body: scrubber.scrub(response.body) };
    const verdict = preset.classify?.(read, records) ?? verdictFor(read, send.retryable);
    return cleaned(verdict, response.status, scrubber);
  } catch (error) {
    // Rejections (network errors, timeouts, the answer cap) are retried: their message scrubbed.
    throw error instanceof Error ? scrubber.scrubError(error) : new Error(scrubber.scrub(String(error)));
  }
}

/**
 * Hands a body back to its preset (see HttpPreset.release). A release that throws costs only
 * the reuse of that memory: it is called from the request's events, where a throw would end
 * the process, or from the send, where it would fail every attempt.
 */
function giveBack(preset: HttpPreset): (body: Uint8Array) => void {
  return (body) => {
    try {
      preset.release!(body);
    } catch {
      // Nothing depends on the memory being used again.
    }
  };
}

/**
 * A verdict whose reasons are scrubbed; a refusal (split, bisect) is tagged with the
 * status it came with, so the batch transport can tell that two halves were refused alike.
 * Anything else a preset returned is left to the batch transport's checks.
 */
function cleaned(verdict: Verdict, status: number, scrubber: Scrubber): Verdict {
  if (verdict === null || typeof verdict !== 'object') return verdict;
  const answer = verdict as { kind?: unknown; reason?: unknown; failed?: unknown };
  const scrub = (reason: unknown): unknown =>
    reason instanceof Error
      ? scrubber.scrubError(reason)
      : typeof reason === 'string'
        ? scrubber.scrub(reason)
        : reason;
  let out = verdict;
  if (answer.reason !== undefined) out = { ...verdict, reason: scrub(answer.reason) } as Verdict;
  if (answer.failed instanceof Map) {
    const failed = new Map<unknown, unknown>();
    for (const [index, reason] of answer.failed) failed.set(index, scrub(reason));
    out = { ...out, failed } as Verdict;
  } else if (Array.isArray(answer.failed)) {
    const failed = answer.failed.map((entry: unknown) => (Array.isArray(entry) ? [entry[0], scrub(entry[1])] : entry));
    out = { ...out, failed } as unknown as Verdict;
  }
  if ((answer.kind === 'split' || answer.kind === 'bisect') && out.kind === answer.kind) {
    const reason = (out as { reason?: unknown }).reason;
    if (reason instanceof Error && (reason as { status?: unknown }).status === undefined) {
      Object.assign(reason, { status });
    }
  }
  return out;
}
