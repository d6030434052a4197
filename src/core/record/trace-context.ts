import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The parts of @opentelemetry/api used here. */
interface OtelApi {
  context: { active(): unknown };
  trace: {
    getSpan(context: unknown): { spanContext(): { traceId: string; spanId: string; traceFlags: number } } | undefined;
  };
  isSpanContextValid(context: { traceId: string; spanId: string }): boolean;
}

let api: OtelApi | null | undefined;
let installed: boolean | undefined;

const fromApp = (): NodeJS.Require => createRequire(join(process.cwd(), 'noop.js'));

/**
 * The application's @opentelemetry/api, if it has one (an optional peer dependency, never
 * required): looked up once, from the application's folder, when a context manager is
 * first seen registered. Any copy of the API sees the same active span, since the API keeps
 * its state on a global.
 */
function otel(): OtelApi | null {
  if (api === undefined) {
    try {
      api = fromApp()('@opentelemetry/api') as OtelApi;
    } catch {
      api = null;
    }
  }
  return api;
}

/**
 * Is trace correlation possible at all? Decided once per logger tree, by finding the
 * package, not loading it: loading it costs more than the rest of a logger's creation.
 */
export function tracingAvailable(): boolean {
  if (installed === undefined) {
    try {
      fromApp().resolve('@opentelemetry/api');
      installed = true;
    } catch {
      installed = false;
    }
  }
  return installed;
}

/**
 * Where @opentelemetry/api 1.x keeps its globals. No span can be active until a context
 * manager is registered there, so until then a log call pays one property read, not a
 * context lookup.
 */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/** `,"trace_id":…,"span_id":…,"trace_flags":…` for the active span, or '' when there is none. */
export function activeSpanJson(): string {
  if ((globalThis as Record<symbol, { context?: unknown } | undefined>)[OTEL_GLOBAL]?.context === undefined) return '';
  const found = otel();
  if (found === null) return '';
  try {
    const span = found.trace.getSpan(found.context.active());
    if (span === undefined) return '';
    const ids = span.spanContext();
    if (!found.isSpanContextValid(ids)) return '';
    return `,"trace_id":"${ids.traceId}","span_id":"${ids.spanId}","trace_flags":${ids.traceFlags | 0}`;
  } catch {
    return '';
  }
}
