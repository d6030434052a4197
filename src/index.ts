import './builtins.js';

export { createLogger, type LoggerOptions } from './core/config/create-logger.js';
export type { TransportEntry, LiveTransportEntry } from './core/config/build-transport.js';
export { Logger, type LogFn, type LoggerStats, type ChildOptions, type LoggerEvents } from './core/logger/logger.js';
export { withContext, getContext } from './core/record/context.js';
export { ConfigError } from './core/config/errors.js';
export { LevelTable, DEFAULT_LEVELS, type LevelName, type LevelInput } from './core/record/levels.js';
export { LogRecord, type Formatter, type RecordScope, type TimestampMode, type LevelFormat } from './core/record/log-record.js';
export { Transport, type TransportOptions, type TransportStats, type TransportEvents, type SettlementListener } from './core/plugin/transport.js';
export { StreamTransport, WritableTransport, toTransport } from './core/plugin/adapters.js';
export type { DeliveryFailure, RouterStats, RouterEvents, Strategy } from './core/routing/router.js';
export type { OverflowPolicy, TargetStats, BackpressureStats } from './core/routing/target.js';
export { ProducerStream, type ProducerStreamOptions } from './core/logger/producer-stream.js';
export {
  registerTransport,
  registerFormatter,
  transportNames,
  formatterNames,
  type TransportPlugin,
  type FormatterPlugin,
  type TransportContext,
  type FormatterContext,
  type FormatSpec,
} from './core/plugin/registry.js';
export { configSchema, type ConfigInput as StreamlogConfig } from './core/config/schema.js';
export { configJsonSchema } from './core/config/json-schema.js';
export { parseSize, parseDuration, sizeSchema, durationSchema } from './core/plugin/units.js';
export { safeJson } from './core/record/serialize.js';
export { jsonFormatter } from './formatters/json.js';
export { stableJsonFormatter } from './formatters/stable-json.js';
export { createTextFormatter, type TextFormatterOptions } from './formatters/text.js';
export { createPrettyFormatter, type PrettyFormatterOptions } from './formatters/pretty.js';
export { ConsoleTransport, type ConsoleTransportOptions } from './transports/console/index.js';
export { MemoryTransport, type MemoryTransportOptions } from './transports/memory.js';
export { FileTransport, type FileTransportOptions, type FileProgress } from './transports/file/index.js';
export type { RotationOptions } from './transports/file/rotation.js';
export { BufferedTransport, type BufferedTransportOptions, type BufferStatus, type FlushEvent } from './transports/buffered.js';
export { ValidatingTransport, rulesToSchema, type ValidatingTransportOptions, type OnInvalid, type RecordCheck, type ValidationProblem, type ValidationError } from './transports/validating.js';
export { WrapperTransport } from './core/plugin/wrapper-transport.js';
