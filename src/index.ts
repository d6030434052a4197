import './builtins.js';

export { createLogger, type LoggerOptions } from './core/create-logger.js';
export type { TransportEntry, LiveTransportEntry } from './core/build-transport.js';
export { Logger, type LogFn, type LoggerStats, type ChildOptions, type LoggerEvents } from './core/logger.js';
export { withContext, getContext } from './core/context.js';
export { ConfigError } from './core/errors.js';
export { LevelTable, DEFAULT_LEVELS, type LevelName, type LevelInput } from './core/levels.js';
export { LogRecord, type Formatter, type RecordScope, type TimestampMode, type LevelFormat } from './core/record.js';
export { Transport, type TransportOptions, type TransportStats, type TransportEvents, type SettlementListener } from './core/transport.js';
export { StreamTransport, WritableTransport, toTransport } from './core/adapt.js';
export type { DeliveryFailure, RouterStats, RouterEvents, Strategy } from './core/router.js';
export type { OverflowPolicy, TargetStats, BackpressureStats } from './core/target.js';
export { ProducerStream, type ProducerStreamOptions } from './core/producer-stream.js';
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
} from './core/registry.js';
export { configSchema, type ConfigInput as StreamlogConfig } from './core/config/schema.js';
export { configJsonSchema } from './core/config/json-schema.js';
export { parseSize, parseDuration, sizeSchema, durationSchema } from './core/units.js';
export { safeJson } from './core/serialize.js';
export { jsonFormatter } from './formatters/json.js';
export { stableJsonFormatter } from './formatters/stable-json.js';
export { createTextFormatter, type TextFormatterOptions } from './formatters/text.js';
export { createPrettyFormatter, type PrettyFormatterOptions } from './formatters/pretty.js';
export { ConsoleTransport, type ConsoleTransportOptions } from './transports/console.js';
export { MemoryTransport, type MemoryTransportOptions } from './transports/memory.js';
export { FileTransport, type FileTransportOptions, type FileProgress } from './transports/file/index.js';
export type { RotationOptions } from './transports/file/rotation.js';
export { BufferedTransport, type BufferedTransportOptions, type BufferStatus, type FlushEvent } from './transports/buffered.js';
export { ValidatingTransport, rulesToSchema, type ValidatingTransportOptions, type OnInvalid, type RecordCheck, type ValidationProblem, type ValidationError } from './transports/validating.js';
export { WrapperTransport } from './transports/wrapper.js';
