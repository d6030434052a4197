import { closeSync, existsSync, linkSync, mkdtempSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, type LoggerOptions } from '../../../src/index.js';

/*
 * Options each valid alone that make no sense together: each is a ConfigError naming the
 * entry, not a logger that loses, duplicates or misroutes records at run time.
 */

/** The issues of the ConfigError `options` throw, or "built". */
function issuesOf(options: LoggerOptions): unknown {
  try {
    const log = createLogger({ exitFlush: false, diagnostics: false, ...options });
    void log.close();
    return 'built';
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
}

describe('an id that is the name another entry gets by its type and position', () => {
  it('is a duplicate id, whichever entry comes first; log.transport(id) found only one of the two', () => {
    expect(issuesOf({ transports: [{ type: 'memory', id: 'memory#1' }, { type: 'memory' }] })).toEqual([
      {
        path: 'transports[1]',
        expected:
          'named "memory#1" by its type and position, the id of transports[0]: give this entry an "id" of its own',
      },
    ]);
    expect(issuesOf({ transports: [{ type: 'memory' }, { type: 'memory', id: 'memory#0' }] })).toEqual([
      {
        path: 'transports[1].id',
        expected: 'duplicate id "memory#0" (already used by transports[0], named so by its type and position)',
      },
    ]);
  });

  it('names other than the one an entry gets are free', () => {
    expect(issuesOf({ transports: [{ type: 'memory', id: 'memory#0' }, { type: 'memory' }] })).toBe('built');
    expect(issuesOf({ transports: [{ type: 'memory', id: 'console#1' }, { type: 'memory' }] })).toBe('built');
  });
});

describe('two block targets whose ids give their spool files one name', () => {
  const spooled = (ids: (string | undefined)[], overflow?: 'drop-newest') =>
    issuesOf({
      router: { spool: { dir: join(mkdtempSync(join(tmpdir(), 'streamlog-spool-names-')), 'spool') } },
      transports: ids.map((id) => ({ type: 'memory' as const, id, overflow })),
    });

  it('"x" and "x.2", "a/b" and "a_b" are accepted: each spool file says which target it is', () => {
    // See spool-owners.test.ts.
    // They were a ConfigError while a start could adopt one's file as the other's.
    expect(spooled(['x', 'x.2'])).toBe('built');
    expect(spooled(['a/b', 'a_b'])).toBe('built');
    expect(spooled(['memory_1', undefined])).toBe('built');
  });

  it('ids that name other files, targets that never spool, and no spool folder are accepted', () => {
    expect(spooled(['x', 'x.02'])).toBe('built');
    expect(spooled(['x', 'x.65'])).toBe('built');
    expect(spooled(['x', 'xy', 'x-2'])).toBe('built');
    expect(spooled(['x', 'x.2'], 'drop-newest')).toBe('built');
    expect(
      issuesOf({
        transports: [
          { type: 'memory', id: 'x' },
          { type: 'memory', id: 'x.2' },
        ],
      }),
    ).toBe('built');
  });
});

describe('two file transports of one logger on one file', () => {
  it('one path, written twice, through "./" or a link: a ConfigError, not every record written twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-same-file-'));
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    symlinkSync(log, join(dir, 'link.log'));
    linkSync(log, join(dir, 'hard.log'));
    for (const [other, same] of [
      [log, log],
      [join(dir, '.', 'app.log'), log],
      [join(dir, 'link.log'), `${join(dir, 'link.log')}, a link to ${log}`],
      [join(dir, 'hard.log'), `${join(dir, 'hard.log')}, a link to ${log}`],
    ] as const) {
      // Checked before the fix: each record was in the file twice, once as JSON and once as text.
      const transports = [
        { type: 'file' as const, path: log },
        { type: 'file' as const, path: other, format: 'text' as const },
      ];
      expect(issuesOf({ transports })).toEqual([
        {
          path: 'transports[1].path',
          expected:
            `the same file as transports[0].path (${same}): each record both take would be written to it twice; ` +
            'give one entry, or another file',
        },
      ]);
    }
  });

  it('a file nested in buffered is checked as well; files not made yet by their paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-same-file-'));
    const path = join(dir, 'later', 'app.log');
    const issues = issuesOf({
      transports: [
        { type: 'file', path },
        { type: 'buffered', target: { type: 'file', path } },
      ],
    });
    expect((issues as { path: string }[]).map((issue) => issue.path)).toEqual(['transports[1].target.path']);
    expect(
      issuesOf({
        transports: [
          { type: 'file', path },
          { type: 'file', path: `${path}.2` },
        ],
      }),
    ).toBe('built');
  });
});

