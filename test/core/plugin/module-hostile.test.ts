import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger } from '../../../src/index.js';
import { tempFolder } from '../../transports/http/receiver.js';

// `{ "module": "./plugin.cjs" }` runs the plugin author's module inside createLogger: a
// module that throws on load, or whose exports throw when read, is a ConfigError naming
// the entry's module, never the module's own throw.

/** A config file beside a module of `source`; the ConfigError its logger fails with. */
function loadError(name: string, source: string): ConfigError {
  const dir = tempFolder('hostile-module');
  writeFileSync(join(dir, name), source);
  const config = join(dir, 'streamlog.json');
  writeFileSync(config, JSON.stringify({ transports: [{ type: 'memory' }, { module: `./${name}` }] }));
  try {
    createLogger(config);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('a plugin module that misbehaves', () => {
  it('throws null while loading: a ConfigError at transports[1].module', () => {
    const error = loadError('throws-null.cjs', 'throw null;');
    expect(error.message).toMatch(
      /^transports\[1\]\.module: cannot load plugin module "\.\/throws-null\.cjs" .*: null$/,
    );
  });

  it.each([
    ['a default export whose getter throws', 'module.exports = { get default() { throw new Error("getter"); } };'],
    ['a Proxy whose get trap throws', 'module.exports = new Proxy({}, { get() { throw new Error("trap"); } });'],
  ])('exports %s: a ConfigError at transports[1].module', (_, source) => {
    const error = loadError('odd-exports.cjs', source);
    expect(error.message).toMatch(
      /^transports\[1\]\.module: module "\.\/odd-exports\.cjs" threw while its exports were read/,
    );
  });
});
