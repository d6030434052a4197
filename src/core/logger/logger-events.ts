import type { EventEmitter } from 'node:events';
import type { RouterEvents } from '../routing/events.js';

/** What a logger reports: the router's events, shared by a logger and all its children. */
export type LoggerEvents = Omit<RouterEvents, 'level-change'> & {
  /**
   * pino's: a logger's level was changed (label, value, previous label, previous value, the
   * logger). The logger is typed `never` so that pino's listeners fit; annotate it as `Logger`.
   */
  'level-change': [label: string, value: number, previousLabel: string, previousValue: number, logger: never];
};

type Listener<K extends keyof LoggerEvents> = (...args: LoggerEvents[K]) => void;
/** Any listener, for the EventEmitter methods that take every event name (pino's Logger is an EventEmitter). */
type AnyListener = (...args: never[]) => void;
type RawListener = (...args: unknown[]) => void;

/**
 * The EventEmitter face of a logger, over the one emitter its tree shares, so a logger is a
 * pino `Logger` (an EventEmitter) to whoever types it so (pino-http, Fastify).
 */
export abstract class LoggerEventSource {
  /** @internal The emitter the events live on. */
  protected abstract get emitter(): EventEmitter;

  on<K extends keyof LoggerEvents>(event: K, listener: Listener<K>): this {
    this.emitter.on(event, listener as unknown as RawListener);
    return this;
  }

  addListener<K extends keyof LoggerEvents>(event: K, listener: Listener<K>): this {
    return this.on(event, listener);
  }

  prependListener<K extends keyof LoggerEvents>(event: K, listener: Listener<K>): this {
    this.emitter.prependListener(event, listener as unknown as RawListener);
    return this;
  }

  once<K extends keyof LoggerEvents>(event: K, listener: Listener<K>): this {
    this.emitter.once(event, listener as unknown as RawListener);
    return this;
  }

  prependOnceListener<K extends keyof LoggerEvents>(event: K, listener: Listener<K>): this {
    this.emitter.prependOnceListener(event, listener as unknown as RawListener);
    return this;
  }

  off<K extends keyof LoggerEvents>(event: K, listener: Listener<K>): this {
    this.emitter.off(event, listener as unknown as RawListener);
    return this;
  }

  removeListener<K extends keyof LoggerEvents>(event: K, listener: Listener<K>): this {
    return this.off(event, listener);
  }

  /** Removes this event's listeners (or every listener) from the logger and all its children. */
  removeAllListeners(event?: keyof LoggerEvents): this {
    this.emitter.removeAllListeners(event);
    return this;
  }

  emit<K extends keyof LoggerEvents>(event: K, ...args: LoggerEvents[K]): boolean {
    return this.emitter.emit(event, ...args);
  }

  listenerCount(event: keyof LoggerEvents): number {
    return this.emitter.listenerCount(event);
  }

  listeners(event: keyof LoggerEvents): AnyListener[] {
    return this.emitter.listeners(event) as AnyListener[];
  }

  rawListeners(event: keyof LoggerEvents): AnyListener[] {
    return this.emitter.rawListeners(event) as AnyListener[];
  }

  eventNames(): (string | symbol)[] {
    return this.emitter.eventNames();
  }

  setMaxListeners(n: number): this {
    this.emitter.setMaxListeners(n);
    return this;
  }

  getMaxListeners(): number {
    return this.emitter.getMaxListeners();
  }
}
