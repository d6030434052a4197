/** The largest uint64: the latest time OTLP and Loki can hold (in the year 2554). */
const MAX_NANOS = (1n << 64n) - 1n;
const MAX_NANOS_STRING = MAX_NANOS.toString();
/** The largest whole millisecond whose nanoseconds fit in a uint64. */
const MAX_WHOLE_MS = Number(MAX_NANOS / 1_000_000n);
const view = new DataView(new ArrayBuffer(8));

/**
 * Epoch milliseconds as the decimal string of whole nanoseconds that OTLP's `timeUnixNano`
 * and Loki's entries want: a valid uint64 for any number. Whole milliseconds (nearly every
 * record) are the digits and six zeros; a fraction is rounded to the nearest nanosecond
 * (half up), computed exactly from the double's bits. Negative, NaN and infinite times
 * are "0" (OTLP's "unknown"); past 2^64 − 1 ns, 2^64 − 1.
 */
export function unixNanos(ms: number): string {
  if (Number.isInteger(ms) && ms > 0 && ms <= MAX_WHOLE_MS) return `${ms}000000`;
  if (!(ms > 0) || ms === Number.POSITIVE_INFINITY) return '0';
  if (ms >= MAX_WHOLE_MS + 1) return MAX_NANOS_STRING;
  // Here 0 < ms < 2^45 and not whole: ms = mantissa · 2^-shift exactly, with shift ≥ 1.
  view.setFloat64(0, ms);
  const high = view.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  let shift: bigint;
  if (biased === 0) shift = 1074n;
  else {
    mantissa |= 1n << 52n;
    shift = BigInt(1075 - biased);
  }
  const nanos = (mantissa * 1_000_000n + (1n << (shift - 1n))) >> shift;
  return (nanos > MAX_NANOS ? MAX_NANOS : nanos).toString();
}
