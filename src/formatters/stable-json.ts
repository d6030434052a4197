import stringify from 'fast-json-stable-stringify';
import { z } from 'zod';
import type { FormatterPlugin } from '../core/registry.js';
import type { Formatter, LogRecord } from '../core/record.js';

/** Keys sorted at every depth: diffable logs and golden tests. */
export const stableJsonFormatter: Formatter = {
  name: 'stable-json',
  format: (record: LogRecord) => stringify(record.view()) + '\n',
};

export const stableJsonFormatterPlugin: FormatterPlugin = {
  schema: z.strictObject({}),
  create: () => stableJsonFormatter,
};
