import type { Utf8Buffer } from '../../../core/util/utf8-buffer.js';

/**
 * A request body written as UTF-8 bytes into one growing buffer: a body made of thousands of
 * small strings costs more to join and encode than to write (V8 flattens a rope node by node,
 * then encodes the whole again).
 */
export class ByteWriter {
  bytes: Buffer;
  at = 0;

  /** `bytes`: a buffer to write into (a lent one, see body-buffers), else a new one of `size`. */
  constructor(size: number, bytes?: Buffer) {
    this.bytes = bytes ?? Buffer.allocUnsafe(size);
  }

  reset(): void {
    this.at = 0;
  }

  /** Lets go of a buffer grown past `max` bytes (for a huge record), for one of `size`. */
  shrink(max: number, size: number): void {
    if (this.bytes.length > max) this.bytes = Buffer.allocUnsafe(size);
    this.at = 0;
  }

  /** Room for `n` more bytes. */
  room(n: number): void {
    if (this.at + n > this.bytes.length) this.grow(n);
  }

  /** Copies `source[start, end)` in. */
  copy(source: Uint8Array, start: number, end: number): void {
    this.room(end - start);
    this.put(source, start, end);
  }

  /** `copy` into room asked for beforehand (see `room`): no check of its own. */
  put(source: Uint8Array, start: number, end: number): void {
    const bytes = this.bytes;
    let at = this.at;
    // Short runs (keys, numbers, small strings) copy faster in a loop (about 2.5 ns a byte)
    // than through a native call with a view made for them (about 60 ns).
    if (end - start < 24) for (let i = start; i < end; i++) bytes[at++] = source[i]!;
    else {
      bytes.set(source.subarray(start, end), at);
      at += end - start;
    }
    this.at = at;
  }

  /** Writes bytes made once (a constant piece of the body). */
  piece(source: Uint8Array): void {
    this.room(source.length);
    this.putPiece(source);
  }

  /** `piece` into room asked for beforehand (see `room`). */
  putPiece(source: Uint8Array): void {
    const length = source.length;
    // A piece needs no view made for it: from 6 bytes on, the native copy (about 16 ns) is the faster.
    if (length < 6) {
      const bytes = this.bytes;
      let at = this.at;
      for (let i = 0; i < length; i++) bytes[at++] = source[i]!;
      this.at = at;
    } else {
      this.bytes.set(source, this.at);
      this.at += length;
    }
  }

  /** `byte` into room asked for beforehand (see `room`). */
  putByte(value: number): void {
    this.bytes[this.at++] = value;
  }

  byte(value: number): void {
    this.room(1);
    this.bytes[this.at++] = value;
  }

  /** Writes a string as UTF-8. */
  text(value: string): void {
    this.room(value.length * 3);
    // Buffer's own method, without write()'s argument checks: a body writes one per record.
    this.at += (this.bytes as Buffer & Utf8Buffer).utf8Write(value, this.at);
  }

  private grow(n: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.at + n));
    this.bytes.copy(next, 0, 0, this.at);
    this.bytes = next;
  }
}

/** A constant piece of a body, as bytes. */
export function ascii(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}
