import { hostname } from 'node:os';
import { BatchTransport, type BatchInfo } from '../../core/plugin/batch-transport.js';
import { MAX_TIMER_MS } from '../../core/plugin/units.js';
import { timerHolds } from '../../core/util/timeout.js';
import type { BatchResult } from '../../core/plugin/batch-outcome.js';
import type { LogRecord } from '../../core/record/log-record.js';
import { DatagramSender } from './datagram-sender.js';
import { escapeNewlines, type Framing, frame, truncateUtf8 } from './framing.js';
import { longestHeader, MessageBuilder, type MessageOptions } from './message.js';
import type { SyslogProtocol, SyslogStats, SyslogTransportOptions } from './options.js';
import type { RelpAnswer } from './relp.js';
import { RelpSender } from './relp-sender.js';
import { FACILITIES } from './severity.js';
import { StreamSender } from './stream-sender.js';

/**
 * Frames are written in chunks of about this size: a batch whose write completes is
 * delivered; one whose connection fails under it goes again whole on a new connection (over
 * TLS, Node confirms the chunks of one corked write together; over TCP the kernel may have
 * taken part of it and lost it with the connection).
 */
const CHUNK_BYTES = 64 * 1024;
const UDP_MAX_BYTES = 2048;
/**
 * rsyslog's default maxMessageSize. A longer message is split by rsyslog, over either
 * framing, and the rest parsed as a message of its own: a logged value could forge a record
 * of any host and severity. Cut here, counted, it cannot.
 */
const STREAM_MAX_BYTES = 8096;
/** The most a UDP datagram over IPv4 carries; a larger one is refused at every send (EMSGSIZE). */
const DATAGRAM_LIMIT = 65_507;
/** A RELP window beyond this is no use to any receiver, and a way to hold a great deal unanswered. */
export const MAX_RELP_WINDOW = 100_000;

interface Send {
  messages: MessageBuilder;
  framing: Framing;
  maxBytes: number;
  stream: StreamSender | undefined;
  datagram: DatagramSender | undefined;
  relp: RelpSender | undefined;
  truncated: number;
  /** Records already counted as cut: a retry builds their message again. */
  cut: WeakSet<LogRecord>;
}

/**
 * Ships records to a syslog receiver (rsyslog, syslog-ng) as RFC 5424 messages over TCP
 * (RFC 6587), TLS (RFC 5425), UDP (RFC 5426) or RELP: a BatchTransport whose processor writes a
 * batch of framed messages to the socket. Over TCP, TLS and UDP a record is delivered once
 * written to the socket (sent, for UDP); what a dropped connection did not take is tried again
 * on a new one after a backoff. Over RELP a record is delivered when the receiver acknowledges
 * it (`rsp 200`), fails when it refuses it, and is sent again on a new session when the
 * connection ends before the answer. Batching, retries, the spool and the exit path are the
 * BatchTransport's.
 */
export class SyslogTransport extends BatchTransport<SyslogStats> {
  override readonly type: string = 'syslog';
  private readonly send: Send;

