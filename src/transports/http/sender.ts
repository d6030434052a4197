import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, gzip, inflate } from 'node:zlib';
import { afterReads } from '../../core/util/timeout.js';
import type { HttpResponse } from './preset.js';

const gzipAsync = promisify(gzip);
/** A response body is read up to this much: enough for any error message or bulk answer. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** The codings an answer may come in: no Accept-Encoding is sent, so any is acceptable (RFC 9110, 12.5.3). */
const DECODERS: Record<string, typeof gunzip> = {
  gzip: gunzip,
  'x-gzip': gunzip,
  deflate: inflate,
  br: brotliDecompress,
};

/**
 * The answer's body with its content codings undone (last applied first), at most the answer
 * cap decoded; rejects when a coding does not decode. A coding not known here is left on.
 */
async function decodedBody(raw: Buffer, coding: string | string[] | undefined): Promise<Buffer> {
  if (typeof coding !== 'string' || raw.length === 0) return raw;
  const codings = coding
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && name !== 'identity');
  if (codings.some((name) => DECODERS[name] === undefined)) return raw;
  let body = raw;
  for (const name of codings.reverse()) {
    const decode = DECODERS[name]!;
    try {
      body = await new Promise<Buffer>((resolve, reject) =>
        decode(body, { maxOutputLength: MAX_RESPONSE_BYTES }, (error, out) => (error ? reject(error) : resolve(out))),
      );
    } catch (error) {
      throw new Error(`the answer's ${name} body could not be decoded: ${(error as Error).message}`);
    }
  }
  return body;
}

/** Sockets that have a listener of our own for errors no request is there to take. */
const guarded = new WeakSet<Socket>();

/**
 * Node's client frees a keep-alive socket once its answer is read, even with a write of the
 * request still pending (a server that answered before the body was in): that write's error
 * (ECONNRESET) then comes with no listener, and an unhandled 'error' would end the process.
 * Such an error concerns no attempt (a request on the socket hears of it through its own).
 */
function guardSocket(socket: Socket): void {
  if (guarded.has(socket)) return;
  guarded.add(socket);
  socket.on('error', () => undefined);
}

/** gzip, or none; bodies under `minBytes` (default 1 KiB) go plain: gzip would only add bytes and time. */
export type Compression = 'gzip' | 'none' | { type: 'gzip' | 'none'; minBytes?: number };

/** Bytes of request bodies before compression, and as sent. */
export interface BodyBytes {
  bodyBytes: number;
  sentBytes: number;
}

export interface SenderOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  compression: Compression;
  concurrency: number;
  /** https: extra trust and a client certificate. */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean } | undefined;
}

/**
 * Sends one request body and reads the answer, with a keep-alive agent, a timeout, and gzip
 * done by zlib off the main thread. Rejects on network errors, timeouts, an answer cut short
 * and an answer past the 4 MiB cap (its socket destroyed): all retryable by nature, as their
 * outcome is unknown. Any complete HTTP answer resolves, whatever its status.
 */
export class Sender {
  private readonly agent: HttpAgent;
  private readonly secure: boolean;
  private readonly gzipFrom: number;
  readonly bytes: BodyBytes = { bodyBytes: 0, sentBytes: 0 };

  constructor(
    private readonly options: SenderOptions,
    secure: boolean,
  ) {
    this.secure = secure;
    const compression = options.compression;
    const type = typeof compression === 'object' ? compression.type : compression;
    const minBytes = typeof compression === 'object' ? (compression.minBytes ?? 1024) : 1024;
    this.gzipFrom = type === 'gzip' ? minBytes : Number.POSITIVE_INFINITY;
    const agentOptions = { keepAlive: true, maxSockets: options.concurrency };
    this.agent = secure ? new HttpsAgent({ ...agentOptions, ...options.tls }) : new HttpAgent(agentOptions);
  }

