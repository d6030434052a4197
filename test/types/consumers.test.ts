import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireBuild, ROOT } from '../built.js';

/**
 * Compiles consumers of the built package (`streamlog` resolved through package.json
 * "exports", as an installed copy would be) with the real pino-http and Fastify types.
 */
function compile(file: string): string {
  requireBuild();
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(
    process.execPath,
    [
      tsc,
      '--noEmit',
      '--strict',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--skipLibCheck',
      '--ignoreConfig',
      join(ROOT, 'test', 'types', 'consumers', file),
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  return result.stdout + result.stderr;
}

describe('a strict TypeScript consumer of the built package', () => {
  it('ESM: pinoHttp({ logger }) and Fastify({ loggerInstance }) without a cast', () => {
    expect(compile('esm.mts')).toBe('');
  });

  it('CommonJS: the same, through the require condition', () => {
    expect(compile('cjs.cts')).toBe('');
  });
});
