import { spawn } from 'node:child_process';
import { closeSync, linkSync, openSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../transports/http/receiver.js';
import { CLI, producerLines, streamlog } from './run.js';

// Reading a file the config writes fed every record back to its own input: `ship app.log` with
// app.log as a file target grew it without end (34 GB in ten minutes, found by a helper).

const LINES = 20_000;

function setUp(name: string, config: object): { dir: string; config: string; input: string } {
  const dir = tempFolder(name);
  const file = join(dir, 'streamlog.json');
  writeFileSync(file, JSON.stringify(config));
  // Large enough to be read in many chunks: a small file was read whole before anything was written.
  const input = join(dir, 'app.log');
  writeFileSync(input, producerLines(LINES));
  return { dir, config: file, input };
}

describe('ship and pipe refuse to read what their own config writes', () => {
  it('ship of a file target, by its path or a link to it: a usage error, the file untouched', async () => {
    const { dir, config, input } = setUp('cli-own-target', { transports: [{ type: 'file', path: 'app.log' }] });
    const size = statSync(input).size;
    linkSync(input, join(dir, 'link.log'));
    for (const given of [input, join(dir, 'link.log')]) {
      const result = await streamlog(['ship', '-q', '-c', config, given], { timeoutMs: 20_000 });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`streamlog: ${given} is ${input}, which the config writes as a file target`);
      expect(statSync(input).size).toBe(size);
    }
  });

  it('ship of the dead-letter file, through a buffered target that fails: refused', async () => {
    const { config, input } = setUp('cli-own-dead-letter', {
      router: { deadLetter: 'app.log' },
      transports: [
        { type: 'buffered', target: { type: 'http', url: 'http://127.0.0.1:9/', retry: { maxAttempts: 1 } } },
      ],
    });
    const size = statSync(input).size;
    const result = await streamlog(['ship', '-q', '-c', config, input], { timeoutMs: 20_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('which the config writes as the dead-letter file');
    expect(statSync(input).size).toBe(size);
  });

  it('pipe with stdin redirected from a file target (`< app.log`): refused', async () => {
    const { config, input } = setUp('cli-own-stdin', {
      transports: [{ type: 'validating', schema: { type: 'object' }, target: { type: 'file', path: 'app.log' } }],
    });
    const size = statSync(input).size;
    const fd = openSync(input, 'r');
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'pipe', '-c', config], {
        stdio: [fd, 'ignore', 'pipe'],
        timeout: 20_000,
      });
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    closeSync(fd);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`streamlog: stdin is ${input}, which the config writes as a file target`);
    expect(statSync(input).size).toBe(size);
  });
});
