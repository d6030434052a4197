import type { PresetFactory } from '../preset.js';
import { clickhousePreset } from './clickhouse.js';
import { elasticsearchPreset } from './elasticsearch.js';
import { jsonPreset, ndjsonPreset } from './generic.js';
import { lokiPreset } from './loki.js';
import { otlpPreset } from './otlp.js';

const presets = new Map<string, PresetFactory>([
  ['ndjson', () => ndjsonPreset],
  ['json', () => jsonPreset],
  ['otlp', () => otlpPreset],
  ['loki', lokiPreset],
  ['elasticsearch', elasticsearchPreset],
  ['opensearch', elasticsearchPreset],
  ['clickhouse', clickhousePreset],
]);

/** Adds a backend the way a transport is registered: `registerHttpPreset('splunk', factory)`. */
export function registerHttpPreset(name: string, factory: PresetFactory): void {
  presets.set(name, factory);
}

export function httpPreset(name: string): PresetFactory | undefined {
  return presets.get(name);
}

export function httpPresetNames(): string[] {
  return [...presets.keys()].sort();
}
