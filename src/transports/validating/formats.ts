import { isIPv4, isIPv6 } from 'node:net';
import type { AjvInstance } from './load-ajv.cjs';

/*
 * Formats where ajv-formats decides differently from the RFCs the JSON Schema Test Suite
 * follows (quoted local parts and address literals in e-mail, a port that is not a number
 * in a URI, "urn:uuid:" before a UUID, an offset without minutes in a date-time). Each is
 * written from its RFC's grammar; the other formats stay ajv-formats'.
 */

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/** RFC 3339 section 5.6; a leap second only where the time in UTC is 23:59:60. */
export function isDateTime(value: string): boolean {
  const m = DATE_TIME.exec(value);
  if (!m) return false;
  const [year, month, day, hour, minute, second, sign, offsetHour, offsetMinute] = m
    .slice(1)
    .map((p, i) => (i === 6 ? p : Number(p))) as [
    number,
    number,
    number,
    number,
    number,
    number,
    string | undefined,
    number,
    number,
  ];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS[month - 1];
  if (days === undefined || day < 1 || day > days) return false;
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (sign !== undefined && (offsetHour > 23 || offsetMinute > 59)) return false;
  if (second < 60) return true;
  const offset = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (offsetHour * 60 + offsetMinute);
  const utcMinutes = (((hour * 60 + minute - offset) % 1440) + 1440) % 1440;
  return utcMinutes === 23 * 60 + 59;
}

const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_PART = new RegExp(
  `^(?:${ATOM}(?:\\.${ATOM})*|"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e]|\\\\[\\x20-\\x7e])*")$`,
);
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** RFC 5321 Mailbox: a dot-string or quoted local part, then a domain or an address literal. */
export function isEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0) return false;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (!LOCAL_PART.test(local)) return false;
  if (domain.startsWith('[') && domain.endsWith(']')) {
    const literal = domain.slice(1, -1);
    return literal.startsWith('IPv6:') ? isIPv6(literal.slice(5)) : isIPv4(literal);
  }
  return DOMAIN.test(domain);
}

const UNRESERVED = "A-Za-z0-9\\-._~!$&'()*+,;=";
const PCT = '%[0-9A-Fa-f]{2}';
const REG_NAME = new RegExp(`^(?:[${UNRESERVED}]|${PCT})*$`);
const USERINFO = new RegExp(`^(?:[${UNRESERVED}:]|${PCT})*$`);
const PATH = new RegExp(`^(?:[${UNRESERVED}:@/]|${PCT})*$`);
const QUERY = new RegExp(`^(?:[${UNRESERVED}:@/?]|${PCT})*$`);
const IP_FUTURE = new RegExp(`^v[0-9A-Fa-f]+\\.[${UNRESERVED}:]+$`);

function isAuthority(authority: string): boolean {
  const at = authority.indexOf('@');
  if (at >= 0 && !USERINFO.test(authority.slice(0, at))) return false;
  const hostPort = authority.slice(at + 1);
  let host: string;
  let port: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return false;
    const literal = hostPort.slice(1, close);
    if (!isIPv6(literal) && !IP_FUTURE.test(literal)) return false;
    host = '';
    port = hostPort.slice(close + 1);
    if (port !== '' && !port.startsWith(':')) return false;
    port = port.slice(1);
  } else {
    const colon = hostPort.indexOf(':');
    host = colon < 0 ? hostPort : hostPort.slice(0, colon);
    port = colon < 0 ? '' : hostPort.slice(colon + 1);
    if (!REG_NAME.test(host)) return false;
  }
  return /^\d*$/.test(port);
}

/** RFC 3986 URI (absolute, a fragment allowed). */
export function isUri(value: string): boolean {
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s.exec(value);
  if (!m) return false;
  const [, hier = '', query, fragment] = m;
  if (query !== undefined && !QUERY.test(query)) return false;
  if (fragment !== undefined && !QUERY.test(fragment)) return false;
  if (hier.startsWith('//')) {
    const slash = hier.indexOf('/', 2);
    const authority = slash < 0 ? hier.slice(2) : hier.slice(2, slash);
    return isAuthority(authority) && PATH.test(slash < 0 ? '' : hier.slice(slash));
  }
  return PATH.test(hier);
}

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

export function addStricterFormats(ajv: AjvInstance): void {
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  ajv.addFormat('email', { type: 'string', validate: isEmail });
  ajv.addFormat('uri', { type: 'string', validate: isUri });
  ajv.addFormat('uuid', UUID);
}
