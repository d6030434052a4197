import './builtins.js';

// Values: what applications call, construct or extend. Everything else is a type. What only
// plugin authors need (option schemas, units, the batcher) is in `streamlog/plugin`.
export { createLogger, type LoggerOptions, type LevelMethods } from './core/config/create-logger.js';
export type { TransportEntry, LiveTransportEntry } from './core/config/build-transport.js';
export { stdSerializers } from './core/config/std-serializers.js';
export type { Serializer, Serializers } from './core/logger/serializers.js';
export { ConfigError } from './core/config/errors.js';
export type { ConfigInput as StreamlogConfig } from './core/config/schema.js';
export { configJsonSchema } from './core/config/json-schema.js';
export type { Logger, LogFn, LoggerStats, ChildOptions, LoggerEvents } from './core/logger/logger.js';
export type { ProducerStream, ProducerStreamOptions } from './core/logger/producer-stream.js';
export { withContext, getContext } from './core/record/context.js';
export { DEFAULT_LEVELS, type LevelName, type LevelInput } from './core/record/levels.js';
export type { LogRecord, Formatter } from './core/record/log-record.js';
export type { TimestampMode, LevelFormat } from './core/record/shape.js';
export {
  Transport,
  type TransportOptions,
  type TransportStats,
  type TransportEvents,
} from './core/plugin/transport.js';
export { WrapperTransport } from './core/plugin/wrapper-transport.js';
export {
  BatchTransport,
  type BatchTransportOptions,
  type BatchProcessor,
  type BatchInfo,
  type BatchOptions,
  type BatchStats,
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
  type TransportTypes,
} from './core/plugin/registry.js';
export type { DeliveryFailure, DeadLetterReason, RouterEvents, Strategy } from './core/routing/events.js';
export type { RouterStats, PendingDetail } from './core/routing/router.js';
export type { OverflowPolicy, TargetStats, BackpressureStats } from './core/routing/target.js';
export { jsonFormatter } from './formatters/json.js';
export { stableJsonFormatter } from './formatters/stable-json.js';
export { createTextFormatter, type TextFormatterOptions } from './formatters/text.js';
export { createPrettyFormatter, type PrettyFormatterOptions } from './formatters/pretty.js';
export { ConsoleTransport, type ConsoleTransportOptions } from './transports/console/index.js';
export { MemoryTransport, type MemoryTransportOptions } from './transports/memory.js';
export {
  FileTransport,
  type FileTransportOptions,
  type FileProgress,
  type FileStats,
} from './transports/file/index.js';
export type { RotationOptions } from './transports/file/rotation.js';
export {
  HttpTransport,
  type HttpTransportOptions,
  type HttpRetryOptions,
  type HttpStats,
  type BatchProcessed,
} from './transports/http/index.js';
export {
  SyslogTransport,
  type SyslogProtocol,
  type SyslogStats,
  type SyslogTlsOptions,
  type SyslogTransportOptions,
} from './transports/syslog/index.js';
export { registerHttpPreset } from './transports/http/presets/index.js';
export type { HttpPreset, HttpResponse, PresetFactory, PresetOptions, Verdict } from './transports/http/preset.js';
export {
  BufferedTransport,
  type BufferedTransportOptions,
  type BufferStatus,
  type FlushEvent,
} from './transports/buffered.js';
export {
  ValidatingTransport,
  type ValidatingTransportOptions,
  type ValidationStats,
  type OnInvalid,
  type RecordCheck,
  type ValidationProblem,
  type ValidationError,
  type Check,
  type CheckOutcome,
  type JsonSchema,
  type ValidatorResult,
  JsonSchemaError,
} from './transports/validating/index.js';
