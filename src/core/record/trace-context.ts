import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The parts of @opentelemetry/api used here. */
interface OtelApi {
  context: { active(): unknown };
  trace: {
    getSpan(context: unknown): { spanContext(): { traceId: string; spanId: string; traceFlags: number } } | undefined;
  };
  isSpanContextValid(context: { traceId: string; spanId: string; traceFlags: number }): boolean;
}

let api: OtelApi | null | undefined;
let installed: boolean | undefined;

const fromApp = (): NodeJS.Require => createRequire(join(process.cwd(), 'noop.js'));

/**
 * The application's @opentelemetry/api, if it has one (an optional peer dependency, never
 * required): looked up once, from the application's folder, when a context manager is
 * first seen registered. Any copy of the API sees the same active span, since the API keeps
 * its state on a global. Where that folder's resolution cannot find it (a service started
 * from another folder, as systemd does from /; an application bundled into one file), the
 * global is read as the API reads it.
 */
function otel(): OtelApi {
  if (api === undefined) {
    try {
      api = fromApp()('@opentelemetry/api') as OtelApi;
    } catch {
      api = null;
    }
  }
  return api ?? FROM_GLOBAL;
}

/**
 * Is trace correlation possible at all? Decided once per logger tree, by finding the
 * package, not loading it: loading it costs more than the rest of a logger's creation.
 * Where it cannot be found, by whether a context manager is registered already (the
 * application's API is elsewhere, and set up before the logger, as instrumentation is).
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
  return installed || otelGlobal() !== undefined;
}

/**
 * Where @opentelemetry/api 1.x keeps its globals. No span can be active until a context
 * manager is registered there, so until then a log call pays one property read, not a
 * context lookup.
 */
const OTEL_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/** The API's globals, when a context manager (`context`) is registered. */
function otelGlobal(): { context?: { active(): unknown } } | undefined {
  try {
    const found = (globalThis as Record<symbol, { context?: { active(): unknown } } | undefined>)[OTEL_GLOBAL];
    // Read here, in the try: a getter that throws (a hostile or broken global) means no tracing,
    // not a createLogger() or a log call that throws.
    return found?.context === undefined ? undefined : found;
  } catch {
    return undefined;
  }
}

/** The key every copy of the API keeps a context's span under (it is made with Symbol.for). */
const SPAN_KEY = Symbol.for('OpenTelemetry Context Key SPAN');
const VALID_TRACE_ID = /^(?!0{32}$)[0-9a-f]{32}$/i;
const VALID_SPAN_ID = /^(?!0{16}$)[0-9a-f]{16}$/i;

/** The parts of the API used here, read from its globals as the API itself reads them. */
const FROM_GLOBAL: OtelApi = {
  context: { active: () => otelGlobal()?.context?.active() },
  trace: {
    getSpan: (context) =>
      (context as { getValue?(key: symbol): unknown } | undefined)?.getValue?.(SPAN_KEY) as ReturnType<
        OtelApi['trace']['getSpan']
      >,
  },
  isSpanContextValid: (ids) => VALID_TRACE_ID.test(ids.traceId) && VALID_SPAN_ID.test(ids.spanId),
};

/** `,"trace_id":…,"span_id":…,"trace_flags":…` for the active span, or '' when there is none. */
export function activeSpanJson(): string {
  if (otelGlobal() === undefined) return '';
  const found = otel();
  try {
    const span = found.trace.getSpan(found.context.active());
    if (span === undefined) return '';
    const ids = span.spanContext();
    // Read once, and only as strings: an id that is an object passes a regular expression by
    // its text, and a second reading of that text went into the line unchecked.
    const { traceId, spanId } = ids;
    if (typeof traceId !== 'string' || typeof spanId !== 'string') return '';
    if (!found.isSpanContextValid({ traceId, spanId, traceFlags: ids.traceFlags })) return '';
    return `,"trace_id":"${traceId}","span_id":"${spanId}","trace_flags":${ids.traceFlags | 0}`;
  } catch {
    return '';
  }
}
