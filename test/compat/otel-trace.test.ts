import { type Context, type ContextManager, context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, MemoryTransport } from '../../src/index.js';
import { httpPreset } from '../../src/transports/http/presets/index.js';

/** The smallest context manager: enough to make a span active for a synchronous call. */
class SyncContextManager implements ContextManager {
  private current: Context = ROOT_CONTEXT;
  active(): Context {
    return this.current;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.current = previous;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.current = ROOT_CONTEXT;
    return this;
  }
}

context.setGlobalContextManager(new SyncContextManager());
afterAll(() => context.disable());

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

describe('trace correlation with @opentelemetry/api installed', () => {
  it('records logged in an active span carry trace_id, span_id and trace_flags; otlp maps them', async () => {
    const memory = new MemoryTransport();
    const log = createLogger({ exitFlush: false, base: null, timestamp: false, transports: [memory] });
    const span = trace.wrapSpanContext({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 });
    context.with(trace.setSpan(context.active(), span), () => log.info('inside the span'));
    log.info('outside');
    await log.flush();
    expect(memory.objects()).toEqual([
      { level: 30, trace_id: TRACE_ID, span_id: SPAN_ID, trace_flags: 1, msg: 'inside the span' },
      { level: 30, msg: 'outside' },
    ]);
    const body = JSON.parse(httpPreset('otlp')!({ line: (r) => r.json() }).body(memory.records()));
    const [inside] = body.resourceLogs[0].scopeLogs[0].logRecords;
    expect(inside).toMatchObject({ traceId: TRACE_ID, spanId: SPAN_ID, flags: 1 });
    expect(inside.attributes).toEqual([]);
  });
});
