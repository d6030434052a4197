import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../transports/http/receiver.js';
import { producerLines, streamlog } from './run.js';

function fileConfig(): { dir: string; config: string } {
  const dir = tempFolder('cli-usage');
  const config = join(dir, 'streamlog.json');
  writeFileSync(config, JSON.stringify({ transports: [{ type: 'file', path: 'out.log' }] }));
  return { dir, config };
}

describe('usage mistakes are named, exit 2, nothing shipped', () => {
  it.each(['abc', '1e3', '10s', ''])('pipe --signal-timeout "%s" is refused, not taken as 10000', async (value) => {
    const { dir, config } = fileConfig();
    const result = await streamlog(['pipe', '-c', config, `--signal-timeout=${value}`], { input: producerLines(1) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--signal-timeout must be a number of milliseconds/);
    expect(() => readFileSync(join(dir, 'out.log'))).toThrow(/ENOENT/);
  });

  it('a --signal-timeout longer than a timer holds is refused: Node fired it after 1 ms', async () => {
    const { dir, config } = fileConfig();
    const result = await streamlog(['pipe', '-c', config, '--signal-timeout', '2147483648'], {
      input: producerLines(1),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--signal-timeout must be at most 2147483647 ms/);
    expect(result.stderr).not.toMatch(/TimeoutOverflowWarning/);
    expect(() => readFileSync(join(dir, 'out.log'))).toThrow(/ENOENT/);
    const longest = await streamlog(['pipe', '-c', config, '--signal-timeout', '2147483647'], {
      input: producerLines(1),
    });
    expect(longest).toMatchObject({ code: 0, stderr: '' });
  });

  it('--signal-timeout 250 is taken', async () => {
    const { config } = fileConfig();
    const result = await streamlog(['pipe', '-c', config, '--signal-timeout', '250'], { input: producerLines(1) });
    expect(result.code).toBe(0);
  });

  it('a string option given twice is refused rather than the last silently winning', async () => {
    const { dir, config } = fileConfig();
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ transports: [{ type: 'file', path: 'other.log' }] }));
    const result = await streamlog(['pipe', '-c', config, '--config', other], { input: producerLines(1) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--config given twice/);
    const pretty = await streamlog(['pretty', '--level', 'info', '--level', 'error'], { input: '' });
    expect(pretty.code).toBe(2);
    expect(pretty.stderr).toMatch(/--level given twice/);
    // --color is --colour's other spelling: both at once are the option twice too.
    const spellings = await streamlog(['pretty', '--colour', 'always', '--color', 'never'], { input: '' });
    expect(spellings.code).toBe(2);
    expect(spellings.stderr).toMatch(/--colour given twice \(--color is its other spelling\)/);
  });

  it('a boolean flag given twice is harmless', async () => {
    const { dir, config } = fileConfig();
    writeFileSync(join(dir, 'a.log'), producerLines(2));
    const result = await streamlog(['ship', '-q', '--quiet', '-c', config, join(dir, 'a.log')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('pretty --message-key', () => {
  it('reads the line’s own key only, and refuses a key the head uses', async () => {
    // Before, `__proto__` read what every object inherits: each line showed the message `{}`.
    // Then `[object Object]`, and `function toString() { [native code] }` for `toString`.
    const line = '{"level":60,"time":1700000000000,"msg":"kept as a field"}\n';
    for (const key of ['__proto__', 'toString', 'constructor', 'valueOf', 'hasOwnProperty']) {
      const inherited = await streamlog(['pretty', '--colour', 'never', '--message-key', key], { input: line });
      expect(inherited.code).toBe(0);
      expect(inherited.stdout.split('\n')[0], key).toMatch(/ FATAL:$/);
      expect(inherited.stdout).toContain('kept as a field');
    }
    for (const key of ['', 'level', 'time']) {
      const refused = await streamlog(['pretty', `--message-key=${key}`], { input: line });
      expect(refused.code, key).toBe(2);
      expect(refused.stderr).toContain('--message-key: expected a key other than level and time');
    }
  });
});

describe('what operators type', () => {
  it('pretty --level takes a level name in any case: WARN is warn', async () => {
    const lines = '{"level":30,"msg":"info line"}\n{"level":40,"msg":"warn line"}\n';
    for (const level of ['WARN', 'Warn', 'warn']) {
      const result = await streamlog(['pretty', '--colour', 'never', '--level', level], { input: lines });
      expect(result.code, level).toBe(0);
      expect(result.stdout).toContain('warn line');
      expect(result.stdout).not.toContain('info line');
    }
  });

  it('streamlog --help <command> (and help <command>) print that command’s help', async () => {
    for (const args of [
      ['--help', 'pretty'],
      ['help', 'ship'],
      ['-h', 'check'],
    ]) {
      const result = await streamlog(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: .*streamlog ${args[1]} `));
    }
  });
});
