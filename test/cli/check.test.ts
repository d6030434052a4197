import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../built.js';
import { tempFolder } from '../transports/http/receiver.js';
import { streamlog } from './run.js';

describe('streamlog check', () => {
  it('a valid config: exit 0', async () => {
    const dir = tempFolder('cli-check');
    cpSync(join(ROOT, 'examples', 'service.json'), join(dir, 'service.json'));
    const result = await streamlog(['check', join(dir, 'service.json')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/service\.json: valid \(3 transport\(s\)\)/);
  });

  it('an invalid config: every problem with its JSON path, exit 2', async () => {
    const dir = tempFolder('cli-check');
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        level: 'loud',
        transports: [
          { type: 'file', pth: 'x.log' },
          { type: 'kafak' },
          { type: 'file', path: 'a.log', rotate: { size: '1B' } },
        ],
      }),
    );
    const result = await streamlog(['check', file]);
    expect(result.code).toBe(2);
    expect(result.stdout.split('\n').slice(1, -1)).toEqual([
      '  level: unknown level "loud" (known: trace, debug, info, warn, error, fatal, silent)',
      '  transports[0].pth: unknown option "pth" ' +
        '(known: path, mode, sync, bufferSize, fsync, rotate, reopenOnSighup); did you mean "path"?',
      '  transports[0].path: expected string, got undefined',
      '  transports[1].type: unknown transport "kafak" ' +
        '(known: buffered, console, file, http, memory, syslog, validating)',
      '  transports[2].rotate.size: expected a rotation size of at least 1KB',
    ]);
    expect(result.stdout).toMatch(/bad\.json: 5 problems\n/);
  });

  it('a diagnostics key other than false is a problem, as createLogger finds (check gives a handler)', async () => {
    const dir = tempFolder('cli-check');
    for (const [value, valid] of [
      [true, false],
      ['x', false],
      [null, false],
      [false, true],
    ] as const) {
      const file = join(dir, 'diagnostics.json');
      writeFileSync(file, JSON.stringify({ diagnostics: value, transports: [{ type: 'memory' }] }));
      const result = await streamlog(['check', file]);
      // Before: "valid" for every value, where createLogger(file) threw.
      expect(result.code, String(value)).toBe(valid ? 0 : 2);
      if (!valid) expect(result.stdout).toContain('  diagnostics: expected false (or, from code, a function)\n');
    }
    // From the environment, as createLogger reads it: before, any "${X}" was said valid.
    const file = join(dir, 'from-env.json');
    writeFileSync(file, JSON.stringify({ diagnostics: '${X}', transports: [{ type: 'memory' }] }));
    for (const [x, code] of [
      ['true', 2],
      ['yes', 2],
      ['false', 0],
    ] as const) {
      expect((await streamlog(['check', file], { env: { X: x } })).code, x).toBe(code);
    }
    // Said as createLogger says it: before, an unset variable read as "expected false".
    const unset = await streamlog(['check', file], { env: { X: undefined } });
    expect(unset.stdout).toContain('  diagnostics: environment variable X is not set');
    const no = await streamlog(['check', file], { env: { X: 'no' } });
    expect(no.stdout).toContain('  diagnostics: expected false (or, from code, a function) (${X} gave "no")');
  });

  it('invalid JSON is invalid (exit 2, line and column); an unreadable file exits 1', async () => {
    const dir = tempFolder('cli-check');
    writeFileSync(join(dir, 'trailing.json'), '{\n  "level": "info",\n}\n');
    const invalid = await streamlog(['check', join(dir, 'trailing.json')]);
    expect(invalid.code).toBe(2);
    expect(invalid.stdout).toMatch(/at line 3, column 1: trailing comma before "}"/);
    const missing = await streamlog(['check', join(dir, 'missing.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/missing\.json: cannot read: ENOENT/);
  });
});

describe('streamlog schema, --version, --help, usage', () => {
  it('schema prints the same JSON Schema as streamlog.schema.json', async () => {
    const result = await streamlog(['schema']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(ROOT, 'streamlog.schema.json'), 'utf8'));
  });

  it('--version is the package version; --help lists the commands and exit codes', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect((await streamlog(['--version'])).stdout).toBe(`${pkg.version}\n`);
    const help = await streamlog(['--help']);
    expect(help.code).toBe(0);
    for (const word of ['pretty', 'pipe', 'ship', 'check', 'schema', 'Exit codes:'])
      expect(help.stdout).toContain(word);
    for (const command of ['pretty', 'pipe', 'ship', 'check', 'schema']) {
      const sub = await streamlog([command, '--help']);
      expect(sub.code).toBe(0);
      expect(sub.stdout).toMatch(new RegExp(`^Usage: .*streamlog ${command}`));
    }
  });

  it('--help of no command and --version with more after it are usage mistakes (they exited 0)', async () => {
    const help = await streamlog(['--help', 'shipp']);
    expect(help.code).toBe(2);
    expect(help.stdout).toBe('');
    expect(help.stderr).toMatch(/^streamlog: no help for "shipp": not a command \(known: pretty, /);
    const version = await streamlog(['--version', 'extra']);
    expect(version.code).toBe(2);
    expect(version.stderr).toMatch(/^streamlog: --version takes nothing after it \(got "extra"\)/);
    const level = await streamlog(['pretty', '--level', '1.5'], { input: '{"level":30,"msg":"x"}\n' });
    expect(level.code).toBe(2);
    expect(level.stderr).toContain('or a whole number');
  });

  it('no command, an unknown command or option: exit 2 with the reason', async () => {
    expect((await streamlog([])).code).toBe(2);
    const unknown = await streamlog(['shipit']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "shipit"/);
    const option = await streamlog(['pipe', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/unknown option --bogus \(this command takes --config, .*--help\)/);
  });

  it('pipe with an invalid config: exit 2 before reading anything', async () => {
    const dir = tempFolder('cli-check');
    writeFileSync(join(dir, 'bad.json'), '{"transports":[{"type":"kafak"}]}');
    const result = await streamlog(['pipe', '-c', join(dir, 'bad.json')], { input: '{"msg":"x"}\n' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^streamlog: invalid config .*bad\.json: 1 problem\n {2}transports\[0\]\.type: unknown transport "kafak"/,
    );
  });

  it('ship and pipe say an invalid config as check does: its file, then one problem a line', async () => {
    // They were one line with each break written as the two characters \n, and no file named.
    const dir = tempFolder('cli-check');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"level":"loud","transports":[{"type":"file","pth":"x"}]}');
    for (const args of [
      ['pipe', '-c', bad],
      ['ship', '-c', bad, '/dev/null'],
    ]) {
      const result = await streamlog(args, { input: '' });
      expect(result.code).toBe(2);
      const lines = result.stderr.split('\n');
      expect(lines[0]).toBe(`streamlog: invalid config ${bad}: 3 problems`);
      expect(lines[1]).toMatch(/^ {2}level: unknown level "loud"/);
      expect(lines[2]).toMatch(/^ {2}transports\[0\]\.pth: unknown option "pth"/);
      expect(lines[3]).toMatch(/^ {2}transports\[0\]\.path: expected string/);
      expect(result.stderr).not.toContain('\\n');
    }
    const ambiguous = await streamlog(['pretty', '--level', '-1'], { input: '' });
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).not.toContain('\\n');
    expect(ambiguous.stderr).toMatch(/^streamlog: Option '--level' argument is ambiguous\. Did you forget/);
  });
});
