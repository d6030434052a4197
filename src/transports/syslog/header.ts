// RFC 5424 §6: the header's fields are printable US-ASCII (33-126) with a length limit each,
// "-" when empty; structured data names likewise, without '=', ']' and '"'.

export const NILVALUE = '-';

/** The RFC's limits, in characters (all ASCII, so bytes too). */
export const LIMITS = Object.freeze({ hostname: 255, appName: 48, procId: 128, msgId: 32, sdName: 32 });

const NOT_PRINTABLE = /[^\x21-\x7e]/gu;
const NOT_SD_NAME = /[^\x21-\x7e]|[="\]]/gu;

/** A header field: characters outside printable ASCII replaced by "_", cut to `max`, "-" when empty. */
export function headerField(value: string | undefined, max: number): string {
  if (value === undefined || value === '') return NILVALUE;
  return value.replace(NOT_PRINTABLE, '_').slice(0, max);
}

/** An SD-ID or PARAM-NAME: 1 to 32 printable ASCII characters, none of '=', ' ', ']', '"'. */
export function sdName(value: string): string {
  const name = value.replace(NOT_SD_NAME, '_').slice(0, LIMITS.sdName);
  return name === '' ? '_' : name;
}

const SD_ESCAPE = /["\\\]]/g;

/** A PARAM-VALUE: '"', '\' and ']' escaped with a backslash (§6.3.3), NUL replaced. */
export function sdValue(value: string): string {
  return withoutNul(value).replace(SD_ESCAPE, '\\$&');
}

/**
 * NUL replaced by U+FFFD. Receivers written in C end strings at a NUL or rewrite it
 * (rsyslog writes "#000" and can lose the characters around it), so none is sent.
 */
export function withoutNul(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\uFFFD') : value;
}

/** RFC 3339 in UTC with milliseconds; "-" for a time no RFC 3339 year can hold. */
export function timestamp(time: number): string {
  if (!Number.isFinite(time)) return NILVALUE;
  // Records come by the thousand within one second: its "YYYY-MM-DDThh:mm:ss" is made once.
  const second = Math.floor(time / 1000);
  if (second !== lastSecond) {
    const date = new Date(second * 1000);
    const year = date.getUTCFullYear();
    // toISOString writes years past 9999 as "+010000": not a timestamp a receiver parses. RFC
    // 5424 allows any four digits, but rsyslog (8.2302, checked) takes no year past 2099: it
    // read the whole header as the message, under its own host name and no app-name.
    if (!(year >= 0 && year <= LAST_YEAR)) return NILVALUE;
    lastSecond = second;
    lastPrefix = date.toISOString().slice(0, 19);
  }
  const ms = Math.floor(time - second * 1000);
  return `${lastPrefix}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

/** The last year rsyslog parses in a timestamp (see above); the record's line keeps its time. */
const LAST_YEAR = 2099;

let lastSecond = Number.NaN;
let lastPrefix = '';
