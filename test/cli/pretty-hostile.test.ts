import { describe, expect, it } from 'vitest';
import { streamlog } from './run.js';

const pretty = (input: string | Buffer) => streamlog(['pretty', '--colour', 'never', '--utc'], { input });

describe('streamlog pretty on hostile input', () => {
  it('raw escapes in a line that is not JSON (or a cut-off JSON line) never reach the terminal raw', async () => {
    const input =
      'boot\u001b[2J\u001b]0;owned\u0007done\n{"msg":"\u001b[31mraw in broken JSON"}\n\u0000\u0000\u009b1m\n';
    const result = await pretty(input);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(result.stdout).toBe(
      'boot\\u001b[2J\\u001b]0;owned\\u0007done\n{"msg":"\\u001b[31mraw in broken JSON"}\n\\u0000\\u0000\\u009b1m\n',
    );
  });

  it('bidi controls in a line that is not JSON show as escapes, so it cannot read reversed', async () => {
    // Before: JSON records had them escaped, plain and cut-off lines kept them raw.
    const result = await pretty('user \u202Enimda\u202C ok\n{"msg":"\u2066cut\n');
    expect(result.stdout).toBe('user \\u202enimda\\u202c ok\n{"msg":"\\u2066cut\n');
  });

  it('a CR in the middle of a plain line cannot overwrite it; CRLF endings and tabs stay as they were', async () => {
    const result = await pretty('real\r[00:00:00.000] FATAL: forged\nwin\tdows\r\n');
    expect(result.stdout).toBe('real\\u000d[00:00:00.000] FATAL: forged\nwin\tdows\n');
  });

  it('a message that is not text (pino takes any value) shows as its JSON, not "[object Object]"', async () => {
    const result = await pretty('{"level":30,"msg":{"code":7}}\n{"level":40,"msg":["a",1]}\n{"msg":null,"k":1}\n');
    expect(result.stdout).toBe('INFO: {"code":7}\nWARN: ["a",1]\nLOG: null\n    k: 1\n');
  });

  it('a 20 MB line (many chunks) comes out whole in 16 MB pieces, nothing lost, the next line intact', async () => {
    const long = 'x'.repeat(20 * 1024 * 1024);
    const result = await pretty(`${long}\n{"msg":"after"}\n`);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.at(-2)).toBe('LOG: after');
    expect(lines.slice(0, -2).join('')).toBe(long);
    expect(lines.length).toBeGreaterThan(3);
  });
});

describe('pretty on a run of control characters (binary garbage, /dev/zero)', () => {
  it('escapes 4 MB of NULs within a 96 MB heap (before: the heap ran out, exit 134)', async () => {
    const nuls = Buffer.alloc(4 * 1024 * 1024);
    const result = await streamlog(['pretty'], {
      input: nuls,
      env: { NODE_OPTIONS: '--max-old-space-size=96' },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBe(nuls.length * 6 + 1);
    expect(result.stdout.startsWith('\\u0000\\u0000')).toBe(true);
  }, 60_000);
});
