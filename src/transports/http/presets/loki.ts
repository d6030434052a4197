import type { PresetFactory } from '../preset.js';
import { pickEntries } from './line-entries.js';

/**
 * Grafana Loki's push API (JSON): one stream per distinct label set (the configured record
 * fields, plus `level`), entries as [nanosecond time string, the formatted line], chosen
 * fields as structured metadata. Loki answers 204; a 400 is never retried as is.
 */
export const lokiPreset: PresetFactory = (options) => {
  // Each chosen field with its key as the line quotes it.
  const quoted = (keys: readonly string[]) => keys.map((key) => [key, JSON.stringify(key)] as const);
  const labelKeys = quoted(options.labels ?? ['name']);
  const metadataKeys = quoted(options.metadata ?? []);
  const wanted = new Set([...labelKeys, ...metadataKeys].map(([, key]) => key));
  /** The chosen fields as strings, read from the record's line (the values at the log call). */
  const stringsOf = (keys: typeof labelKeys, picked: Map<string, string>, into: Record<string, string>) => {
    for (const [key, quotedKey] of keys) {
      const raw = picked.get(quotedKey);
      if (raw !== undefined) into[key] = String(JSON.parse(raw));
    }
    return into;
  };
  return {
    contentType: 'application/json',
    body(records) {
      const streams = new Map<string, { stream: Record<string, string>; values: unknown[][] }>();
      for (const record of records) {
        const picked = pickEntries(record.json(), wanted);
        const labels = stringsOf(labelKeys, picked, { level: record.label });
        const key = JSON.stringify(labels);
        let stream = streams.get(key);
        if (!stream) {
          stream = { stream: labels, values: [] };
          streams.set(key, stream);
        }
        const entry: unknown[] = [`${record.time}000000`, options.line(record).replace(/\n$/, '')];
        if (metadataKeys.length > 0) entry.push(stringsOf(metadataKeys, picked, {}));
        stream.values.push(entry);
      }
      return JSON.stringify({ streams: [...streams.values()] });
    },
  };
};
