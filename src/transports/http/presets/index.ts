import type { PresetFactory } from '../preset.js';
import { clickhousePreset } from './clickhouse.js';
import { elasticsearchPreset } from './elasticsearch.js';
import { jsonPreset, ndjsonPreset } from './generic.js';
import { lokiPreset } from './loki.js';
import { otlpPreset } from './otlp.js';

/**
 * One preset table per process, on globalThis as the transport registry is: a preset
 * registered through one copy of the package is known to a logger made through another.
 */
const PRESETS_KEY = Symbol.for('streamlog.httpPresets');
const shared = globalThis as Record<symbol, Map<string, PresetFactory> | undefined>;
shared[PRESETS_KEY] ??= new Map<string, PresetFactory>([
  ['ndjson', () => ndjsonPreset],
  ['json', () => jsonPreset],
  ['otlp', () => otlpPreset],
  ['loki', lokiPreset],
  ['elasticsearch', elasticsearchPreset],
  ['opensearch', elasticsearchPreset],
  ['clickhouse', clickhousePreset],
]);
const presets = shared[PRESETS_KEY];

/** Adds a backend the way a transport is registered: `registerHttpPreset('splunk', factory)`. */
export function registerHttpPreset(name: string, factory: PresetFactory): void {
  if (typeof name !== 'string' || !/^[A-Za-z][\w.-]*$/.test(name)) {
    throw new TypeError(`preset name must start with a letter and hold only letters, digits, "_", "." or "-"`);
  }
  if (typeof factory !== 'function') throw new TypeError('a preset is registered as a function of its options');
  presets.set(name, factory);
}

export function httpPreset(name: string): PresetFactory | undefined {
  return presets.get(name);
}

export function httpPresetNames(): string[] {
  return [...presets.keys()].sort();
}
