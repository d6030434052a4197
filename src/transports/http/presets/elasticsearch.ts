import { randomBytes } from 'node:crypto';
import type { LogRecord } from '../../../core/record/log-record.js';
import type { PresetFactory, Verdict } from '../preset.js';

interface BulkItem {
  create?: { status?: number; error?: { type?: string; reason?: string } };
}

/**
 * Elasticsearch and OpenSearch `_bulk`: a `create` action per record with an `_id` made
 * here, once per record, so a batch sent again cannot index a record twice (409 on create
 * counts as delivered). A 200 with `errors: true` retries only the items that got 429 or
 * 5xx and fails the ones the server refused.
 */
export const elasticsearchPreset: PresetFactory = (options) => {
  const index = options.index ?? 'logs';
  // An id is 96 random bits drawn once per transport, then a count: unique like a random
  // UUID per record, a quarter of the cost to make and keep, and ids that share a prefix
  // are the kind the index looks up fastest (random ones are the slowest).
  const prefix = randomBytes(12).toString('base64url');
  let made = 0;
  const ids = new WeakMap<LogRecord, string>();
  const idOf = (record: LogRecord): string => {
    let id = ids.get(record);
    if (id === undefined) {
      id = prefix + (made++).toString(36);
      ids.set(record, id);
    }
    return id;
  };
  return {
    contentType: 'application/x-ndjson',
    url: (base) => (base.endsWith('/_bulk') ? base : `${base.replace(/\/$/, '')}/_bulk`),
    body(records) {
      let body = '';
      for (const record of records) {
        body += `{"create":{"_index":${JSON.stringify(index)},"_id":"${idOf(record)}"}}\n${record.json()}`;
      }
      return body;
    },
    classify(response): Verdict | undefined {
      if (response.status !== 200) return undefined;
      let parsed: { errors?: boolean; items?: BulkItem[] };
      try {
        parsed = JSON.parse(response.body) as typeof parsed;
      } catch {
        return undefined;
      }
      if (!parsed.errors || !Array.isArray(parsed.items)) return { kind: 'delivered' };
      const failed = new Map<number, Error>();
      const retry: number[] = [];
      parsed.items.forEach((item, i) => {
        const status = item.create?.status ?? 200;
        if ((status >= 200 && status < 300) || status === 409) return;
        if (status === 429 || status >= 500) retry.push(i);
        else
          failed.set(i, new Error(`${status} ${item.create?.error?.type ?? ''}: ${item.create?.error?.reason ?? ''}`));
      });
      return { kind: 'partial', failed, retry };
    },
  };
};
