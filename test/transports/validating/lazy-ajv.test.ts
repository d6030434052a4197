import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { libraryLines } from '../../built.js';

/*
 * Ajv is loaded only when a JSON Schema is configured. Ajv and ajv-formats are CommonJS and
 * both builds load them through require, so the require cache shows whether they were read.
 */
function ajvFilesLoaded(build: 'esm' | 'cjs', transports: unknown[]): number {
  const script = [
    ...libraryLines(build),
    `const log = lib.createLogger({ exitFlush: false, transports: ${JSON.stringify(transports)} });`,
    "log.info({ userId: 1 }, 'x');",
    'const files = Object.keys(req.cache).filter((f) => /node_modules[\\\\/]ajv(-formats)?[\\\\/]/.test(f));',
    'process.stdout.write(String(files.length));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return Number(result.stdout);
}

describe('Ajv is loaded only with a JSON Schema', () => {
  const plain = [{ type: 'memory' }, { type: 'console', format: 'json', level: 'fatal' }];
  const withSchema = [{ type: 'validating', schema: { required: ['userId'] }, target: { type: 'memory' } }];

  it.each(['esm', 'cjs'] as const)('%s build: not without one, loaded with one', (build) => {
    expect(ajvFilesLoaded(build, plain)).toBe(0);
    expect(ajvFilesLoaded(build, withSchema)).toBeGreaterThan(0);
  });
});
