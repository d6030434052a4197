import { withoutEnd } from '../../../core/record/log-record.js';
import { type HttpPreset, ndjsonBody } from '../preset.js';

/** One JSON line per record: the records' own lines, joined. */
export const ndjsonPreset: HttpPreset = {
  contentType: 'application/x-ndjson',
  body: ndjsonBody,
};

/** A JSON array of the records. */
export const jsonPreset: HttpPreset = {
  contentType: 'application/json',
  body(records) {
    let body = '[';
    for (let i = 0; i < records.length; i++) body += (i > 0 ? ',' : '') + withoutEnd(records[i]!.json());
    return `${body}]`;
  },
};
