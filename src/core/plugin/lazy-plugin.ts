import { lazySchema, parseFast } from '../util/lazy-schema.js';
import type { TransportPlugin } from './registry.js';

/**
 * A transport plugin whose module is loaded when a config first names it: its schema (for
 * checking an entry, or the JSON Schema export) or its transport is asked for.
 */
export function lazyTransportPlugin(load: () => TransportPlugin): TransportPlugin {
  return {
    // The plugin's own plain check vouches for usual options without loading zod.
    schema: lazySchema(
      () => load().schema,
      (value) => parseFast(load().schema, value),
    ),
    create: (options, context) => load().create(options, context),
    get deprecated() {
      return load().deprecated;
    },
    get wraps() {
      return load().wraps;
    },
  };
}
