import { withoutEnd } from '../../../core/record/log-record.js';
import { type HttpPreset, keepsNoRecords, ndjsonBody } from '../preset.js';

/** One JSON line per record: the records' own lines, joined. */
export const ndjsonPreset: HttpPreset = keepsNoRecords({
  contentType: 'application/x-ndjson',
  body: ndjsonBody,
});

/** A JSON array of the records. */
export const jsonPreset: HttpPreset = keepsNoRecords({
  contentType: 'application/json',
  body(records) {
    let body = '[';
    for (let i = 0; i < records.length; i++) body += (i > 0 ? ',' : '') + withoutEnd(records[i]!.json());
    return `${body}]`;
  },
});
