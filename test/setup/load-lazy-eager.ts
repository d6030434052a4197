/*
 * Stands in for src/load-lazy.cts when tests run the source (vitest.config.ts aliases it):
 * there `require` cannot load TypeScript, so the lazily loaded transports are imported
 * here. The built package loads them lazily; test/transports/lazy-loading.test.ts checks that.
 */
import * as http from '../../src/transports/http/index.js';
import * as syslog from '../../src/transports/syslog/index.js';
import * as validating from '../../src/transports/validating/index.js';

export const loadHttp = (): typeof http => http;
export const loadSyslog = (): typeof syslog => syslog;
export const loadValidating = (): typeof validating => validating;
