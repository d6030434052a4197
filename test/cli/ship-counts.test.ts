import { existsSync, linkSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { tempFolder } from '../transports/http/receiver.js';
import { streamlog } from './run.js';

function config(dir: string, target: Record<string, unknown> = {}): string {
  const file = join(dir, 'streamlog.json');
  writeFileSync(file, JSON.stringify({ transports: [{ type: 'file', id: 'archive', path: 'out.log', ...target }] }));
  return file;
}

const messages = (dir: string): unknown[] =>
  readFileSync(join(dir, 'out.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { msg: unknown }).msg);

describe('ship and pipe: what was read, and what became of it', () => {
  it('with no config anywhere, says the records go to the console (a forgotten --config)', async () => {
    const dir = tempFolder('cli-no-config');
    const env = { STREAMLOG_CONFIG: undefined };
    const result = await streamlog(['pipe'], { cwd: dir, env, input: '{"level":30,"msg":"to the console"}\n' });
    // Before: shipped to stdout with a clean exit and no word that no config was found.
    expect(result.stderr).toBe(
      'streamlog: no config (--config, $STREAMLOG_CONFIG or ./streamlog.json): the records go to the console\n',
    );
    expect(result.stdout).toContain('to the console');
    expect(result.code).toBe(0);
  });

  it("ship: a file whose last line has no newline does not run into the next file's first line", async () => {
    const dir = tempFolder('cli-ship-join');
    writeFileSync(join(dir, 'a.log'), '{"msg":"a1"}\n{"msg":"a2"}');
    writeFileSync(join(dir, 'b.log'), '{"msg":"b1"}\n');
    const result = await streamlog(['ship', '-q', '-c', config(dir), join(dir, 'a.log'), join(dir, 'b.log')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(messages(dir)).toEqual(['a1', 'a2', 'b1']);
  });

  it('pipe --summary: lines below every target level are counted, so read = delivered + ... + below', async () => {
    const dir = tempFolder('cli-pipe-below');
    const input = '{"level":30,"msg":"a"}\n\n  \n{"level":50,"msg":"b"}\n{"level":20,"msg":"c"}';
    const result = await streamlog(['pipe', '-c', config(dir, { level: 'error' }), '--summary'], { input });
    expect(result.code).toBe(0);
    expect(messages(dir)).toEqual(['b']);
    expect(result.stderr).toMatch(
      /\n3 records in .*: 1 delivered, 0 failed, 0 dropped, 2 below every target's level under the all strategy\n$/,
    );
  });

  it('pipe --summary: a line of only Unicode spaces (NBSP, a BOM) is a record as counted, not "below"', async () => {
    const dir = tempFolder('cli-pipe-unicode-blank');
    const input = '\u00a0\n\ufeff\n\u3000 \n \t\r\n{"msg":"a"}\n';
    const result = await streamlog(['pipe', '-c', config(dir), '--summary'], { input });
    expect(result.code).toBe(0);
    expect(messages(dir)).toEqual(['\u00a0', '\ufeff', '\u3000 ', 'a']);
    expect(result.stderr).toMatch(/\n4 records in .*: 4 delivered, 0 failed, 0 dropped under the all strategy\n$/);
  });

  it('ship: a file that cannot be read to its end is named, with how many files after it were not read', async () => {
    const dir = tempFolder('cli-ship-broken');
    writeFileSync(join(dir, 'a.log'), '{"msg":"a1"}\n');
    const gz = gzipSync('{"msg":"b1"}\n{"msg":"b2"}\n'.repeat(200));
    writeFileSync(join(dir, 'b.log.gz'), gz.subarray(0, gz.length - 12)); // cut short: no end, no checksum
    writeFileSync(join(dir, 'c.log'), '{"msg":"c1"}\n');
    const files = ['a.log', 'b.log.gz', 'c.log'].map((f) => join(dir, f));
    const result = await streamlog(['ship', '-q', '-c', config(dir), ...files]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `streamlog: reading stopped: ${join(dir, 'b.log.gz')}: unexpected end of file (1 file after it not read)\n`,
    );
    expect(messages(dir)).not.toContain('c1');
  });

  it('ship: the same file given twice (another path to it, a link) is a usage error, not shipped twice', async () => {
    const dir = tempFolder('cli-ship-twice');
    writeFileSync(join(dir, 'a.log'), '{"msg":"a1"}\n');
    linkSync(join(dir, 'a.log'), join(dir, 'link.log'));
    for (const second of [`${dir}/./a.log`, join(dir, 'link.log')]) {
      const result = await streamlog(['ship', '-q', '-c', config(dir), join(dir, 'a.log'), second]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`streamlog: ${second}: the same file as ${join(dir, 'a.log')}, given twice\n`);
      expect(existsSync(join(dir, 'out.log'))).toBe(false);
    }
  });
});

describe('pipe and ship to a slow but healthy block target', () => {
  // While input waited on the target, the event loop emptied: Node took it for a script's
  // end, and the logger's exit path failed what it held after exitTimeoutMs, though the
  // receiver never refused anything (found by a helper attacking ingestion).
  it.each(['pipe', 'ship'])(
    '%s: every line delivered, exit 0',
    async (command) => {
      const dir = tempFolder(`cli-${command}-slow`);
      let taken = 0;
      const server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          taken += body.split('\n').filter(Boolean).length;
          setTimeout(() => res.writeHead(200).end(), 50);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
        const file = join(dir, 'streamlog.json');
        writeFileSync(
          file,
          JSON.stringify({
            exitTimeoutMs: 200,
            transports: [
              {
                type: 'http',
                id: 'slow',
                url,
                batch: { maxRecords: 50, intervalMs: 10 },
                maxQueue: { maxRecords: 100 },
                overflow: 'block',
              },
            ],
          }),
        );
        const records = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ level: 30, i, msg: 'm' }));
        const lines = `${records.join('\n')}\n`;
        writeFileSync(join(dir, 'in.ndjson'), lines);
        const args = command === 'pipe' ? ['pipe', '-c', file] : ['ship', '-q', '-c', file, join(dir, 'in.ndjson')];
        const result = await streamlog(args, command === 'pipe' ? { input: lines } : {});
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
        expect(taken).toBe(2000);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    },
    60_000,
  );
});

describe('ship: a file emptied while it is read (a copytruncate rotation)', () => {
  it('is said, with how much was read, and the run exits 1', async () => {
    const dir = tempFolder('cli-ship-truncated');
    const input = join(dir, 'app.log');
    writeFileSync(input, `${Array.from({ length: 50_000 }, (_, i) => JSON.stringify({ i, msg: 'x' })).join('\n')}\n`);
    let requests = 0;
    // A receiver that takes its time: the reading waits on it (overflow block), so the file is
    // emptied while most of it is still unread.
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (requests++ === 0) writeFileSync(input, '');
        setTimeout(() => res.writeHead(200).end(), 2);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
      const file = join(dir, 'streamlog.json');
      const http = { type: 'http', url, batch: { maxRecords: 100, intervalMs: 10 } };
      writeFileSync(
        file,
        JSON.stringify({ transports: [{ ...http, maxQueue: { maxRecords: 200 }, overflow: 'block' }] }),
      );
      const result = await streamlog(['ship', '-q', '-c', file, input]);
      // Before: "N delivered, 0 failed", exit 0, nothing said, for a run that read a small part of the file.
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        new RegExp(
          `streamlog: reading stopped: ${input}: cut short while read \\(truncated, by a rotation\\?\\): \\d+ of`,
        ),
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);
});
