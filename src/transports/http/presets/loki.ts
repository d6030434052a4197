import type { LogRecord } from '../../../core/record/log-record.js';
import type { PresetFactory } from '../preset.js';

/**
 * Grafana Loki's push API (JSON): one stream per distinct label set (the configured record
 * fields, plus `level`), entries as [nanosecond time string, the formatted line], chosen
 * fields as structured metadata. Loki answers 204; a 400 is never retried as is.
 */
export const lokiPreset: PresetFactory = (options) => {
  const labelKeys = options.labels ?? ['name'];
  const metadataKeys = options.metadata ?? [];
  const labelsOf = (record: LogRecord): Record<string, string> => {
    const view = record.view();
    const labels: Record<string, string> = { level: record.label };
    for (const key of labelKeys) if (view[key] !== undefined) labels[key] = String(view[key]);
    return labels;
  };
  return {
    contentType: 'application/json',
    body(records) {
      const streams = new Map<string, { stream: Record<string, string>; values: unknown[][] }>();
      for (const record of records) {
        const labels = labelsOf(record);
        const key = JSON.stringify(labels);
        let stream = streams.get(key);
        if (!stream) {
          stream = { stream: labels, values: [] };
          streams.set(key, stream);
        }
        const entry: unknown[] = [`${record.time}000000`, options.line(record).replace(/\n$/, '')];
        if (metadataKeys.length > 0) {
          const view = record.view();
          const metadata: Record<string, string> = {};
          for (const field of metadataKeys) if (view[field] !== undefined) metadata[field] = String(view[field]);
          entry.push(metadata);
        }
        stream.values.push(entry);
      }
      return JSON.stringify({ streams: [...streams.values()] });
    },
  };
};
