/*
 * The transports an application names in its config or constructs itself, loaded then and
 * not when the package is: http (with its presets, node:http, node:https), syslog (node:net,
 * node:tls, node:dgram) and validating. CommonJS in both builds (.cts → .cjs), so `require`
 * is synchronous here: createLogger stays synchronous. (The ESM entry points re-export the
 * CommonJS build, see scripts/wrap-esm.mjs; tests of the source alias this file, see
 * vitest.config.ts.)
 */
import type * as Http from './transports/http/index.js' with { 'resolution-mode': 'import' };
import type * as Syslog from './transports/syslog/index.js' with { 'resolution-mode': 'import' };
import type * as Validating from './transports/validating/index.js' with { 'resolution-mode': 'import' };

export function loadHttp(): typeof Http {
  return require('./transports/http/index.js');
}

export function loadSyslog(): typeof Syslog {
  return require('./transports/syslog/index.js');
}

export function loadValidating(): typeof Validating {
  return require('./transports/validating/index.js');
}
