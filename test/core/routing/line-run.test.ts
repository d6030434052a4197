import { describe, expect, it } from 'vitest';
import { LineRun, LineScratch, MAX_RUN_LINE_CHARS } from '../../../src/core/routing/line-run.js';

// A run keeps each line as the bytes it adds to the line before: what comes out must be
// exactly what went in, whatever the lines share, their script, or where groups and runs end.

interface Line {
  line: string;
  level: number;
  time: number;
  msg: string | undefined;
}

/** Adds every line, opening runs as they fill; returns the runs. */
function fill(lines: readonly Line[], writing: LineScratch): LineRun[] {
  const runs = [new LineRun()];
  for (const { line, level, time, msg } of lines) {
    if (runs.at(-1)!.add(line, level, time, msg, writing)) continue;
    runs.at(-1)!.write(writing);
    runs.push(new LineRun());
    expect(runs.at(-1)!.add(line, level, time, msg, writing)).toBe(true);
  }
  runs.at(-1)!.write(writing);
  return runs;
}

function takeAll(runs: readonly LineRun[], reading: LineScratch, writing: LineScratch): Line[] {
  const out: Line[] = [];
  for (const run of runs) {
    while (!run.done) {
      const line = run.take(reading, writing);
      out.push({ line, level: run.takenLevel, time: run.takenTime, msg: run.takenMsg });
    }
    run.letGo();
  }
  return out;
}

const t0 = 1_733_460_000_000;
function jsonLines(count: number, extra: (i: number) => Record<string, unknown> = () => ({})): Line[] {
  return Array.from({ length: count }, (_, i) => {
    const time = t0 + Math.floor(i / 7) + (i % 11 === 0 ? 0.5 : 0);
    const msg = i % 13 === 0 ? undefined : `shipped ${i % 3}`;
    const level = i % 5 === 0 ? 40 : 30;
    const line = `${JSON.stringify({ level, time, name: 'bench', i, route: '/orders', ...extra(i), msg })}\n`;
    return { line, level, time, msg };
  });
}

