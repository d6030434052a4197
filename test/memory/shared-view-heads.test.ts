import { describe, expect, it } from 'vitest';
import { DIST_ESM } from '../built.js';
import { heapGrowthMiB } from './heap-growth.js';

describe('children with keys made from data, each logging a wide record through text and stable-json', () => {
  it('let go of what was made for their heads (builders, code and kept values per key set) once they are gone', () => {
    // Fewer heads than are shared process-wide (256): each child's head is new, and the child
    // is dropped after its record. What text and stable-json keep for a key set (a node per
    // leaf of its records, compiled code) went with the builder, which outlived the child.
    const growthMiB = heapGrowthMiB(
      `
      const { createTextFormatter, stableJsonFormatter } = await import(${JSON.stringify(DIST_ESM)});
      class Eager extends Transport {
        type = 'eager';
        handle(record) { this.last = this.formatLine(record); this.settleDelivered(1); }
      }
      const log = createLogger({ exitFlush: false, diagnostics: () => {}, transports: [
        { transport: new Eager({ formatter: createTextFormatter() }) },
        { transport: new Eager({ formatter: stableJsonFormatter }) },
      ] });
      const wide = {};
      for (let i = 0; i < 200; i++) wide['group' + i] = { a: i, b: 'b' + i, c: true, d: null, e: 1.5 };
      let id = 0;
      async function step() {
        for (let i = 0; i < 25; i++) log.child({ ['tenant' + id++]: 1 }).info({ wide }, 'm');
        // A request's end: the engine lets go of what was held weakly only between tasks.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }`,
      1,
      9,
    );
    // Kept for the process's life: about 0.4 MB per head, 90 MiB here.
    expect(growthMiB).toBeLessThan(10);
  }, 120_000);
});
