/** Facilities by name (RFC 5424 §6.2.1), as rsyslog and syslog-ng spell them. */
export const FACILITIES: Readonly<Record<string, number>> = Object.freeze({
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  security: 13,
  console: 14,
  solaris_cron: 15,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
});

export type FacilityName = keyof typeof FACILITIES & string;

/**
 * Severities by name. A custom level named like one (`notice: 35`) maps to it, so the
 * severities our six levels never reach are still one config line away.
 */
const SEVERITY_NAMES: Readonly<Record<string, number>> = Object.freeze({
  emerg: 0,
  alert: 1,
  crit: 2,
  err: 3,
  error: 3,
  warning: 4,
  warn: 4,
  notice: 5,
  info: 6,
  debug: 7,
});

/** The severity of a record: by its level's name when syslog knows it, else by its number. */
export function severityOf(label: string, level: number, fatal: 'crit' | 'emerg'): number {
  if (label === 'fatal') return fatal === 'emerg' ? 0 : 2;
  const named = Object.hasOwn(SEVERITY_NAMES, label) ? SEVERITY_NAMES[label] : undefined;
  if (named !== undefined) return named;
  // Custom levels between ours take the severity of the level below them.
  if (level >= 60) return fatal === 'emerg' ? 0 : 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  if (level >= 30) return 6;
  return 7;
}
