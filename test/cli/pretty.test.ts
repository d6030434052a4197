import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PRETTY_GOLDEN, PRETTY_INPUT } from './pretty-input.js';
import { CLI, producerLines, streamlog } from './run.js';

describe('streamlog pretty', () => {
  it('prints ours and pino lines, escapes control characters, passes other lines through (golden)', async () => {
    const result = await streamlog(['pretty', '--utc', '--colour', 'never', '--level', 'info'], {
      input: PRETTY_INPUT,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(PRETTY_GOLDEN);
  });

  it('with colour, only its own escape sequences reach the terminal', async () => {
    const result = await streamlog(['pretty', '--colour', 'always'], { input: PRETTY_INPUT });
    expect(result.code).toBe(0);
    // Every ESC in the output starts one of picocolors' SGR sequences; the input's ESC [2J never passes.
    expect(result.stdout).toContain('\u001b[');
    expect(result.stdout).not.toContain('\u001b[2J');
    expect(result.stdout.replace(/\u001b\[\d+(;\d+)*m/g, '')).not.toMatch(/[\u001b\u0007\u009b\u2028]/);
    // The forged line stays inside the real one: no output line starts with a forged clock.
    expect(result.stdout.split('\n').filter((l) => l.includes('FATAL'))).toHaveLength(1);
    expect(result.stdout).not.toMatch(/^\[08:00:03\.000\]/m);
  });

  it('reads FORCE_COLOR as the console transport does: "false" and "" do not force colour', async () => {
    const input = '{"level":30,"msg":"hi"}\n';
    for (const [env, coloured] of [
      [{ FORCE_COLOR: 'false' }, false],
      [{ FORCE_COLOR: '' }, false],
      [{ FORCE_COLOR: '0' }, false],
      [{ FORCE_COLOR: '1' }, true],
      [{ FORCE_COLOR: 'false', NO_COLOR: '1' }, false],
    ] as const) {
      const result = await streamlog(['pretty'], { input, env });
      // Before: any FORCE_COLOR but "0" coloured the command's output, and not the library's.
      expect(result.stdout.includes('\u001b['), JSON.stringify(env)).toBe(coloured);
    }
  });

  it('--level filters JSON records by number or name; other lines always pass', async () => {
    const input = '{"level":30,"msg":"info"}\n{"level":50,"msg":"error"}\nplain\n{"level":"warn","msg":"named"}\n';
    const result = await streamlog(['pretty', '--level', 'warn', '--colour', 'never'], { input });
    expect(result.stdout).toBe('ERROR: error\nplain\nWARN: named\n');
  });

  it('--levels names the custom levels a service logs, for its labels and for --level', async () => {
    const input = '{"level":35,"msg":"numbered"}\n{"level":"audit","msg":"named"}\n{"level":30,"msg":"info"}\n';
    const named = await streamlog(
      ['pretty', '--levels', 'audit=35, notice=33', '--level', 'notice', '--colour', 'never'],
      {
        input,
      },
    );
    // Before: `LEVEL 35`, and --levels was an unknown option.
    expect(named.stderr).toBe('');
    expect(named.stdout).toBe('AUDIT: numbered\nAUDIT: named\n');
    const unnamed = await streamlog(['pretty', '--colour', 'never'], { input });
    expect(unnamed.stdout).toBe('LEVEL 35: numbered\nAUDIT: named\nINFO: info\n');
  });

  it.each([
    ['audit', /--levels: expected name=number pairs, not "audit"/],
    ['audit=3.5', /--levels: audit's number must be a whole number, not "3.5"/],
    ['info=35', /--levels: info is a default level \(30\)/],
    ['audit=30', /--levels: 30 is info's number/],
    ['audit=35,notice=35', /--levels: 35 is named twice \(audit, notice\)/],
    ['audit=35,audit=36', /--levels: audit given twice \(35, 36\)/],
    ['Audit-log=35', /--levels: "Audit-log" is not a level name \(lowercase letters, digits and _, as in a config\)/],
  ])('--levels %s is a usage error', async (levels, message) => {
    const result = await streamlog(['pretty', '--levels', levels], { input: '{"level":30,"msg":"x"}\n' });
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });

  it('a last line without a newline comes out whole, multi-byte characters intact', async () => {
    const result = await streamlog(['pretty', '--colour', 'never'], {
      input: Buffer.from('{"msg":"caf\u00e9 \u{1f600}"}'),
    });
    expect(result.stdout).toBe('LOG: caf\u00e9 \u{1f600}\n');
  });

  it('a BOM-led first line (as a file written with one has) and an NBSP-led one are printed pretty', async () => {
    const input = '\ufeff{"level":30,"msg":"first"}\n\u00a0{"level":40,"msg":"nbsp"}\n{"level":30,"msg":"third"}\n';
    const result = await streamlog(['pretty', '--colour', 'never'], { input });
    expect(result.stdout).toBe('INFO: first\nWARN: nbsp\nINFO: third\n');
  });

  it('a time the head cannot show is shown as a field, not dropped without a trace', async () => {
    const input = '{"level":30,"time":"garbage","msg":"x"}\n{"level":30,"time":1e30,"msg":"y"}\n';
    const result = await streamlog(['pretty', '--colour', 'never'], { input });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('INFO: x\n    time: garbage\nINFO: y\n    time: 1e+30\n');
  });

  it('a bad option is a usage error: exit 2, the reason on stderr', async () => {
    const result = await streamlog(['pretty', '--colour', 'purple']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--colour must be one of auto, always, never/);
  });

  it.each(['toString', 'constructor', '__proto__'])(
    '--level %s (no level, an Object key) is a usage error',
    async (name) => {
      const result = await streamlog(['pretty', '--level', name], { input: '{"level":10,"msg":"trace"}\n' });
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/--level must be a level name/);
      expect(result.code).toBe(2);
    },
  );

  it('Ctrl-C on the pipeline: the shutdown lines logged after it are printed; a second one ends it', async () => {
    let step = 0;
    const result = await streamlog(['pretty', '--colour', 'never'], {
      input: '{"msg":"started"}\n',
      keepOpen: true,
      timeoutMs: 20_000,
      onOutput: ({ stdout }, child) => {
        // SIGINT reaches the producer and us alike; the producer then logs its shutdown.
        if (step === 0 && stdout.includes('started')) {
          step = 1;
          child.kill('SIGINT');
          setTimeout(() => child.stdin!.write('{"msg":"shutting down"}\n'), 100);
        } else if (step === 1 && stdout.includes('shutting down')) {
          step = 2;
          child.kill('SIGINT');
        }
      },
    });
    expect(result.stdout).toBe('LOG: started\nLOG: shutting down\n');
    expect(result.signal).toBe('SIGINT');
  });

  it('after Ctrl-C it ends with its input: the last line, without a newline, printed, exit 0', async () => {
    let signalled = false;
    const result = await streamlog(['pretty', '--colour', 'never'], {
      input: '{"msg":"started"}\n',
      keepOpen: true,
      timeoutMs: 20_000,
      onOutput: ({ stdout }, child) => {
        if (signalled || !stdout.includes('started')) return;
        signalled = true;
        child.kill('SIGINT');
        setTimeout(() => child.stdin!.end('{"msg":"bye"}'), 100);
      },
    });
    expect(result.stdout).toBe('LOG: started\nLOG: bye\n');
    expect(result.code).toBe(0);
  });

  it('SIGTERM: what was read is printed, a line begun without its newline too, and it dies by the signal', async () => {
    let signalled = false;
    const result = await streamlog(['pretty', '--colour', 'never'], {
      input: '{"msg":"started"}\n{"msg":"cut sh',
      keepOpen: true,
      timeoutMs: 20_000,
      onOutput: ({ stdout }, child) => {
        if (signalled || !stdout.includes('started')) return;
        signalled = true;
        setTimeout(() => child.kill('SIGTERM'), 100);
      },
    });
    // The begun line is no JSON object: it passes through as it came.
    expect(result.stdout).toBe('LOG: started\n{"msg":"cut sh\n');
    expect(result.signal).toBe('SIGTERM');
  });

  it('SIGTERM with a reader that takes nothing (a pager left on its first page): it still dies by it', async () => {
    const child = spawn(process.execPath, [CLI, 'pretty', '--colour', 'never'], {
      timeout: 15_000,
      killSignal: 'SIGKILL',
    });
    // stdout is never read: once the pipe is full, every write waits for a drain that never comes.
    child.stdin.on('error', () => {});
    child.stdin.write(producerLines(20_000));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const signalled = Date.now();
    child.kill('SIGTERM');
    const signal = await new Promise((resolve) => child.on('exit', (_code, received) => resolve(received)));
    expect(signal).toBe('SIGTERM');
    expect(Date.now() - signalled).toBeLessThan(8_000);
    child.stdout.destroy();
  });
});