  /**
   * `sent`: told when nothing reads `body` any more (compressed, or handed whole to the socket);
   * `onWritten`: when the request is written whole (from then the server may have the batch).
   */
  async send(
    url: string,
    contentType: string,
    body: string | Uint8Array,
    signal?: AbortSignal,
    sent?: (body: Uint8Array) => void,
    onWritten?: () => void,
  ): Promise<HttpResponse> {
    const plain = typeof body === 'string' ? Buffer.from(body) : body;
    const gzipped = plain.length >= this.gzipFrom;
    const payload = gzipped ? await gzipAsync(plain) : plain;
    if (gzipped) sent?.(plain);
    this.bytes.bodyBytes += plain.length;
    this.bytes.sentBytes += payload.length;
    const headers: Record<string, string | number> = {
      ...this.options.headers,
      'content-type': contentType,
      'content-length': payload.length,
    };
    if (gzipped) headers['content-encoding'] = 'gzip';
    const request = this.secure ? httpsRequest : httpRequest;
    return new Promise<HttpResponse>((resolve, fail) => {
      // Until the whole body is handed to the socket the server cannot have taken the batch
      // (a refused connection, a timeout while connecting); after it, the outcome is unknown.
      let written = false;
      let settled = false;
      let response: IncomingMessage | undefined;
      let capped = false;
      const chunks: Buffer[] = [];
      /** The answer, once the parser holds all of it (status, headers, body) and it was not capped. */
      const whole = (): HttpResponse | undefined =>
        response?.complete && !capped
          ? { status: response.statusCode ?? 0, headers: response.headers as IncomingHttpHeaders, body: '' }
          : undefined;
      /**
       * A 2xx that came before the body was all handed to the socket (a stub or a proxy that
       * answers at the head) cannot speak for records the server has not got: it waits for the
       * body's end, and the attempt fails (outcome unknown) if the body never goes out whole.
       */
      const early = (read: HttpResponse): boolean => !written && read.status >= 200 && read.status < 300;
      const answer = (): void => {
        const read = settled ? undefined : whole();
        if (read === undefined || early(read)) return;
        settled = true;
        const raw = Buffer.concat(chunks);
        decodedBody(raw, read.headers['content-encoding']).then(
          (body) => resolve({ ...read, body: body.toString('utf8') }),
          // A 2xx whose body cannot be read may hold a partial success: unknown, so retried.
          // Any other status decides alone; its body is only quoted, as it came.
          (error: Error) =>
            read.status >= 200 && read.status < 300
              ? fail(Object.assign(error, { outcomeUnknown: true }))
              : resolve({ ...read, body: raw.toString('utf8') }),
        );
      };
      const reject = (error: Error): void => {
        // Bytes after a whole answer that break the connection (a 204 or 304 sent with a
        // body, stray bytes) do not unsay it: its end, or the close below, settles the attempt.
        const read = whole();
        if (settled || (read !== undefined && !early(read))) return;
        settled = true;
        if (read !== undefined) {
          const why = `HTTP ${read.status} came before the request body was sent whole (${error.message})`;
          fail(Object.assign(new Error(why), { outcomeUnknown: true }));
          return;
        }
        fail(Object.assign(error, { outcomeUnknown: written }));
      };
      const req = request(url, { method: 'POST', agent: this.agent, headers, signal }, (res) => {
        response = res;
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            // Not read on: the socket goes (an endless answer must not keep it, or the CPU),
            // and what the server meant is unknown, so the attempt is retried, not delivered.
            capped = true;
            req.destroy(new Error(`the answer is larger than ${MAX_RESPONSE_BYTES} bytes (status ${res.statusCode})`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', answer);
        // An answer cut short (the connection closed before its end) is no answer; a whole
        // one's close says nothing (an early 2xx waits for the request's own end).
        const cut = (): void => {
          if (whole() === undefined) reject(new Error(`the answer was cut short (status ${res.statusCode})`));
        };
        res.on('error', cut);
        res.on('close', cut);
      });
      // A 101 answer takes the connection to another protocol: no answer to a POST.
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        reject(new Error(`the server switched protocols (status ${res.statusCode}) instead of answering`));
      });
      // An attempt in flight does not keep the process alive: whoever waits for it (a flush,
      // a close, the end of a script) does, for as long as it is willing to wait.
      req.on('socket', (socket) => {
        socket.unref();
        guardSocket(socket);
      });
      // Given up after this turn's reads (see afterReads): an answer that came while the
      // process was frozen was lost, and the batch sent again.
      req.setTimeout(this.options.timeoutMs, () =>
        afterReads(() => {
          if (!settled) req.destroy(new Error(`request timed out after ${this.options.timeoutMs} ms`));
        }),
      );
      req.on('error', reject);
      req.on('finish', () => {
        written = true;
        onWritten?.();
        if (!gzipped) sent?.(plain);
        answer();
      });
      // Whatever ended the request without a word above settles the attempt, once the answer's
      // last events (data still buffered, its end) have run.
      req.on('close', () =>
        setImmediate(() => {
          answer();
          reject(new Error('the connection closed without an answer'));
        }),
      );
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