  constructor(options: SyslogTransportOptions = {}) {
    const protocol = options.protocol ?? 'tcp';
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? defaultPort(protocol);
    const facility = typeof options.facility === 'number' ? options.facility : FACILITIES[options.facility ?? 'user'];
    if (facility === undefined || !Number.isInteger(facility) || facility < 0 || facility > 23) {
      throw new RangeError(`unknown syslog facility ${JSON.stringify(options.facility)}`);
    }
    const max = options.maxMessageBytes;
    if (max !== undefined && !(Number.isInteger(max) && max >= 480)) {
      throw new RangeError(`syslog maxMessageBytes must be an integer of at least 480, not ${max}`);
    }
    const window = options.relpWindow ?? 128;
    // From code, a bound no timer holds (Infinity, past 24.8 days) waits as long as one can:
    // Node fires a longer timer after 1 ms, and every connection would fail as too slow.
    const given = options.connectTimeoutMs ?? 10_000;
    const connectTimeoutMs = timerHolds(given) ? given : MAX_TIMER_MS;
    if (!(Number.isInteger(window) && window >= 1 && window <= MAX_RELP_WINDOW)) {
      throw new RangeError(`syslog relpWindow must be an integer from 1 to ${MAX_RELP_WINDOW}, not ${window}`);
    }
    const formatter = options.formatter;
    const maxBytes = protocol === 'udp' ? Math.min(max ?? UDP_MAX_BYTES, DATAGRAM_LIMIT) : (max ?? STREAM_MAX_BYTES);
    const header = headerFields(options);
    const longest = longestHeader(header);
    if (maxBytes < longest) {
      throw new RangeError(
        `syslog maxMessageBytes must be at least ${longest}: the header can take that many bytes with this ` +
          'hostname, appName, procId and msgIdField, and a cut inside it leaves no syslog message',
      );
    }
    const messages = new MessageBuilder({
      facility,
      fatalSeverity: options.fatalSeverity ?? 'crit',
      ...header,
      structuredData: options.structuredData,
      line: formatter === undefined ? (r) => r.json() : (r) => r.formatted(formatter),
      utf8Bom: options.utf8Bom ?? false,
      maxBytes,
      escapesNewlines: protocol !== 'udp' && protocol !== 'relp' && options.framing === 'lf',
    });
    const send: Send = {
      messages,
      framing: options.framing ?? 'octet-counting',
      maxBytes,
      stream:
        protocol === 'udp' || protocol === 'relp'
          ? undefined
          : new StreamSender({
              host,
              port,
              tls: protocol === 'tls' ? { ...options.tls } : undefined,
              connectTimeoutMs,
              report: (message, error) => this.report(message, error),
            }),
      datagram: protocol === 'udp' ? new DatagramSender(host, port) : undefined,
      relp:
        protocol === 'relp'
          ? new RelpSender({
              host,
              port,
              tls: options.tls === undefined ? undefined : { ...options.tls },
              connectTimeoutMs,
              window,
              report: (message, error) => this.report(message, error),
            })
          : undefined,
      truncated: 0,
      cut: new WeakSet(),
    };
    super((records, info) => deliver(send, records, info), {
      ...options,
      // Syslog receivers take a message at a time: batches only save syscalls, so they are cut soon.
      batch: { intervalMs: 100, ...options.batch },
      // RELP answers each message: one written and unanswered may be at the receiver.
      saysWhenWritten: options.protocol === 'relp',
    });
    this.send = send;
  }

  protected override extraStats(): SyslogStats {
    return {
      ...super.extraStats(),
      truncated: this.send.truncated,
      connects: this.send.stream?.connects ?? this.send.relp?.connects ?? 0,
      drops: this.send.stream?.drops ?? this.send.relp?.drops ?? 0,
    };
  }

  protected override async closeResources(): Promise<void> {
    await super.closeResources();
    this.send.stream?.close();
    this.send.datagram?.close();
    this.send.relp?.close();
  }

  override giveUpSync(reason: Error): void {
    super.giveUpSync(reason);
    // Writes nobody waits for any more must not keep the process alive.
    this.send.stream?.close(true);
    this.send.datagram?.close();
    this.send.relp?.close(true);
  }
}

/** The header's fields as the options give them, with their defaults (this host, this process). */
export function headerFields(
  options: Pick<SyslogTransportOptions, 'hostname' | 'appName' | 'procId' | 'msgIdField'>,
): Pick<MessageOptions, 'hostname' | 'appName' | 'procId' | 'msgIdField'> {
  return {
    hostname: options.hostname ?? hostname(),
    appName: options.appName,
    procId: options.procId ?? String(process.pid),
    msgIdField: options.msgIdField,
  };
}

