import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireBuild, ROOT } from '../built.js';

const example = fileURLToPath(new URL('../../examples/batch-processor.mjs', import.meta.url));

interface Summary {
  logged: number;
  delivered: number;
  failed: number;
  pending: number;
  batches: number;
  retries: number;
  averageBatchSize: number;
  averageBatchMs: number;
  rejected: number[];
  table: string;
}

describe('examples/batch-processor.mjs', () => {
  it('runs to exit 0; its summary adds up with the events it printed and the table it wrote', () => {
    requireBuild();
    const result = spawnSync(process.execPath, [example], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    // The rejected orders are said once on stderr (the example sets no diagnostics handler), and
    // those the minute held back are summed as it ends: seven in all (orderId % 15 === 7).
    const said = result.stderr.split('\n').filter(Boolean);
    const heldBack = /, in \d+ report\(s\) held back until the end$/;
    for (const line of said) {
      expect(line.replace(heldBack, '')).toMatch(
        /^streamlog: \d+ record\(s\) failed \(batch#0: order \d+: negative amount -\d+\)$/,
      );
    }
    expect(said.reduce((sum, line) => sum + Number(/\d+/.exec(line)![0]), 0)).toBe(7);
    expect(result.status).toBe(0);
    const lines = result.stdout.trim().split('\n');
    const summary = JSON.parse(lines.at(-1)!) as Summary;
    try {
      // The example logs orders 0..99; every one with orderId % 15 === 7 has a negative amount.
      const negative = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 15 === 7);
      const positive = Array.from({ length: 100 }, (_, i) => i).filter((i) => i % 15 !== 7);
      expect(summary).toMatchObject({ logged: 100, pending: 0, failed: negative.length });
      expect(summary.delivered + summary.failed).toBe(summary.logged);
      expect([...summary.rejected].sort((a, b) => a - b)).toEqual(negative);

      // The table holds exactly the delivered rows, each once, amounts as logged.
      const rows = readFileSync(summary.table, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { orderId: number; amount: number });
      expect(rows).toHaveLength(summary.delivered);
      expect(rows.map((r) => r.orderId).sort((a, b) => a - b)).toEqual(positive);
      for (const row of rows) expect(row.amount).toBe(10 + row.orderId);

      // Every third processor call throws: at least one batch was retried, and said so.
      const events = lines.filter((l) => l.startsWith('batch of '));
      expect(events).toHaveLength(summary.batches);
      expect(summary.retries).toBeGreaterThanOrEqual(1);
      expect(events.filter((l) => l.includes(': retry ('))).toHaveLength(summary.retries);
      expect(events.some((l) => /attempt [1-9]/.test(l))).toBe(true);
      expect(lines.filter((l) => l.startsWith('not written: '))).toEqual(
        summary.rejected.map((id) => expect.stringContaining(`order ${id}: negative amount -${id}`)),
      );
      // 100 records in batches of at most 25, plus the retried ones sent again.
      expect(summary.averageBatchSize).toBeGreaterThan(0);
      expect(summary.averageBatchSize).toBeLessThanOrEqual(25);
      expect(summary.averageBatchMs).toBeGreaterThanOrEqual(0);
    } finally {
      if (summary.table) rmSync(dirname(summary.table), { recursive: true, force: true });
    }
  });
});
