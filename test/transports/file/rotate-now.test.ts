import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, FileTransport } from '../../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'streamlog-rotate-now-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const filesOf = (prefix: string): string[] =>
  readdirSync(dir)
    .filter((name) => name.startsWith(prefix))
    .sort();

describe('file rotate() called by the application', () => {
  it('throws, naming the option, when no transport on the path has rotate options (it did nothing)', async () => {
    const path = join(dir, 'plain.log');
    const file = new FileTransport({ path, id: 'app-file' });
    const log = createLogger({ exitFlush: false, transports: [file] });
    log.info('a');
    await log.flush();
    expect(() => file.rotate()).toThrow(/app-file: rotate\(\) needs the "rotate" option .*plain\.log.*reopen\(\)/);
    log.info('b');
    await log.close();
    expect(filesOf('plain')).toEqual(['plain.log']);
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 2, failed: 0 });
  });

  it('rotates now with rotate options, whatever the size', async () => {
    const path = join(dir, 'rotating.log');
    const file = new FileTransport({ path, rotate: { size: 10_000_000 } });
    const log = createLogger({ exitFlush: false, transports: [file] });
    log.info('before');
    await log.flush();
    file.rotate();
    log.info('after');
    await log.close();
    expect(filesOf('rotating')).toEqual(['rotating.1.rotated.log', 'rotating.log']);
    expect(readFileSync(join(dir, 'rotating.1.rotated.log'), 'utf8')).toContain('"before"');
    expect(readFileSync(path, 'utf8')).toContain('"after"');
    expect(file.stats().rotations).toBe(1);
  });

  it('rotates a path another transport on it has rotate options for', async () => {
    const path = join(dir, 'shared.log');
    const rotating = new FileTransport({ path, rotate: { size: 10_000_000 } });
    const plain = new FileTransport({ path });
    const log = createLogger({ exitFlush: false, transports: [plain] });
    log.info('one');
    await log.flush();
    plain.rotate();
    await log.close();
    await rotating.close();
    expect(filesOf('shared')).toEqual(['shared.1.rotated.log', 'shared.log']);
    expect(readFileSync(join(dir, 'shared.1.rotated.log'), 'utf8')).toContain('"one"');
  });
});