/** The port a protocol's receivers listen on when none is given. */
export function defaultPort(protocol: SyslogProtocol): number {
  // 2514: rsyslog's documentation's RELP port (none is registered; omrelp defaults to 514, librelp to 20514).
  return protocol === 'tls' ? 6514 : protocol === 'relp' ? 2514 : 514;
}

/** One record's message, cut to the limit (counted); under lf its newlines escaped first, as sent. */
function message(send: Send, record: LogRecord): string {
  let built = send.messages.build(record);
  const valuesCut = send.messages.cutLast;
  if (send.stream !== undefined && send.framing === 'lf') built = escapeNewlines(built);
  const cut = truncateUtf8(built, send.maxBytes);
  if (cut === undefined && !valuesCut) return built;
  if (!send.cut.has(record)) {
    send.cut.add(record);
    send.truncated++;
  }
  return cut ?? built;
}

async function deliver(send: Send, records: readonly LogRecord[], info: BatchInfo): Promise<BatchResult> {
  if (send.relp !== undefined) return deliverRelp(send.relp, send, records, info);
  if (send.datagram !== undefined) {
    const { refused, error } = await send.datagram.send(records.map((r) => Buffer.from(message(send, r))));
    if (refused.length === 0) return undefined;
    // None went (a name that does not resolve): the batch waits out a backoff, failing with
    // the socket's reason, not a generic one. Nothing was sent, so no duplicate either.
    if (refused.length === records.length) throw Object.assign(error!, { outcomeUnknown: false });
    return { retry: refused };
  }
  // Chunks of whole frames, and the index of the first record after each.
  const chunks: string[] = [];
  const ends: number[] = [];
  let chunk = '';
  for (let i = 0; i < records.length; i++) {
    chunk += frame(message(send, records[i]!), send.framing);
    if (chunk.length >= CHUNK_BYTES || i === records.length - 1) {
      chunks.push(chunk);
      ends.push(i + 1);
      chunk = '';
    }
  }
  const result = await send.stream!.write(chunks, info.signal);
  if (result.error === undefined) return undefined;
  const sent = result.written === 0 ? 0 : ends[result.written - 1]!;
  // Nothing written: the whole batch waits out a backoff (a reconnect). Else the rest does.
  if (sent === 0) throw result.error;
  return { retry: Array.from({ length: records.length - sent }, (_, i) => sent + i) };
}

/**
 * RELP: each record is delivered on its `rsp 200`, failed on any other answer, as the answer
 * comes (so an exit meanwhile concerns only the unanswered); those the session ended before
 * answering wait out a backoff and go again on a new session.
 */
async function deliverRelp(relp: RelpSender, send: Send, records: readonly LogRecord[], info: BatchInfo) {
  const { answers, written, error } = await relp.send(
    records.map((r) => Buffer.from(message(send, r))),
    info.signal,
    (indexes, answers) => {
      const delivered = indexes.filter((i) => answers[i]!.code === 200);
      if (delivered.length > 0) info.settle(delivered);
      for (const i of indexes) if (answers[i]!.code !== 200) info.settle([i], refusal(answers[i]!));
    },
    info.written,
  );
  const failed: [number, Error][] = [];
  const retry: number[] = [];
  let sentUnanswered = false;
  answers.forEach((answer, i) => {
    if (answer === undefined) {
      retry.push(i);
      if (written[i]) sentUnanswered = true;
    } else if (answer.code !== 200) failed.push([i, refusal(answer)]);
  });
  const why = error ?? new Error('not answered');
  // Nothing answered: the batch waits out a backoff, a possible duplicate if any of it was sent.
  if (retry.length === records.length) throw Object.assign(why, { outcomeUnknown: sentUnanswered });
  if (failed.length === 0 && retry.length === 0) return undefined;
  return { failed, retry, reason: why, outcomeUnknown: sentUnanswered };
}

function refusal(answer: RelpAnswer): Error {
  const text = answer.text === '' ? '' : ` ${answer.text}`;
  return Object.assign(new Error(`the receiver refused it: ${answer.code}${text}`), { status: answer.code });
}
