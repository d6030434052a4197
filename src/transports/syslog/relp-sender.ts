import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import {
  MAX_TXNR,
  nextTxnr,
  OPEN_OFFERS,
  parseAnswer,
  parseOffers,
  type RelpAnswer,
  type RelpFrame,
  RelpParser,
  RelpProtocolError,
  relpFrame,
} from './relp.js';
import { openSocket } from './stream-sender.js';

export interface RelpSenderOptions {
  host: string;
  port: number;
  /** TLS settings: the session runs over a TLS connection; absent for plain TCP. */
  tls?: ConnectionOptions | undefined;
  /** Connecting, the TLS handshake and the answer to `open`, within this. */
  connectTimeoutMs: number;
  /** Messages sent and not yet answered, at most (librelp's default is 128). */
  window: number;
  /** Something worth a diagnostic: a receiver that broke the protocol, one that refused the session. */
  report(message: string, error: Error): void;
}

/** What became of each message of one send: its answer, or none (the connection ended first). */
export interface RelpResult {
  answers: (RelpAnswer | undefined)[];
  /** Whether each message was handed to the socket (an unanswered one may have arrived). */
  written: boolean[];
  /** Why some went unanswered. */
  error?: Error;
}

/**
 * A seam for tests: the transaction number a session's first message takes (2, after `open`'s 1).
 * Set near MAX_TXNR, a test reaches the end of a session's numbers without sending a billion.
 */
export const sessionSeam = { firstTxnr: 2 };

export type OnAnswers = (indexes: number[], answers: readonly (RelpAnswer | undefined)[]) => void;

interface Waiter {
  index: number;
  message: Buffer;
  written: boolean;
  /** Told as the message is written (the batch has gone out, at least in part). */
  onWritten: (() => void) | undefined;
  settle(answer: RelpAnswer | undefined): void;
}

/** The answers of one send that came in the chunk being read, told together once it is read. */
interface Fresh {
  indexes: number[];
  tell(): void;
}

/**
 * One RELP session at a time: a TCP connection (or a TLS one), opened with `open` and its offers, on which
 * messages go out as `syslog` commands, at most `window` unanswered. A message is known to be
 * delivered only when its `rsp 200` comes back. When the connection ends, is reset, or the
 * receiver sends what is not RELP, the unanswered messages are answered with nothing: the
 * caller sends them again on the next session (so a receiver may see one twice).
 */
export class RelpSender {
  private session: Session | undefined;
  /** Sessions out of transaction numbers, finishing what they were sent before closing. */
  private readonly retiring = new Set<Session>();
  private opening: Promise<Session> | undefined;
  private closed = false;
  connects = 0;
  drops = 0;

  constructor(private readonly options: RelpSenderOptions) {}

  /**
   * Sends the messages; `onAnswers` hears the indexes answered as the answers come (each
   * once), so a record can be settled on its own acknowledgement, before the last.
   */
  async send(
    messages: readonly Buffer[],
    signal: AbortSignal,
    onAnswers?: OnAnswers,
    onWritten?: () => void,
  ): Promise<RelpResult> {
    let session = await this.ready(signal);
    if (!session.fits(messages.length)) {
      // librelp's receiver takes no number after 999,999,999 (it expects a tenth digit, which
      // its reader refuses): a session near the end of its numbers finishes what it has and
      // closes; these go on a new one, which starts from 1 again.
      this.retire(session);
      session = await this.ready(signal);
    }
    return session.send(messages, signal, onAnswers, onWritten);
  }

  private retire(session: Session): void {
    if (this.session === session) this.session = undefined;
    this.retiring.add(session);
    session.retire();
  }

