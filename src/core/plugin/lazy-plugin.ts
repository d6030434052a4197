import { lazySchema } from '../util/lazy-schema.js';
import type { TransportPlugin } from './registry.js';

/**
 * A transport plugin whose module is loaded when a config first names it: its schema (for
 * checking an entry, or the JSON Schema export) or its transport is asked for.
 */
export function lazyTransportPlugin(load: () => TransportPlugin): TransportPlugin {
  return {
    schema: lazySchema(() => load().schema),
    create: (options, context) => load().create(options, context),
    get deprecated() {
      return load().deprecated;
    },
  };
}
