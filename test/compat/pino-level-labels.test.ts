import { describe, expect, it } from 'vitest';
import { sideBySide } from './side-by-side.js';

// pino's labels: a custom level sharing a built-in's number (syslog-style names mapped onto
// pino's numbers) is that number's label, in levels.labels, logger.level and the written level.

describe('a custom level with a built-in’s number, as pino', () => {
  it('names the number: levels.labels, level, and formatters.level’s label', async () => {
    const level = (label: string) => ({ level: label });
    const { ours, theirs, calls, lines } = sideBySide({ customLevels: { notice: 30 }, formatters: { level } });
    const seen: unknown[][] = [];
    for (const log of calls) {
      log.info!('info call');
      log.notice!('notice call');
    }
    for (const log of [ours, theirs] as unknown as { level: string; levels: { labels: Record<number, string> } }[]) {
      seen.push([log.levels.labels[30], log.level]);
    }
    const [mine, pinos] = await lines();
    expect(mine).toEqual(pinos);
    expect(mine.map((line) => line.level)).toEqual(['notice', 'notice']);
    expect(seen[0]).toEqual(['notice', 'notice']);
    expect(seen[0]).toEqual(seen[1]);
  });
});
