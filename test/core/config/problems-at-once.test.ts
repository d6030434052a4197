import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, type LoggerOptions } from '../../../src/index.js';

/** Every problem createLogger finds in one config, as `path: expected`. */
function problemsOf(config: object): string[] {
  try {
    const log = createLogger({ exitFlush: false, diagnostics: false, ...config } as LoggerOptions);
    void log.close();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.expected}`);
    throw error;
  }
  return [];
}

// `streamlog check` says every problem of a config in one run: fixing one must not show another,
// and no problem may come of a part of the config left unread because another part was refused.
describe('one run says every problem of a config', () => {
  it('a schema problem elsewhere: custom levels still known, redaction paths still read', () => {
    const problems = problemsOf({
      customLevels: { audit: 35 },
      messageKey: 5,
      level: 'audit',
      redact: ['a[', 'b'],
      transports: [{ type: 'memory', level: 'audit' }],
    });
    // Before: "transports[0].level: unknown level "audit"" (the custom levels were not read), and
    // the redaction path was said only once messageKey was fixed.
    expect(problems).toEqual([
      'messageKey: expected string, got number',
      expect.stringMatching(/^redact\[0\]: invalid redact path "a\["/),
    ]);
  });

  it('a level name that shadows a logger member, beside a schema problem', () => {
    const problems = problemsOf({ customLevels: { child: 35 }, nestedKey: 7, transports: [{ type: 'memory' }] });
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe('nestedKey: expected string, got number');
    expect(problems[1]).toMatch(/^customLevels\.child: /);
  });

  it('levels and customLevels both, beside another problem: both said (the first ended the check)', () => {
    const problems = problemsOf({ levels: { audit: 35 }, customLevels: { audit: 35 }, messageKey: 5 });
    expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual(['messageKey', 'customLevels']);
  });

  it("a wrapper's own problem and those of the entries it wraps, at every depth", () => {
    const problems = problemsOf({
      transports: [
        {
          type: 'buffered',
          batch: { maxRecordz: 1 },
          target: {
            type: 'validating',
            schema: { type: 'object' },
            onInvalid: 'nope',
            target: { type: 'http', url: 5 },
          },
        },
      ],
    });
    expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual([
      'transports[0].batch.maxRecordz',
      'transports[0].target.onInvalid',
      'transports[0].target.target.url',
    ]);
  });

  it('a wrapped entry the schema itself refused is said once, by the schema', () => {
    expect(problemsOf({ transports: [{ type: 'buffered', batch: { maxRecordz: 1 }, target: 5 }] })).toHaveLength(2);
    const problems = problemsOf({
      transports: [{ type: 'buffered', batch: { maxRecordz: 1 }, target: { type: 'nope' } }],
    });
    expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual([
      'transports[0].batch.maxRecordz',
      'transports[0].target.type',
    ]);
  });

  it('one bad custom level beside good ones: the good ones are still levels (no false "unknown level")', () => {
    expect(
      problemsOf({
        customLevels: { audit: 35, Bad: 36 },
        level: 'audit',
        transports: [{ type: 'memory', level: 'audit' }],
      }),
    ).toEqual([expect.stringMatching(/^customLevels\.Bad: /)]);
    expect(
      problemsOf({ customLevels: { audit: 35, 'bad name': 36 }, transports: [{ type: 'memory', level: 'audit' }] }),
    ).toEqual([expect.stringMatching(/^customLevels\["bad name"\]: /)]);
  });

  it('a custom level of a good name and a refused value: said at its value; naming it is no "unknown level"', () => {
    const problems = problemsOf({
      env: { AUD: 'high' },
      customLevels: { audit: '${AUD}', page: 2000 },
      level: 'audit',
      transports: [
        { type: 'memory', level: 'audit' },
        { type: 'memory', level: 'page' },
      ],
    });
    // Before: "level: unknown level "audit"" and both transports' levels said as well.
    expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual(['customLevels.audit', 'customLevels.page']);
    // A name the levels do not hold is still said.
    expect(
      problemsOf({ customLevels: { audit: 2000 }, transports: [{ type: 'memory', level: 'audti' }] }).map((p) =>
        p.slice(0, p.indexOf(':')),
      ),
    ).toEqual(['customLevels.audit', 'transports[0].level']);
  });

  it("a nested entry's routing options are said beside its wrapper's own problems", () => {
    const problems = problemsOf({
      transports: [{ type: 'buffered', bogus: 1, target: { type: 'memory', level: 'warn' } }],
    });
    expect(problems.map((p) => p.slice(0, p.indexOf(':')))).toEqual([
      'transports[0].bogus',
      'transports[0].target.level',
    ]);
  });

  it('a valid config beside them builds as before', async () => {
    const log = createLogger({
      exitFlush: false,
      customLevels: { audit: 35 },
      transports: [{ type: 'memory', level: 'audit' }],
    });
    await log.close();
  });
});
