import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { libraryLines } from '../built.js';

/*
 * What start-up does not need is loaded when first used: the http, syslog and validating
 * transports, and the packages zod, ajv, picocolors and pino-std-serializers. Both entry
 * points load the CommonJS build, so the require cache shows which files were read.
 */
const PART =
  /[\\/](?:transports[\\/](http|syslog|validating)|node_modules[\\/](zod|ajv|picocolors|pino-std-serializers))[\\/]/;

function loaded(build: 'esm' | 'cjs', then: string): string[] {
  const script = [
    ...libraryLines(build),
    "const plain = [{ type: 'memory' }, { type: 'console', format: 'text', level: 'fatal' }];",
    "plain.push({ type: 'file', path: '/dev/null', format: 'stable-json' });",
    "plain.push({ type: 'buffered', target: { type: 'memory' } });",
    'const log = lib.createLogger({ exitFlush: false, transports: plain });',
    "log.info({ err: new Error('x') }, 'x');",
    'await log.close();',
    then,
    `const part = ${PART.toString()};`,
    'const seen = new Set(Object.keys(req.cache).flatMap((file) => part.exec(file)?.slice(1).filter(Boolean) ?? []));',
    'process.stdout.write(JSON.stringify([...seen].sort()));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as string[];
}

describe('what start-up does not need is loaded when first used', () => {
  it.each(['esm', 'cjs'] as const)('%s build: nothing for built-in transports; each part when used', (build) => {
    expect(loaded(build, '')).toEqual([]);
    const entry = "{ type: 'validating', rules: { a: 'number' }, target: { type: 'memory' } }";
    const validating = `lib.createLogger({ exitFlush: false, transports: [${entry}] }).close();`;
    // Their options are vouched for by plain-code checks: no zod.
    expect(loaded(build, validating)).toEqual(['ajv', 'validating']);
    const syslog = "{ type: 'syslog', level: 'fatal', protocol: 'udp', port: 9, facility: 'local0' }";
    expect(loaded(build, `lib.createLogger({ exitFlush: false, transports: [${syslog}] }).close();`)).toEqual([
      'syslog',
    ]);
    expect(loaded(build, "new lib.HttpTransport({ url: 'http://127.0.0.1:9/' }).destroy();")).toEqual(['http']);
    expect(loaded(build, 'void ({} instanceof lib.SyslogTransport);')).toEqual(['syslog']);
    expect(loaded(build, 'lib.configJsonSchema();')).toEqual(['http', 'syslog', 'validating', 'zod']);
    expect(loaded(build, 'lib.createPrettyFormatter({}, { colorize: true });')).toEqual(['picocolors']);
    const open = "lib.createLogger({ exitFlush: false, transports: [{ type: 'memory' }] })";
    // A request is a stream (an object literal shaped like one is data, logged as fields).
    const made = "Object.assign(new IncomingMessage(new Socket()), { method: 'GET', url: '/', headers: {} })";
    const modules = "const [{ IncomingMessage }, { Socket }] = [await import('node:http'), await import('node:net')];";
    const request = `${modules}\n${open}.info(${made});`;
    expect(loaded(build, request)).toEqual(['pino-std-serializers']);
  });
});