describe('router.deadLetter that is the file a file transport writes', () => {
  it('by its path or a link to it: a ConfigError, not dead letters mixed into the log and pruned with it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-dead-log-'));
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    symlinkSync(log, join(dir, 'dead.ndjson'));
    for (const deadLetter of [log, join(dir, 'dead.ndjson')]) {
      // Checked before the fix: the dead letters were lines of app.log, and rotated files holding them were pruned.
      const issues = issuesOf({
        router: { deadLetter },
        transports: [{ type: 'file', path: log, format: 'text', rotate: { size: '1KB', maxFiles: 1 } }],
      });
      expect(issues).toEqual([
        {
          path: 'router.deadLetter',
          expected:
            `expected a file of its own, but transports[0].path writes to ${log}: dead letters would be ` +
            'lines of that log, in its format, rotated and pruned with it',
        },
      ]);
    }
    const deadLetter = join(dir, 'dead-letter.ndjson');
    expect(issuesOf({ router: { deadLetter }, transports: [{ type: 'file', path: log }] })).toBe('built');
  });
});

describe('a file path that ends in "/"', () => {
  it('for a file transport or the dead letter: a ConfigError, not a file named after the folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-slash-'));
    const expected = 'expected a file path, not a folder (it ends in "/")';
    // Checked before the fix: the log went to a file named "logs" beside where the folder was meant.
    expect(issuesOf({ transports: [{ type: 'file', path: `${dir}/logs/` }] })).toEqual([
      { path: 'transports[0].path', expected },
    ]);
    expect(issuesOf({ router: { deadLetter: `${dir}/dead/` }, transports: [] })).toEqual([
      { path: 'router.deadLetter', expected },
    ]);
    expect(existsSync(join(dir, 'logs'))).toBe(false);
  });
});

describe('a console stderrLevel number no level can have', () => {
  it('is refused as a level is (0 to 1000, whole), not every record or none sent to stderr', () => {
    // Checked before the fix: each was accepted.
    for (const [stderrLevel, expected] of [
      [-5, 'expected at least 0'],
      [5000, 'expected at most 1000'],
      [1.5, 'expected a whole number'],
    ] as const) {
      expect(issuesOf({ transports: [{ type: 'console', stderrLevel }] })).toEqual([
        { path: 'transports[0].stderrLevel', expected },
      ]);
    }
    expect(issuesOf({ transports: [{ type: 'console', stderrLevel: 40 }] })).toBe('built');
  });
});

describe('a console stderrLevel name the logger has no level of', () => {
  it('is said at transports[i].stderrLevel, not at the whole entry', () => {
    const issues = issuesOf({ transports: [{ type: 'console' }, { type: 'console', stderrLevel: 'loud' }] });
    expect(issues).toEqual([{ path: 'transports[1].stderrLevel', expected: expect.stringContaining('"loud"') }]);
    expect(issuesOf({ levels: { loud: 45 }, transports: [{ type: 'console', stderrLevel: 'loud' }] })).toBe('built');
  });
});

describe('file entries on streams rather than log files', () => {
  it('two entries or the dead letter on /dev/null, or on descriptors that reach one file, are accepted', () => {
    // Checked before the fix: both refused as "the same file" (with "2>&1", /dev/stdout and
    // /dev/stderr were as well, so a config split by level failed to start under one shell only).
    expect(
      issuesOf({
        router: { deadLetter: '/dev/null' },
        transports: [
          { type: 'file', path: '/dev/null' },
          { type: 'file', path: '/dev/null', level: 'error', format: 'text' },
        ],
      }),
    ).toBe('built');
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-streams-'));
    const out = join(dir, 'out.txt');
    // As "> out.txt 2>&1" leaves stdout and stderr: two descriptors on one file.
    const [one, two] = [openSync(out, 'a'), openSync(out, 'a')];
    symlinkSync(`/dev/fd/${two}`, join(dir, 'errors.log'));
    try {
      expect(
        issuesOf({
          router: { deadLetter: join(dir, 'errors.log') },
          transports: [
            { type: 'file', path: `/dev/fd/${one}` },
            { type: 'file', path: join(dir, 'errors.log'), level: 'error' },
          ],
        }),
      ).toBe('built');
    } finally {
      closeSync(one);
      closeSync(two);
    }
  });
});
