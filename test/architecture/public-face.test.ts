import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { DIST_CJS, DIST_ESM, requireBuild } from '../built.js';

const MOVED = [
  'Batcher',
  'backoffMs',
  'parseSize',
  'parseDuration',
  'safeJson',
  'rulesToSchema',
  'transportNames',
  'formatterNames',
  'httpPresetNames',
  'sizeSchema',
  'durationSchema',
  'configSchema',
  'batchOptionsShape',
];

describe('the public face', () => {
  it('streamlog exports what applications call; plugin-author internals are in streamlog/plugin', async () => {
    requireBuild();
    const main = (await import(DIST_ESM)) as Record<string, unknown>;
    const plugin = (await import(DIST_ESM.replace(/index\.js$/, 'plugin.js'))) as Record<string, unknown>;
    expect(MOVED.filter((name) => name in main)).toEqual([]);
    expect(MOVED.filter((name) => !(name in plugin))).toEqual([]);
    for (const name of ['createLogger', 'withContext', 'registerTransport', 'registerHttpPreset', 'ConfigError']) {
      expect(typeof main[name], name).toBe('function');
    }
  });

  it('no value of the main entry is a zod schema', async () => {
    const main = (await import(DIST_ESM)) as Record<string, unknown>;
    const zodValues = Object.entries(main).filter(
      ([, value]) => typeof value === 'object' && value !== null && '_zod' in value,
    );
    expect(zodValues.map(([name]) => name)).toEqual([]);
  });

  it('import and require give one copy of the package: the same values under the same names', async () => {
    requireBuild();
    const require = createRequire(import.meta.url);
    for (const entry of ['index.js', 'plugin.js']) {
      const esm = (await import(DIST_ESM.replace(/index\.js$/, entry))) as Record<string, unknown>;
      const cjs = require(DIST_CJS.replace(/index\.js$/, entry)) as Record<string, unknown>;
      const names = Object.keys(cjs).filter((name) => name !== '__esModule');
      expect(Object.keys(esm).sort()).toEqual(names.sort());
      for (const name of names) expect(esm[name], name).toBe(cjs[name]);
    }
  });
});