describe('a run of lines', () => {
  it('gives back every line, level, time and message of ASCII lines that differ in a few bytes', () => {
    const lines = jsonLines(20_000);
    const writing = new LineScratch();
    const runs = fill(lines, writing);
    expect(runs.length).toBeGreaterThan(3);
    expect(takeAll(runs, new LineScratch(), writing)).toEqual(lines);
  });

  it('gives back lines in any script, with lone surrogates, and lines of one byte or none in common', () => {
    const scripts = ['é', '😀', 'ж', '\u2028', '日本', 'x'];
    const lines = jsonLines(5000, (i) => ({ u: scripts[i % scripts.length]!.repeat(i % 9) }));
    // Lone surrogates (a hook's output) cannot go through UTF-8: they are kept as they are.
    for (let i = 3; i < lines.length; i += 401) lines[i]!.line = `{"lone":"\ud800${i}"}\n`;
    for (let i = 5; i < lines.length; i += 503) lines[i]!.line = `${'\udc00'}${i}`;
    for (let i = 7; i < lines.length; i += 307) lines[i]!.line = String(i % 10);
    const writing = new LineScratch();
    expect(takeAll(fill(lines, writing), new LineScratch(), writing)).toEqual(lines);
  });

  it('gives back lines that share nothing, and lines as long as a run takes', () => {
    const random = (n: number) =>
      Array.from({ length: n }, (_, i) => String.fromCharCode(32 + ((i * 7919 + n * 31) % 90))).join('');
    const lines: Line[] = [];
    for (let i = 0; i < 400; i++) {
      const length = i % 50 === 0 ? MAX_RUN_LINE_CHARS : (i * 37) % 300;
      lines.push({ line: random(length), level: i, time: -i, msg: i % 2 ? 'a' : 'b' });
    }
    const writing = new LineScratch();
    const runs = fill(lines, writing);
    expect(takeAll(runs, new LineScratch(), writing)).toEqual(lines);
  });

  it('gives back lines that are a part of the line before, or the line before a part of them', () => {
    // Every string of a and b up to five long, each after every other: heads and tails that
    // could overlap (a line "aa" after "aaa" shares two bytes at each end).
    const words = [''];
    for (let length = 1; length <= 5; length++) {
      for (let n = 0; n < 2 ** length; n++)
        words.push(n.toString(2).padStart(length, '0').replace(/0/g, 'a').replace(/1/g, 'b'));
    }
    const lines: Line[] = [];
    for (const a of words)
      for (const b of words) lines.push({ line: a, level: 1, time: 2, msg: b }, { line: b, level: 1, time: 2, msg: a });
    const writing = new LineScratch();
    expect(takeAll(fill(lines, writing), new LineScratch(), writing)).toEqual(lines);
  });

  it('gives back lines taken while more are added to the same run', () => {
    // Lines that differ at both ends (level, message): about 57 bytes each, 1,500 fit in a run.
    const lines = jsonLines(1500);
    const writing = new LineScratch();
    const reading = new LineScratch();
    const run = new LineRun();
    const out: string[] = [];
    let added = 0;
    // Two added, one taken: takes reach lines not yet written out of their group.
    while (added < lines.length) {
      for (let k = 0; k < 2 && added < lines.length; k++) {
        const { line, level, time, msg } = lines[added++]!;
        expect(run.add(line, level, time, msg, writing)).toBe(true);
      }
      out.push(run.take(reading, writing));
    }
    while (!run.done) out.push(run.take(reading, writing));
    expect(out).toEqual(lines.map((l) => l.line));
  });

  it('refuses a line past its room, and a run made of a block let go holds only its own lines', () => {
    const lines = jsonLines(10_000);
    const writing = new LineScratch();
    const first = fill(lines, writing);
    const reading = new LineScratch();
    expect(takeAll(first, reading, writing)).toEqual(lines);
    // Blocks let go are used again: what the next runs give back is theirs alone.
    const next = jsonLines(9000, (i) => ({ again: i }));
    const runs = fill(next, writing);
    expect(takeAll(runs, reading, writing)).toEqual(next);
    const run = new LineRun();
    let n = 0;
    while (run.add('{"a":1}\n', 30, 1, 'm', writing)) n++;
    // A line the same as the one before, at the same time, is its header alone: four bytes.
    expect(n).toBeGreaterThan(30_000);
    const again: string[] = [];
    while (!run.done) again.push(run.take(reading, writing));
    expect(again).toEqual(Array.from({ length: n }, () => '{"a":1}\n'));
  });

  it('gives back every time exactly: fractions, -0, NaN, infinities, jumps, and integers past 2^53', () => {
    const times = [
      t0,
      t0,
      t0 + 1,
      t0 - 1,
      t0 + 2 ** 27 - 1,
      t0 - 2 ** 27 + 1,
      t0 + 2 ** 27,
      -0,
      0,
      -0,
      0.5,
      -5,
      Number.NaN,
      3,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1e300,
      -1e300,
      2 ** 53 + 2,
      2 ** 53 + 4,
      2 ** 60,
      2 ** 60 + 256,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
      -Number.MIN_VALUE,
      1700000000000.5,
      1700000000001.5,
      1,
      2,
    ];
    const lines = times.map((time, i) => ({ line: `{"i":${i}}\n`, level: 30, time, msg: undefined }));
    const writing = new LineScratch();
    const out = takeAll(fill(lines, writing), new LineScratch(), writing);
    // Object.is tells -0 from 0 and NaN from itself, as toEqual does not.
    expect(out.map((l) => l.time).every((time, i) => Object.is(time, times[i]))).toBe(true);
    expect(out.map((l) => l.line)).toEqual(lines.map((l) => l.line));
  });
});
