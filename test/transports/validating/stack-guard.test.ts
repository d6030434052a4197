import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileJsonSchema, JsonSchemaError } from '../../../src/transports/validating/json-schema.js';

/*
 * Ajv recurses without end on a relative $ref beside $id in an embedded resource (three cases
 * of the JSON Schema Test Suite's ref.json). Unguarded, the stack ran out inside fast-uri's
 * regular expressions (String.replace, String.match), where V8 once ended the process instead
 * of throwing: a CI run's test worker exited. The guard meets the overflow in its own calls.
 */
const REF_JSON = new URL('../../fixtures/json-schema-test-suite/ref.json', import.meta.url);
const LOOPING = [
  'refs with relative uris and defs',
  'relative refs with absolute uris and defs',
  'URN ref with nested pointer ref',
];

interface Group {
  description: string;
  schema: Record<string, unknown>;
}

/** The case's schema as a record's field (see json-schema-suite.test.ts), where Ajv loops. */
function embedded(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _, $ref, ...rest } = schema;
  const inner: Record<string, unknown> = { ...rest, $id: rest.$id ?? 'urn:streamlog:suite-case' };
  if ($ref !== undefined) inner.allOf = [{ $ref }];
  return { type: 'object', properties: { data: inner } };
}

describe('a schema whose $refs Ajv resolves without end', () => {
  const groups = (JSON.parse(readFileSync(REF_JSON, 'utf8')) as Group[]).filter((g) => LOOPING.includes(g.description));

  it('are the three cases', () => {
    expect(groups.map((g) => g.description)).toEqual(LOOPING);
  });

  it.each(LOOPING)('%s: refused, the stack found short in the guard, never inside the URI code', (description) => {
    const group = groups.find((g) => g.description === description)!;
    let thrown: unknown;
    try {
      compileJsonSchema(embedded(group.schema));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JsonSchemaError);
    const cause = (thrown as Error).cause as Error;
    expect(cause).toBeInstanceOf(RangeError);
    expect(cause.message).toBe('Maximum call stack size exceeded');
    expect(cause.stack!.split('\n')[1]).toMatch(/^\s+at reach \(.*stack-guard\.ts/);
  });
});
