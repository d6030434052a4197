import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, type MemoryTransport, type ValidatingTransport } from '../../../src/index.js';

/*
 * The JSON Schema Test Suite's draft 2020-12 cases (vendored under
 * test/fixtures/json-schema-test-suite, see its README) through the validating transport.
 *
 * A record is always an object with the logger's own keys (level, time, msg), so a case's
 * instance cannot be the record itself: most instances are not objects, and the extra keys
 * would change additionalProperties, maxProperties and the like. Each instance is logged
 * as the field `data` ({ data: instance }), and the transport's schema is a wrapper that
 * requires `data` and checks it against the case's schema, embedded as its own resource (its
 * own $id, or one given here when it has none), so that its "#..." references resolve inside
 * it as they would at a root. The record goes through the logger and its
 * serialiser, so the instance checked is what a record would carry.
 */
const SUITE = new URL('../../fixtures/json-schema-test-suite/', import.meta.url).pathname;

interface SuiteCase {
  description: string;
  data: unknown;
  valid: boolean;
}
interface SuiteGroup {
  description: string;
  schema: Record<string, unknown> | boolean;
  tests: SuiteCase[];
}

/** Groups Ajv refuses at start-up (a ConfigError), so no record is ever decided by them. */
const REFUSED: Record<string, RegExp> = {
  'ref.json > refs with relative uris and defs': /Maximum call stack size exceeded/,
  'ref.json > relative refs with absolute uris and defs': /Maximum call stack size exceeded/,
  'ref.json > URN ref with nested pointer ref': /Maximum call stack size exceeded/,
};

/**
 * Cases Ajv decides against the suite. A record whose field is an object with its own key
 * "__proto__" (JSON.parse makes one) is not checked against `properties.__proto__`.
 */
const DECIDED_WRONG: Record<string, string[]> = {
  'properties.json > properties whose names are Javascript object property names': [
    '__proto__ not valid (expected invalid)',
  ],
};

function suiteFiles(): string[] {
  const top = readdirSync(SUITE).filter((f) => f.endsWith('.json'));
  const formats = readdirSync(join(SUITE, 'optional/format')).map((f) => `optional/format/${f}`);
  return [...top, ...formats];
}

function wrap(schema: Record<string, unknown> | boolean): Record<string, unknown> {
  if (typeof schema === 'boolean') return { type: 'object', required: ['data'], properties: { data: schema } };
  const { $schema: _, $ref, ...rest } = schema;
  const id = typeof rest.$id === 'string' ? rest.$id : 'urn:streamlog:suite-case';
  const embedded: Record<string, unknown> = { ...rest, $id: id };
  // Ajv overflows its stack on a $ref beside $id in an embedded resource (not at a root, where a
  // user's schema is); in allOf it decides the same, as $ref and its siblings all apply.
  if ($ref !== undefined) embedded.allOf = [...((rest.allOf as unknown[] | undefined) ?? []), { $ref }];
  return { type: 'object', required: ['data'], properties: { data: embedded } };
}

function run(group: SuiteGroup): { passed: string[]; valid: number; invalid: number } {
  const log = createLogger({
    exitFlush: false,
    base: null,
    transports: [{ type: 'validating', schema: wrap(group.schema), onInvalid: 'skip', target: { type: 'memory' } }],
  });
  group.tests.forEach((test, i) => {
    log.info({ data: test.data }, `${i}`);
  });
  const validating = log.transports[0] as ValidatingTransport;
  // Warnings the logger makes (what Ajv ignored) pass unchecked to the target too; only the cases count.
  const passed = (validating.inner as MemoryTransport)
    .objects()
    .map((o) => o.msg as string)
    .filter((msg) => /^\d+$/.test(msg));
  const { valid, invalid } = validating.stats();
  return { passed, valid, invalid };
}

describe('JSON Schema Test Suite, draft 2020-12, through the validating transport', () => {
  const files = suiteFiles();
  let decided = 0;

  it('has the files of every keyword a log schema uses', () => {
    expect(files).toHaveLength(37);
  });

  for (const file of files) {
    const groups = JSON.parse(readFileSync(join(SUITE, file), 'utf8')) as SuiteGroup[];
    describe(file, () => {
      for (const group of groups) {
        const refused = REFUSED[`${file} > ${group.description}`];
        if (refused) {
          it(`${group.description}: refused at start-up, never decided`, () => {
            // Compiled once: each compile of these runs the stack out (see stack-guard.test.ts).
            let thrown: unknown;
            try {
              run(group);
            } catch (error) {
              thrown = error;
            }
            expect(thrown).toBeInstanceOf(ConfigError);
            expect((thrown as Error).message).toMatch(refused);
          });
          continue;
        }
        it(group.description, () => {
          const { passed, valid, invalid } = run(group);
          const expected = group.tests.flatMap((t, i) => (t.valid ? [`${i}`] : []));
          const wrong = group.tests
            .filter((t, i) => passed.includes(`${i}`) !== t.valid)
            .map((t) => `${t.description} (expected ${t.valid ? 'valid' : 'invalid'})`);
          const known = DECIDED_WRONG[`${file} > ${group.description}`] ?? [];
          expect(wrong).toEqual(known);
          expect(valid + invalid).toBe(group.tests.length);
          if (known.length === 0) {
            expect(passed).toEqual(expected);
            expect(valid).toBe(expected.length);
          }
          decided += group.tests.length - wrong.length;
        });
      }
    });
  }

  it('decided 937 of the 946 cases as the suite says (8 refused at start-up, 1 wrong)', () => {
    expect(decided).toBe(937);
  });
});
