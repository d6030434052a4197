import { DEFAULT_RETRYABLE, htmlPageVerdict, type PresetFactory } from '../preset.js';
import { LinePicker } from './line-entries.js';
import { unixNanos } from './unix-nanos.js';
import type { LogRecord } from '../../../core/record/log-record.js';

const QUOTE = 34;
const LOKI_RETRYABLE: ReadonlySet<number> = new Set([...DEFAULT_RETRYABLE, 500]);
/** The largest whole millisecond whose nanoseconds fit in a uint64 (as unixNanos has it). */
const MAX_WHOLE_MS = Number(((1n << 64n) - 1n) / 1_000_000n);

/**
 * Grafana Loki's push API (JSON): one stream per distinct label set (the configured record
 * fields, plus `level`), entries as [nanosecond time string, the formatted line], chosen
 * fields as structured metadata. Loki answers 204; a 400 is never retried as is, and a 2xx
 * with an HTML page (a login page, not Loki) is retried, never counted delivered.
 */
export const lokiPreset: PresetFactory = (options) => {
  const labels = options.labels ?? ['name'];
  const metadata = options.metadata ?? [];
  // Every chosen field once, read from the record's line (the values at the log call).
  const fields = [...new Set([...labels, ...metadata])];
  const picker = new LinePicker(fields.map((field) => JSON.stringify(field)));
  const chosen = (names: string[]) => names.map((name) => [name, fields.indexOf(name)] as const);
  // Loki refuses a push whose label name is not [A-Za-z_][A-Za-z0-9_]* (a field `service.name`
  // would fail every batch): the label is named as Loki's own agents name it, `service_name`.
  // `level` is the record's level as a word, set here: a configured `level` would put the
  // line's number (30) in its place and split one level's stream from the others' by format.
  const labelFields = chosen(labels.filter((name) => name !== 'level')).map(
    ([name, at]) => [lokiLabelName(name), at] as const,
  );
  const metadataFields = chosen(metadata);
  /** The chosen fields the line has, as strings. */
  const stringsOf = (
    list: typeof labelFields,
    values: readonly (string | undefined)[],
    into: Record<string, string>,
  ) => {
    for (const [name, at] of list) {
      const raw = values[at];
      // A string is its text; anything else its JSON as the line has it (an object: not "[object Object]").
      if (raw !== undefined) into[name] = raw.charCodeAt(0) === QUOTE ? (JSON.parse(raw) as string) : raw;
    }
    return into;
  };
  // Loki keeps one entry per stream, nanosecond and line: two records alike in the same
  // millisecond (a retry loop logging the same line) would be one in Loki, both counted
  // delivered. Each record after the first of its millisecond gets the next nanosecond,
  // once, kept for its resends (which Loki then drops as the copies they are).
  const times = new WeakMap<LogRecord, string>();
  const seen = new Map<number, number>();
  // A clock set back logs again at milliseconds forgotten from `seen`: those start past what any
  // forgotten millisecond took (the latest forgotten, and the most taken), never at 0.
  let forgottenUpTo = Number.NEGATIVE_INFINITY;
  let forgottenTaken = 0;
  const timeOf = (record: LogRecord): string => {
    let time = times.get(record);
    if (time !== undefined) return time;
    const ms = record.time;
    const whole = Number.isInteger(ms) && ms > 0 && ms < MAX_WHOLE_MS;
    const before = whole ? (seen.get(ms) ?? (ms <= forgottenUpTo ? forgottenTaken : 0)) : 0;
    if (before === 0 || before >= 1_000_000) time = unixNanos(ms);
    else time = `${ms}${String(before).padStart(6, '0')}`;
    if (whole) {
      seen.set(ms, before + 1);
      // The milliseconds of the last few seconds of records are enough: records come in time order.
      if (seen.size > 4096) {
        const [time, taken] = seen.entries().next().value!;
        seen.delete(time);
        if (time > forgottenUpTo) forgottenUpTo = time;
        if (taken > forgottenTaken) forgottenTaken = taken;
      }
    }
    times.set(record, time);
    return time;
  };
  return {
    contentType: 'application/json',
    body(records) {
      const streams = new Map<string, { stream: Record<string, string>; values: unknown[][] }>();
      for (const record of records) {
        const values = picker.pick(record.json());
        const labels = stringsOf(labelFields, values, { level: record.label });
        const key = JSON.stringify(labels);
        let stream = streams.get(key);
        if (!stream) {
          stream = { stream: labels, values: [] };
          streams.set(key, stream);
        }
        const entry: unknown[] = [timeOf(record), options.line(record).replace(/\r?\n$/, '')];
        if (metadataFields.length > 0) entry.push(stringsOf(metadataFields, values, {}));
        stream.values.push(entry);
      }
      return JSON.stringify({ streams: [...streams.values()] });
    },
    // Loki answers a push with 204 and no body.
    classify: (response) => htmlPageVerdict(response, 'Loki'),
    // A 500 is an ingester's passing state (a rollout, too few replicas up), never the push's
    // fault (that is a 400): Loki's own clients send it again, and so does this one.
    retryable: LOKI_RETRYABLE,
  };
};

/**
 * A field of `labels` Loki would refuse or misread as a label: two under one name
 * (`service.name` and `service_name`: the later one's value overwrote the earlier's in every
 * stream, unsaid), or a name starting with `__`, which Loki keeps for itself (`__backfill__`
 * refuses every push; `__pattern__` takes the stream for one of its own).
 */
export function labelClash(labels: readonly string[]): { index: number; message: string } | undefined {
  return namesProblem(labels, 'label', (name) =>
    name.startsWith('__') ? 'Loki keeps names that start with "__" for itself' : undefined,
  );
}

/**
 * A field of `metadata` Loki would refuse or misread as a structured metadata name, as it
 * makes one of it (each character it refuses as `_`): two under one name (one value would
 * overwrite the other), or one of underscores only, or none (the push is refused).
 */
export function metadataClash(metadata: readonly string[]): { index: number; message: string } | undefined {
  return namesProblem(metadata, 'structured metadata name', (name) =>
    /^_*$/.test(name.replace(/^_(?=[0-9])/, '')) ? 'Loki refuses a name of underscores only' : undefined,
  );
}

function namesProblem(
  fields: readonly string[],
  what: string,
  refused: (name: string) => string | undefined,
): { index: number; message: string } | undefined {
  const byName = new Map<string, string>();
  for (const [index, field] of fields.entries()) {
    if (what === 'label' && field === 'level') continue;
    const name = lokiLabelName(field);
    const said = `the field ${JSON.stringify(field)}`;
    const why = refused(name);
    if (why !== undefined) return { index, message: `${said} is the Loki ${what} ${JSON.stringify(name)}: ${why}` };
    const other = byName.get(name);
    if (other !== undefined && other !== field) {
      const both = `${said} and the field ${JSON.stringify(other)}`;
      return {
        index,
        message: `${both} are both the Loki ${what} ${JSON.stringify(name)}: one would overwrite the other`,
      };
    }
    byName.set(name, field);
  }
  return undefined;
}

/** A field's name as a Loki label name: each character Loki refuses as `_`, and `_` before a leading digit. */
function lokiLabelName(field: string): string {
  const name = field.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(name) || name === '' ? `_${name}` : name;
}
