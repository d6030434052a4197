import './builtins.js';
import { lazyClass } from './core/util/lazy-class.js';
import { loadHttp, loadSyslog, loadValidating } from './load-lazy.cjs';
import type { PresetFactory } from './transports/http/preset.js';
import type * as Http from './transports/http/index.js';
import type * as Syslog from './transports/syslog/index.js';
import type * as Validating from './transports/validating/index.js';

// Values: what applications call, construct or extend. Everything else is a type. What only
// plugin authors need (option schemas, units, the batcher) is in `streamlog/plugin`.
export {
  type CodeOptions,
  createLogger,
  type LevelMethods,
  type LoggerOptions,
  type StreamlogConfig,
} from './core/config/create-logger.js';
export type { TransportEntry, LiveTransportEntry } from './core/config/build-transport.js';
export { stdSerializers, type StdSerializerName } from './core/config/std-serializers.js';
export type { Serializer, Serializers } from './core/logger/serializers.js';
export { ConfigError } from './core/config/errors.js';
export { configJsonSchema } from './core/config/json-schema.js';
export type {
  Logger,
  LogFn,
  LoggerStats,
  ChildOptions,
  ChildLevelMethods,
  LoggerEvents,
} from './core/logger/logger.js';
export type { PinoTransportOptions } from './core/config/pino-options.js';
export type { Censor, CensorFunction, RedactOptions } from './core/record/redact.js';
export type { ProducerStream, ProducerStreamOptions } from './core/logger/producer-stream.js';
export { withContext, getContext } from './core/record/context.js';
export { DEFAULT_LEVELS, type LevelName, type LevelInput, type LevelTable } from './core/record/levels.js';
export type { LogRecord, Formatter } from './core/record/log-record.js';
export type { TimestampMode, LevelFormat } from './core/record/shape.js';
export {
  Transport,
  type TransportOptions,
  type TransportStats,
  type TransportEvents,
  type TransportListener,
  type TransportServices,
} from './core/plugin/transport.js';
export { type InnerTarget, WrapperTransport } from './core/plugin/wrapper-transport.js';
export {
  BatchTransport,
  type BatchTransportOptions,
  type BatchProcessor,
  type BatchInfo,
  type BatchOptions,
  type BatchStats,
  type BatchTransportEvents,
  type RetryOptions,
  type SpoolOptions,
} from './core/plugin/batch-transport.js';
export type { BatchResult } from './core/plugin/batch-outcome.js';
export { StreamTransport, WritableTransport } from './core/plugin/adapters.js';
export {
  registerTransport,
  registerFormatter,
  type TransportPlugin,
  type FormatterPlugin,
  type TransportContext,
  type FormatterContext,
  type FormatSpec,
  type FormatterTypes,
  type TransportTypes,
  type TypedFormatSpec,
} from './core/plugin/registry.js';
export type { DeliveryFailure, DeadLetterReason, RouterEvents, Strategy } from './core/routing/events.js';
export type { RouterStats, PendingDetail } from './core/routing/router.js';
export type { OverflowPolicy, TargetStats, BackpressureStats } from './core/routing/target.js';
export { jsonFormatter } from './formatters/json.js';
export { stableJsonFormatter } from './formatters/stable-json.js';
export { createTextFormatter, type TextFormatterOptions } from './formatters/text.js';
export { sanitize } from './core/util/sanitize.js';
export { createPrettyFormatter, type PrettyFormatterOptions } from './formatters/pretty.js';
export { ConsoleTransport, type ConsoleTransportOptions } from './transports/console/index.js';
export { shouldColorize } from './transports/console/terminal.js';
export { type MemoryStats, MemoryTransport, type MemoryTransportOptions } from './transports/memory.js';
export {
  FileTransport,
  type FileTransportOptions,
  type FileProgress,
  type FileStats,
  type FileTransportEvents,
} from './transports/file/index.js';
export type { RotationOptions } from './transports/file/rotation.js';
export type {
  HttpTransportOptions,
  HttpRetryOptions,
  HttpSpoolOptions,
  HttpStats,
  BatchProcessed,
} from './transports/http/index.js';
export type {
  SyslogProtocol,
  SyslogStats,
  SyslogTlsOptions,
  SyslogTransportOptions,
} from './transports/syslog/index.js';
export type { HttpPreset, HttpResponse, PresetFactory, PresetOptions, Verdict } from './transports/http/preset.js';
export {
  BufferedTransport,
  type BufferedTransportOptions,
  type BufferStatus,
  type BufferedTransportEvents,
  type FlushEvent,
} from './transports/buffered.js';
export type {
  ValidatingTransportOptions,
  ValidatingTransportEvents,
  ValidationStats,
  OnInvalid,
  RecordCheck,
  ValidationProblem,
  ValidationError,
  Check,
  CheckOutcome,
  JsonSchema,
  ValidatorResult,
} from './transports/validating/index.js';

/*
 * The http, syslog and validating transports are loaded when first used (a config naming
 * them, or a class constructed, extended or checked with instanceof): see load-lazy.cts.
 */
export const HttpTransport: typeof Http.HttpTransport = lazyClass(() => loadHttp().HttpTransport);
export type HttpTransport = Http.HttpTransport;
export const SyslogTransport: typeof Syslog.SyslogTransport = lazyClass(() => loadSyslog().SyslogTransport);
export type SyslogTransport = Syslog.SyslogTransport;
export const ValidatingTransport: typeof Validating.ValidatingTransport = lazyClass(
  () => loadValidating().ValidatingTransport,
);
export type ValidatingTransport = Validating.ValidatingTransport;
export const JsonSchemaError: typeof Validating.JsonSchemaError = lazyClass(() => loadValidating().JsonSchemaError);
export type JsonSchemaError = Validating.JsonSchemaError;
/** Adds a backend the way a transport is registered: `registerHttpPreset('splunk', factory)`. */
export function registerHttpPreset(name: string, factory: PresetFactory): void {
  loadHttp().registerHttpPreset(name, factory);
}
