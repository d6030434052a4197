import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type TransportEntry, type ValidatingTransport } from '../../src/index.js';
import { ROOT } from '../built.js';

/** The docs' validating entry (docs/transports.md), as written there, run against real files. */
function readmeValidatingEntry(): Record<string, unknown> {
  const readme = readFileSync(join(ROOT, 'docs', 'transports.md'), 'utf8');
  const blocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.includes('"type": "validating"'));
  if (block === undefined) throw new Error('docs/transports.md has no validating example');
  // A whole config, with the router's dead-letter file its onInvalid needs: the entry is its transport.
  const config = JSON.parse(block) as { transports: Record<string, unknown>[] };
  return config.transports[0]!;
}

describe("the docs' validating example", () => {
  it('rejects a record without userId (to the dead-letter file) and writes one with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-readme-'));
    const entry = readmeValidatingEntry();
    const target = entry.target as { path: string };
    const log = createLogger({
      exitFlush: false,
      base: null,
      router: { deadLetter: join(dir, 'dead.ndjson') },
      transports: [{ ...entry, target: { ...target, path: join(dir, target.path) } } as TransportEntry],
    });
    log.info({ userId: 7 }, 'audited');
    log.info({ user: 7 }, 'no userId');
    expect(await log.close({ timeoutMs: 5000 })).toBe(true);
    const audit = readFileSync(join(dir, target.path), 'utf8').trim().split('\n');
    expect(audit.map((l) => JSON.parse(l).msg)).toEqual(['audited']);
    const dead = JSON.parse(readFileSync(join(dir, 'dead.ndjson'), 'utf8').trim());
    expect(dead.record.msg).toBe('no userId');
    expect(dead.reasons[0].error).toMatch(/userId: required/);
    expect((log.transports[0] as ValidatingTransport).stats()).toMatchObject({ valid: 1, invalid: 1 });
  });
});
