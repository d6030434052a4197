import type { LogRecord } from '../core/record.js';

/** A record taken apart for human-oriented formatters. */
export interface RecordParts {
  time: number | undefined;
  label: string;
  msg: string | undefined;
  name: string | undefined;
  pid: unknown;
  hostname: unknown;
  /** Everything else, JSON-safe (redacted, errors serialised), in line order. */
  fields: Record<string, unknown>;
}

export function recordParts(record: LogRecord): RecordParts {
  const fields = record.toObject();
  const messageKey = record.scope.shape.messageKey;
  const msgValue = fields[messageKey];
  const name = fields.name;
  const parts: RecordParts = {
    time: record.scope.shape.timestamp === false ? undefined : record.time,
    label: record.label,
    msg: msgValue === undefined ? undefined : String(msgValue),
    name: typeof name === 'string' ? name : undefined,
    pid: fields.pid,
    hostname: fields.hostname,
    fields,
  };
  delete fields.level;
  delete fields.time;
  delete fields[messageKey];
  delete fields.pid;
  delete fields.hostname;
  if (parts.name !== undefined) delete fields.name;
  return parts;
}
