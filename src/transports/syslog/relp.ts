// RELP, rsyslog's Reliable Event Logging Protocol (librelp's doc/relp.md): every frame is
// `TXNR SP COMMAND SP DATALEN [SP DATA] LF`. The client numbers its commands 1, 2, ... (after
// 999,999,999 comes 1 again); the server answers each with an `rsp` frame of the same number
// whose data starts with a three-digit status (200 is OK, anything else an error). Number 0
// is for hints, such as the server's `serverclose`.

export const MAX_TXNR = 999_999_999;

/** The transaction number after `txnr`. */
export function nextTxnr(txnr: number): number {
  return txnr >= MAX_TXNR ? 1 : txnr + 1;
}

/** One frame, ready to write. */
export function relpFrame(txnr: number, command: string, data: Buffer | string = ''): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const head = `${txnr} ${command} ${body.length}`;
  if (body.length === 0) return Buffer.from(`${head}\n`);
  return Buffer.concat([Buffer.from(`${head} `), body, NEWLINE]);
}

const NEWLINE = Buffer.from('\n');

/** The offers of our `open`: the version librelp itself speaks (0), and the one command we use. */
export const OPEN_OFFERS = 'relp_version=0\nrelp_software=streamlog\ncommands=syslog';

export interface RelpFrame {
  txnr: number;
  command: string;
  data: Buffer;
}

/** What a peer sent that is not RELP: the connection cannot be read on. */
export class RelpProtocolError extends Error {
  override readonly name = 'RelpProtocolError';
}

/** The answers a server sends are short; anything longer than this is not one. */
const MAX_DATA = 128 * 1024;
/** TXNR (9 digits), COMMAND (32 letters), DATALEN (9 digits) and their separators. */
const MAX_HEADER = 9 + 1 + 32 + 1 + 9 + 1;
const SP = 0x20;
const LF = 0x0a;

/** Reads frames out of a byte stream as it comes; throws RelpProtocolError at the first byte off the grammar. */
export class RelpParser {
  /** Bytes received and not yet read as a frame. */
  private parts: Buffer[] = [];
  private have = 0;
  /**
   * Bytes the frame begun needs in all, once its header is read: until they are here nothing is
   * joined or read again (a frame that comes a byte at a time costs its length, not its square).
   */
  private need = 0;

  push(chunk: Buffer): RelpFrame[] {
    const { frames, error } = this.read(chunk);
    if (error !== undefined) throw error;
    return frames;
  }

  /** The whole frames the chunk completes, and the error at the first byte off the grammar, if any. */
  read(chunk: Buffer): { frames: RelpFrame[]; error?: RelpProtocolError } {
    this.parts.push(chunk);
    this.have += chunk.length;
    const frames: RelpFrame[] = [];
    if (this.have < this.need) return { frames };
    let buffer = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.have);
    this.parts = [];
    this.have = 0;
    this.need = 0;
    for (;;) {
      let read: ReturnType<typeof readFrame>;
      try {
        read = readFrame(buffer);
      } catch (error) {
        // The frames before it were whole and are kept: an answer read is an answer.
        return { frames, error: error as RelpProtocolError };
      }
      if (read === undefined || 'need' in read) {
        if (buffer.length > 0) {
          this.parts.push(buffer);
          this.have = buffer.length;
          this.need = read?.need ?? 0;
        }
        return { frames };
      }
      frames.push(read.frame);
      buffer = buffer.subarray(read.end);
    }
  }
}

/**
 * The frame at the start of `buffer` and where it ends; when more bytes are needed, how many the
 * frame has in all once its header is read, else undefined.
 */
function readFrame(buffer: Buffer): { frame: RelpFrame; end: number } | { need: number } | undefined {
  let at = 0;
  const field = (what: string, max: number, ok: (byte: number) => boolean): string | undefined => {
    const start = at;
    while (at < buffer.length && buffer[at] !== SP && buffer[at] !== LF) {
      if (!ok(buffer[at]!) || at - start >= max) throw notRelp(buffer, `a bad ${what}`);
      at++;
    }
    if (at === buffer.length) {
      if (buffer.length > MAX_HEADER) throw notRelp(buffer, 'a header too long');
      return undefined;
    }
    if (at === start) throw notRelp(buffer, `an empty ${what}`);
    return buffer.toString('latin1', start, at);
  };
  const txnr = field('transaction number', 9, isDigit);
  if (txnr === undefined) return undefined;
  if (buffer[at++] !== SP) throw notRelp(buffer, 'no command');
  const command = field('command', 32, isLetter);
  if (command === undefined) return undefined;
  if (buffer[at++] !== SP) throw notRelp(buffer, 'no data length');
  const lengthText = field('data length', 9, isDigit);
  if (lengthText === undefined) return undefined;
  const length = Number(lengthText);
  if (length > MAX_DATA) throw notRelp(buffer, `data of ${length} bytes`);
  let data = Buffer.alloc(0);
  if (length > 0) {
    if (buffer[at++] !== SP) throw notRelp(buffer, 'no data');
    if (buffer.length < at + length + 1) return { need: at + length + 1 };
    data = Buffer.from(buffer.subarray(at, at + length));
    at += length;
  } else if (at === buffer.length) return undefined;
  if (buffer[at++] !== LF) throw notRelp(buffer, 'no newline after the frame');
  return { frame: { txnr: Number(txnr), command, data }, end: at };
}

function isDigit(byte: number): boolean {
  return byte >= 0x30 && byte <= 0x39;
}

function isLetter(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
}

function notRelp(buffer: Buffer, what: string): RelpProtocolError {
  const start = JSON.stringify(buffer.toString('latin1', 0, Math.min(buffer.length, 40)));
  return new RelpProtocolError(`the receiver sent something that is not RELP (${what}): ${start}`);
}

/** An `rsp` frame's data: `STATUS [SP TEXT] [LF DATA]`. */
export interface RelpAnswer {
  code: number;
  text: string;
  /** What follows the first line (the offers, in the answer to `open`). */
  rest: string;
}

const ANSWER = /^(\d{3})(?: ([^\n]*))?(?:\n([\s\S]*))?$/;

export function parseAnswer(data: Buffer): RelpAnswer {
  const match = ANSWER.exec(data.toString('latin1'));
  if (match === null) {
    throw new RelpProtocolError(`the receiver sent an answer that is not RELP: ${JSON.stringify(data.toString())}`);
  }
  return { code: Number(match[1]), text: match[2] ?? '', rest: match[3] ?? '' };
}

/** The offers of a server's answer to `open` (one `name=value,value` a line), by name. */
export function parseOffers(text: string): Map<string, string[]> {
  const offers = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    const name = eq === -1 ? line : line.slice(0, eq);
    offers.set(name, eq === -1 || eq === line.length - 1 ? [] : line.slice(eq + 1).split(','));
  }
  return offers;
}