  private ready(signal: AbortSignal): Promise<Session> {
    if (this.closed) return Promise.reject(Object.assign(new Error('sender closed'), { outcomeUnknown: false }));
    const session = this.session;
    if (session?.usable) return Promise.resolve(session);
    this.opening ??= this.open(signal).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** Connects and opens a session; rejects (nothing of ours sent) when either fails in time. */
  private open(signal: AbortSignal): Promise<Session> {
    const { host, port, tls, connectTimeoutMs } = this.options;
    return new Promise<Session>((resolve, reject) => {
      const { socket, ready } = openSocket(host, port, tls);
      socket.unref();
      let session: Session | undefined;
      const fail = (error: Error): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        session?.destroy(error);
        socket.destroy();
        reject(Object.assign(error, { outcomeUnknown: false }));
      };
      const onAbort = (): void => fail(abortReason(signal));
      const timer = setTimeout(
        () => fail(new Error(`could not open a RELP session with ${host}:${port} within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
      // A TLS connection that fails after TCP connected failed its handshake: the reason says so
      // (an untrusted or misnamed certificate, a receiver that wants a client certificate).
      let connected = false;
      socket.once('connect', () => {
        connected = true;
      });
      const onError = (error: Error): void =>
        fail(
          tls !== undefined && connected
            ? new Error(`the TLS handshake with ${host}:${port} failed: ${error.message}`, { cause: error })
            : error,
        );
      socket.once('error', onError);
      socket.once(ready, () => {
        socket.off('error', onError);
        if (this.closed) {
          fail(new Error('sender closed'));
          return;
        }
        session = new Session(socket, this.options, () => {
          this.retiring.delete(session!);
          if (this.session !== session) return;
          this.session = undefined;
          this.drops++;
        });
        session.opened.then(
          () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', onAbort);
            this.connects++;
            this.session = session;
            resolve(session!);
          },
          (error: Error) => fail(error),
        );
      });
    });
  }

  /** Ends the session: politely (`close`, then the connection) or, `force`, at once. */
  close(force = false): void {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    session?.close(force);
    for (const old of this.retiring) old.close(force);
  }
}

/** One connection and its transactions. */
class Session {
  private readonly parser = new RelpParser();
  private txnr = 1;
  private readonly firstTxnr = Math.max(2, Math.min(sessionSeam.firstTxnr, MAX_TXNR - 1));
  /** Sent, by transaction number, oldest first. */
  private readonly unanswered = new Map<number, Waiter>();
  /** Waiting for room in the window. */
  private readonly backlog: Waiter[] = [];
  /** Sends with answers from the chunk being read. */
  private readonly fresh = new Set<Fresh>();
  private ended: Error | undefined;
  /** The transaction of our `close`, once sent. */
  private closeTxnr: number | undefined;
  /** Out of transaction numbers: takes no more sends, and closes once all it has are answered. */
  private retired = false;
  private openAnswer: ((answer: RelpAnswer | Error) => void) | undefined;
  readonly opened: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly options: RelpSenderOptions,
    private readonly onEnd: () => void,
  ) {
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error) => this.destroy(error));
    socket.on('end', () => this.destroy(new Error('the receiver closed the connection')));
    socket.on('close', () => this.destroy(new Error('the connection closed')));
    this.opened = new Promise<void>((resolve, reject) => {
      this.openAnswer = (answer) => {
        this.openAnswer = undefined;
        if (answer instanceof Error) {
          const tlsRefusal = this.options.tls !== undefined && !(answer instanceof RelpProtocolError);
          return reject(tlsRefusal ? unansweredOpen(answer) : answer);
        }
        const refused = openRefusal(answer);
        if (refused === undefined) return resolve();
        this.options.report(`syslog (relp): ${refused.message}`, refused);
        this.destroy(refused);
        reject(refused);
      };
    });
    socket.write(relpFrame(this.take(), 'open', OPEN_OFFERS));
    this.txnr = this.firstTxnr;
  }

  get usable(): boolean {
    return this.ended === undefined && this.closeTxnr === undefined && !this.retired;
  }

  /**
   * Whether `count` more messages get numbers below MAX_TXNR (kept for our `close`) after
   * those waiting; a session that has sent nothing yet takes any batch.
   */
  fits(count: number): boolean {
    if (this.txnr === this.firstTxnr && this.backlog.length === 0) return true;
    return this.txnr + this.backlog.length + count <= MAX_TXNR;
  }

  retire(): void {
    this.retired = true;
    this.closeWhenDone();
  }

  private closeWhenDone(): void {
    if (!this.retired || this.ended !== undefined || this.closeTxnr !== undefined) return;
    if (this.unanswered.size === 0 && this.backlog.length === 0) this.close(false);
  }

  /** Sends each message as a `syslog` command; resolves once each is answered or the session ended. */
  send(
    messages: readonly Buffer[],
    signal: AbortSignal,
    onAnswers?: OnAnswers,
    onWritten?: () => void,
  ): Promise<RelpResult> {
    const answers: (RelpAnswer | undefined)[] = new Array(messages.length).fill(undefined);
    const waiters: Waiter[] = [];
    const fresh: Fresh = {
      indexes: [],
      tell: () => {
        const indexes = fresh.indexes;
        fresh.indexes = [];
        if (indexes.length > 0) onAnswers?.(indexes, answers);
      },
    };
    return new Promise<RelpResult>((resolve) => {
      let left = messages.length;
      const done = (): void => {
        signal.removeEventListener('abort', onAbort);
        const written = waiters.map((w) => w.written);
        if (!answers.includes(undefined)) resolve({ answers, written });
        else resolve({ answers, written, error: this.ended ?? new Error('the session ended') });
      };
      // An attempt given up (timed out, the process exiting): its transactions cannot be
      // answered on this session any more, so it ends; the next attempt opens another.
      const onAbort = (): void => this.destroy(abortReason(signal));
      if (messages.length === 0) return done();
      signal.addEventListener('abort', onAbort, { once: true });
      messages.forEach((message, index) => {
        const waiter: Waiter = {
          index,
          message,
          written: false,
          onWritten,
          settle: (answer) => {
            answers[index] = answer;
            if (answer !== undefined) {
              fresh.indexes.push(index);
              this.fresh.add(fresh);
            }
            if (--left === 0) done();
          },
        };
        waiters.push(waiter);
        this.backlog.push(waiter);
      });
      if (this.ended !== undefined) this.endAll();
      else this.pump();
    });
  }

  /** Writes from the backlog while the window has room. */
  private pump(): void {
    if (this.ended !== undefined || this.openAnswer !== undefined) return;
    if (this.unanswered.size >= this.options.window || this.backlog.length === 0) return;
    this.socket.cork();
    while (this.unanswered.size < this.options.window && this.backlog.length > 0) {
      const waiter = this.backlog.shift()!;
      const txnr = this.take();
      this.unanswered.set(txnr, waiter);
      waiter.written = true;
      this.socket.write(relpFrame(txnr, 'syslog', waiter.message));
      waiter.onWritten?.();
    }
    this.socket.uncork();
  }

  private take(): number {
    const txnr = this.txnr;
    this.txnr = nextTxnr(txnr);
    return txnr;
  }

  private received(chunk: Buffer): void {
    if (this.ended !== undefined) return;
    try {
      const { frames, error } = this.parser.read(chunk);
      for (const frame of frames) {
        this.frame(frame);
        if (this.ended !== undefined) break;
      }
      if (error !== undefined && this.ended === undefined) throw error;
    } catch (error) {
      const problem = error instanceof RelpProtocolError ? error : new RelpProtocolError(String(error));
      this.options.report(`syslog (relp): ${problem.message}; the connection is dropped`, problem);
      this.destroy(problem);
    }
    // The answers that came are told before anything else happens (a send's result follows).
    const fresh = [...this.fresh];
    this.fresh.clear();
    for (const send of fresh) send.tell();
    this.pump();
    this.closeWhenDone();
  }

  private frame(frame: RelpFrame): void {
    if (frame.txnr === 0) {
      // A hint. serverclose: the receiver is going; what it did not answer goes again on the next session.
      if (frame.command === 'serverclose') this.destroy(new Error('the receiver closed the session (serverclose)'));
      return;
    }
    if (frame.command !== 'rsp') {
      throw new RelpProtocolError(
        `the receiver sent a "${frame.command}" command (${frame.txnr}); only rsp is answered`,
      );
    }
    if (frame.txnr === this.closeTxnr) {
      // The answer to our close (librelp's has no status): the session is over.
      this.destroy(new Error('sender closed'));
      return;
    }
    const answer = parseAnswer(frame.data);
    if (this.openAnswer !== undefined) {
      if (frame.txnr !== 1) throw new RelpProtocolError(`the answer to open came as transaction ${frame.txnr}`);
      this.openAnswer(answer);
      return;
    }
    const waiter = this.unanswered.get(frame.txnr);
    if (waiter === undefined) {
      throw new RelpProtocolError(`the receiver answered transaction ${frame.txnr}, which is not open`);
    }
    this.unanswered.delete(frame.txnr);
    waiter.settle(answer);
  }

  /** The session is over: every message not answered is answered with nothing. */
  destroy(error: Error): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    this.socket.destroy();
    this.openAnswer?.(error);
    this.endAll();
    this.onEnd();
  }

  private endAll(): void {
    const waiters = [...this.unanswered.values(), ...this.backlog];
    this.unanswered.clear();
    this.backlog.length = 0;
    for (const waiter of waiters) waiter.settle(undefined);
  }

  close(force: boolean): void {
    if (force || this.ended !== undefined) {
      this.destroy(new Error('sender closed'));
      return;
    }
    if (this.closeTxnr !== undefined) return;
    this.closeTxnr = this.take();
    this.socket.write(relpFrame(this.closeTxnr, 'close'));
    this.socket.end();
    // A peer that never reads must not hold the socket open.
    setTimeout(() => this.destroy(new Error('sender closed')), 5_000).unref();
  }
}

/** Why a server's answer to `open` does not make a session we can use, or undefined. */
function openRefusal(answer: RelpAnswer): Error | undefined {
  if (answer.code !== 200) return new Error(`the receiver refused the RELP session: ${answer.code} ${answer.text}`);
  const offers = parseOffers(answer.rest);
  if (!offers.has('relp_version')) return new RelpProtocolError('the receiver offered no relp_version');
  if (!(offers.get('commands') ?? []).includes('syslog')) {
    return new Error('the receiver does not take the syslog command over RELP (no "commands=syslog" offered)');
  }
  return undefined;
}

/**
 * The connection ended before the answer to `open`, over TLS: after a handshake our side saw
 * finish (TLS 1.3), rsyslog's imrelp drops a client certificate it does not accept, or one it
 * wants and did not get, this way. The reason says so.
 */
function unansweredOpen(error: Error): Error {
  const why =
    "over TLS, rsyslog's imrelp does this when it wants a client certificate or refuses ours (its log says which)";
  return new Error(`${error.message} before answering open; ${why}`, { cause: error });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
