import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DIST_CJS, DIST_ESM, requireBuild } from '../built.js';

/*
 * The http, syslog and validating transports are loaded when first used, not when the
 * package is. Both entry points load the CommonJS build, so the require cache shows which
 * of their files were read.
 */
const LAZY = /[\\/]transports[\\/](http|syslog|validating)[\\/]/;

function loaded(build: 'esm' | 'cjs', then: string): string[] {
  requireBuild();
  const load = build === 'esm' ? `await import(${JSON.stringify(DIST_ESM)})` : `req(${JSON.stringify(DIST_CJS)})`;
  const script = [
    "import { createRequire } from 'node:module';",
    'const req = createRequire(import.meta.url);',
    `const lib = ${load};`,
    "const plain = [{ type: 'memory' }, { type: 'console', format: 'pretty', level: 'fatal' }];",
    "plain.push({ type: 'file', path: '/dev/null' }, { type: 'buffered', target: { type: 'memory' } });",
    'const log = lib.createLogger({ exitFlush: false, transports: plain });',
    "log.info('x');",
    'await log.close();',
    then,
    'const folder = (file) => /[\\\\/]transports[\\\\/](\\w+)[\\\\/]/.exec(file)?.[1] ?? [];',
    'const seen = new Set(Object.keys(req.cache).flatMap(folder));',
    'process.stdout.write(JSON.stringify([...seen].sort()));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as string[]).filter((name) => LAZY.test(`/transports/${name}/`));
}

describe('http, syslog and validating are loaded when first used', () => {
  it.each(['esm', 'cjs'] as const)(
    '%s build: none with built-in transports; each when named or constructed',
    (build) => {
      expect(loaded(build, '')).toEqual([]);
      const entry = "{ type: 'validating', rules: { a: 'number' }, target: { type: 'memory' } }";
      expect(loaded(build, `lib.createLogger({ exitFlush: false, transports: [${entry}] }).close();`)).toEqual([
        'validating',
      ]);
      const http = "new lib.HttpTransport({ url: 'http://127.0.0.1:9/' }).destroy();";
      expect(loaded(build, http)).toEqual(['http']);
      expect(loaded(build, 'void ({} instanceof lib.SyslogTransport);')).toEqual(['syslog']);
      expect(loaded(build, 'lib.configJsonSchema();')).toEqual(['http', 'syslog', 'validating']);
    },
  );
});
