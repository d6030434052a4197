import { appendAttributes } from './otlp-values.js';

/** OTLP severity numbers for our levels: trace 1, debug 5, info 9, warn 13, error 17, fatal 21. */
function severityNumber(level: number): number {
  if (level >= 60) return 21;
  if (level >= 50) return 17;
  if (level >= 40) return 13;
  if (level >= 30) return 9;
  if (level >= 20) return 5;
  return 1;
}

const severities = new Map<string, string>();
let lastLevel = Number.NaN;
let lastLabel = '';
let lastSeverity = '';

/** `"severityNumber":9,"severityText":"INFO"` for a level and its label. */
export function severityJson(level: number, label: string): string {
  // Records of one level come in runs: the last one answers most calls.
  if (level === lastLevel && label === lastLabel) return lastSeverity;
  const key = `${level} ${label}`;
  let text = severities.get(key);
  if (text === undefined) {
    text = `"severityNumber":${severityNumber(level)},"severityText":${JSON.stringify(label.toUpperCase())}`;
    // Bounded: levels are few, but a program may make loggers with levels of its own.
    if (severities.size >= 256) severities.clear();
    severities.set(key, text);
  }
  lastLevel = level;
  lastLabel = label;
  lastSeverity = text;
  return text;
}

export function resourceJson(service: unknown, processAttributes: Record<string, unknown>): string {
  const name = JSON.stringify(typeof service === 'string' ? service : 'unknown_service');
  const attributes = appendAttributes(`{"key":"service.name","value":{"stringValue":${name}}}`, processAttributes);
  return `{"attributes":[${attributes}]}`;
}

const resources = new Map<string, string>();
let lastName: string | undefined;
let lastPid: string | undefined;
let lastHostname: string | undefined;
let lastResource = resourceJson(undefined, {});

/**
 * The `resource` object's JSON for the raw `name`, `pid` and `hostname` values a line holds
 * (undefined when it has none): made once per distinct set, as nearly every record of a
 * process has the same.
 */
export function resourceOf(name: string | undefined, pid: string | undefined, hostname: string | undefined): string {
  if (name === lastName && pid === lastPid && hostname === lastHostname) return lastResource;
  // A newline never appears in JSON text as written on the line: the three cannot run together.
  const key = `${name}\n${pid}\n${hostname}`;
  let resource = resources.get(key);
  if (resource === undefined) {
    const processAttributes: Record<string, unknown> = {};
    if (pid !== undefined) processAttributes['process.pid'] = JSON.parse(pid);
    if (hostname !== undefined) processAttributes['host.name'] = JSON.parse(hostname);
    resource = resourceJson(name === undefined ? undefined : JSON.parse(name), processAttributes);
    if (resources.size >= 256) resources.clear();
    resources.set(key, resource);
  }
  lastName = name;
  lastPid = pid;
  lastHostname = hostname;
  lastResource = resource;
  return resource;
}
