import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isTransportPlugin, type TransportPlugin } from '../plugin/registry.js';
import { toError } from '../plugin/transport.js';
import { ConfigError } from './errors.js';

/**
 * Loads `{ "module": "./plugins/kafka.js" }` synchronously, relative to the config file.
 * Node 20.19+ can require() ES modules (without top-level await), so both module kinds
 * work. The module exports the plugin as default, as `plugin`, or as its own namespace.
 */
export function loadPluginModule(specifier: string, baseDir: string, path: string): TransportPlugin {
  const requireFrom = createRequire(pathToFileURL(resolve(baseDir, 'streamlog.json')).href);
  const target = specifier.startsWith('.') || isAbsolute(specifier) ? resolve(baseDir, specifier) : specifier;
  let loaded: unknown;
  try {
    loaded = requireFrom(target);
  } catch (error) {
    throw new ConfigError(
      path,
      `cannot load plugin module ${JSON.stringify(specifier)} (from ${baseDir}): ${toError(error).message}`,
      { cause: error },
    );
  }
  let found: TransportPlugin | undefined;
  try {
    found = findPlugin(loaded);
  } catch (error) {
    // An export whose getter (or a Proxy's trap) throws while we look for the plugin.
    throw new ConfigError(
      path,
      `module ${JSON.stringify(specifier)} threw while its exports were read: ${toError(error).message}`,
      { cause: error },
    );
  }
  if (found) return found;
  throw new ConfigError(
    path,
    `module ${JSON.stringify(specifier)} does not export a transport plugin: ` +
      'expected { schema, create } as its default export',
  );
}

function findPlugin(loaded: unknown): TransportPlugin | undefined {
  const exported = loaded as { default?: unknown; plugin?: unknown } | null;
  for (const candidate of [exported?.default, exported?.plugin, exported]) {
    if (isTransportPlugin(candidate)) return candidate;
    const nested = (candidate as { default?: unknown } | null | undefined)?.default;
    if (isTransportPlugin(nested)) return nested;
  }
  return undefined;
}
