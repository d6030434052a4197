import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuild, ROOT, strictTsc } from '../built.js';

/**
 * Compiles consumers of the built package (`streamlog` resolved through package.json
 * "exports", as an installed copy would be) with the real pino-http and Fastify types.
 */
function compile(file: string, more: string[] = [], checkLibs = false): string {
  requireBuild();
  return strictTsc([join(ROOT, 'test', 'types', 'consumers', file)], ROOT, ['--ignoreConfig', ...more], checkLibs)
    .output;
}

describe('a strict TypeScript consumer of the built package', () => {
  it('ESM: pinoHttp({ logger }) and Fastify({ loggerInstance }) without a cast', () => {
    expect(compile('esm.mts')).toBe('');
  });

  it('CommonJS: the same, through the require condition', () => {
    expect(compile('cjs.cts')).toBe('');
  });

  it("a service moving from pino, under exactOptionalPropertyTypes and with the packages' types checked", () => {
    const strictest = ['--exactOptionalPropertyTypes', '--noUncheckedIndexedAccess'];
    expect(compile('pino-user.mts', strictest, true)).toBe('');
  });
});
