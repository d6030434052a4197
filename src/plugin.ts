import './builtins.js';

/*
 * `streamlog/plugin`: what a plugin author needs beyond the application's API (the
 * `streamlog` entry, which has registerTransport, Transport, BatchTransport and the rest):
 * option schemas to build a plugin's own from, size and duration parsing, the batching
 * helpers, and the names of what is registered. These carry zod's types; the main entry
 * does not.
 */
export {
  sizeSchema,
  durationSchema,
  timerDurationSchema,
  MAX_TIMER_MS,
  parseSize,
  parseDuration,
  deprecatedOption,
} from './core/plugin/units.js';
export { batchOptionsShape } from './core/plugin/batch-schema.js';
export { configSchema } from './core/config/schema.js';
export { Batcher, backoffMs, type BatchLimits } from './core/plugin/batcher.js';
export { safeJson } from './core/record/serialize.js';
export { isFinal, isSkip, type SettlementListener } from './core/io/settlement.js';
export { transportNames, formatterNames } from './core/plugin/registry.js';
export { httpPresetNames } from './transports/http/presets/index.js';
export { rulesToSchema } from './transports/validating/index.js';
