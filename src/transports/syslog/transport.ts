import { hostname } from 'node:os';
import { BatchTransport, type BatchInfo } from '../../core/plugin/batch-transport.js';
import type { BatchResult } from '../../core/plugin/batch-outcome.js';
import type { LogRecord } from '../../core/record/log-record.js';
import { DatagramSender } from './datagram-sender.js';
import { escapeNewlines, type Framing, frame, truncateUtf8 } from './framing.js';
import { MessageBuilder } from './message.js';
import type { SyslogStats, SyslogTransportOptions } from './options.js';
import { FACILITIES } from './severity.js';
import { StreamSender } from './stream-sender.js';

/**
 * Frames are written in chunks of about this size, each with its own callback: what the
 * socket confirmed is delivered, the rest of the batch is tried again (Node confirms the
 * chunks of one corked write together, so in practice a dropped batch goes again whole).
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

interface Send {
  messages: MessageBuilder;
  framing: Framing;
  maxBytes: number;
  stream: StreamSender | undefined;
  datagram: DatagramSender | undefined;
  truncated: number;
  /** Records already counted as cut: a retry builds their message again. */
  cut: WeakSet<LogRecord>;
}

/**
 * Ships records to a syslog receiver (rsyslog, syslog-ng) as RFC 5424 messages over TCP
 * (RFC 6587), TLS (RFC 5425) or UDP (RFC 5426): a BatchTransport whose processor writes a
 * batch of framed messages to the socket. A record is delivered once written to the socket
 * (sent, for UDP); what a dropped connection did not take is tried again on a new one after a
 * backoff. Batching, retries, the spool and the exit path are the BatchTransport's.
 */
export class SyslogTransport extends BatchTransport<SyslogStats> {
  override readonly type: string = 'syslog';
  private readonly send: Send;

  constructor(options: SyslogTransportOptions = {}) {
    const protocol = options.protocol ?? 'tcp';
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? (protocol === 'tls' ? 6514 : 514);
    const facility = typeof options.facility === 'number' ? options.facility : FACILITIES[options.facility ?? 'user'];
    if (facility === undefined || !Number.isInteger(facility) || facility < 0 || facility > 23) {
      throw new RangeError(`unknown syslog facility ${JSON.stringify(options.facility)}`);
    }
    const max = options.maxMessageBytes;
    if (max !== undefined && !(Number.isInteger(max) && max >= 480)) {
      throw new RangeError(`syslog maxMessageBytes must be an integer of at least 480, not ${max}`);
    }
    const formatter = options.formatter;
    const messages = new MessageBuilder({
      facility,
      fatalSeverity: options.fatalSeverity ?? 'crit',
      hostname: options.hostname ?? hostname(),
      appName: options.appName,
      procId: options.procId ?? String(process.pid),
      msgIdField: options.msgIdField,
      structuredData: options.structuredData,
      line: formatter === undefined ? (r) => r.json() : (r) => r.formatted(formatter),
      utf8Bom: options.utf8Bom ?? false,
    });
    const send: Send = {
      messages,
      framing: options.framing ?? 'octet-counting',
      maxBytes: protocol === 'udp' ? Math.min(max ?? UDP_MAX_BYTES, DATAGRAM_LIMIT) : (max ?? STREAM_MAX_BYTES),
      stream:
        protocol === 'udp'
          ? undefined
          : new StreamSender({
              host,
              port,
              tls: protocol === 'tls' ? { ...options.tls } : undefined,
              connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
            }),
      datagram: protocol === 'udp' ? new DatagramSender(host, port) : undefined,
      truncated: 0,
      cut: new WeakSet(),
    };
    super((records, info) => deliver(send, records, info), {
      ...options,
      // Syslog receivers take a message at a time: batches only save syscalls, so they are cut soon.
      batch: { intervalMs: 100, ...options.batch },
    });
    this.send = send;
  }

  protected override extraStats(): SyslogStats {
    return {
      ...super.extraStats(),
      truncated: this.send.truncated,
      connects: this.send.stream?.connects ?? 0,
      drops: this.send.stream?.drops ?? 0,
    };
  }

  protected override async closeResources(): Promise<void> {
    await super.closeResources();
    this.send.stream?.close();
    this.send.datagram?.close();
  }

  override giveUpSync(reason: Error): void {
    super.giveUpSync(reason);
    // Writes nobody waits for any more must not keep the process alive.
    this.send.stream?.close(true);
    this.send.datagram?.close();
  }
}

/** One record's message, cut to the limit (counted); under lf its newlines escaped first, as sent. */
function message(send: Send, record: LogRecord): string {
  let built = send.messages.build(record);
  if (send.stream !== undefined && send.framing === 'lf') built = escapeNewlines(built);
  const cut = truncateUtf8(built, send.maxBytes);
  if (cut === undefined) return built;
  if (!send.cut.has(record)) {
    send.cut.add(record);
    send.truncated++;
  }
  return cut;
}

async function deliver(send: Send, records: readonly LogRecord[], info: BatchInfo): Promise<BatchResult> {
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
