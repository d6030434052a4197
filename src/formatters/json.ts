import { lazySchema } from '../core/util/lazy-schema.js';
import { object } from '../core/util/plain-checks.js';
import type { FormatterPlugin } from '../core/plugin/registry.js';
import { canonicalJsonFormatter, type Formatter } from '../core/record/log-record.js';

/** The canonical pino-compatible line; the record builds and keeps it. */
export const jsonFormatter: Formatter = canonicalJsonFormatter;

export const jsonFormatterPlugin: FormatterPlugin = {
  schema: lazySchema((z) => z.strictObject({}), object({})),
  create: () => jsonFormatter,
};

declare module '../core/plugin/registry.js' {
  interface FormatterTypes {
    json: Record<string, never>;
  }
}
