import { z } from 'zod';
import type { FormatterPlugin } from '../core/plugin/registry.js';
import type { Formatter, LogRecord } from '../core/record/log-record.js';

/** The canonical pino-compatible line; the record builds and caches it. */
export const jsonFormatter: Formatter = {
  name: 'json',
  format: (record: LogRecord) => record.json(),
};

export const jsonFormatterPlugin: FormatterPlugin = {
  schema: z.strictObject({}),
  create: () => jsonFormatter,
};
