// How messages are delimited on a stream (RFC 6587 §3.4): octet-counting ("LEN SP MSG",
// RFC 5425's only framing) keeps newlines inside a message; lf ends each with a newline,
// so newlines inside it are written as the two characters "\n" (and "\r" likewise).

export type Framing = 'octet-counting' | 'lf';

export function frame(message: string, framing: Framing): string {
  if (framing === 'octet-counting') return `${Buffer.byteLength(message)} ${message}`;
  return `${escapeNewlines(message)}\n`;
}

const NEWLINES = /\r\n|\r|\n/g;

export function escapeNewlines(message: string): string {
  if (message.indexOf('\n') === -1 && message.indexOf('\r') === -1) return message;
  return message.replace(NEWLINES, (nl) => (nl === '\n' ? '\\n' : nl === '\r' ? '\\r' : '\\r\\n'));
}

/**
 * The message cut to at most `maxBytes` of UTF-8, never inside a character; `undefined` when
 * it fits as it is.
 */
export function truncateUtf8(message: string, maxBytes: number): string | undefined {
  // Three bytes per UTF-16 unit at most: a message this short fits without counting.
  if (message.length * 3 <= maxBytes || Buffer.byteLength(message) <= maxBytes) return undefined;
  const bytes = Buffer.from(message);
  let end = maxBytes;
  // Back off continuation bytes (10xxxxxx) to the start of the character that does not fit.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString();
}
