import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createLogger,
  JsonSchemaError,
  MemoryTransport,
  ValidatingTransport,
} from '../../../src/index.js';
import { rulesToSchema } from '../../../src/plugin.js';

/** A logger whose only transport validates with `schema`, skipping invalid records into counts. */
function validated(schema: Record<string, unknown>) {
  const log = createLogger({
    exitFlush: false,
    base: null,
    transports: [{ type: 'validating', schema, onInvalid: 'skip', target: { type: 'memory' } }],
  });
  const validating = log.transports[0] as ValidatingTransport;
  const passed = () =>
    (validating.inner as MemoryTransport)
      .objects()
      .filter((o) => o.level === 30)
      .map((o) => o.msg);
  return { log, validating, passed };
}

function configErrorOf(make: () => unknown): ConfigError {
  try {
    make();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('JSON Schema drafts, chosen by $schema', () => {
  const tuple = { properties: { tags: { items: [{ type: 'integer' }] } } };

  it('draft-07 reads `items` as an array of positions; 2020-12 (the default) refuses that form', () => {
    const { log, passed } = validated({ $schema: 'http://json-schema.org/draft-07/schema#', ...tuple });
    log.info({ tags: [1, 'any'] }, 'first is an integer');
    log.info({ tags: ['a'] }, 'first is a string');
    expect(passed()).toEqual(['first is an integer']);

    const error = configErrorOf(() => validated(tuple));
    expect(error.path).toBe('transports[0].schema.properties.tags.items');
    expect(error.message).toMatch(/not a valid JSON Schema \(draft 2020-12\): must be/);
  });

  it('2019-09 knows dependentRequired; draft-07 does not, ignores it and says so once', () => {
    const rule = { dependentRequired: { orderId: ['userId'] } };
    const v2019 = validated({ $schema: 'https://json-schema.org/draft/2019-09/schema', ...rule });
    v2019.log.info({ orderId: 1 }, 'order without user');
    v2019.log.info({ orderId: 1, userId: 2 }, 'order with user');
    expect(v2019.passed()).toEqual(['order with user']);
    expect(v2019.validating.lastErrors[0]).toMatchObject({
      path: 'userId',
      message: 'required when "orderId" is present',
    });

    const v7 = validated({ $schema: 'http://json-schema.org/draft-07/schema', ...rule });
    v7.log.info({ orderId: 1 }, 'order without user');
    v7.log.info({ orderId: 2 }, 'another');
    expect(v7.passed()).toEqual(['order without user', 'another']);
    const warnings = (v7.validating.inner as MemoryTransport).objects().filter((o) => o.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ msg: 'JSON Schema: keywords ignored' });
    expect(String(warnings[0]!.ignored)).toMatch(/unknown keyword: "dependentRequired"/);
  });

  it('an unknown $schema is a ConfigError at its path', () => {
    const error = configErrorOf(() => validated({ $schema: 'http://json-schema.org/draft-04/schema#' }));
    expect(error.path).toBe('transports[0].schema.$schema');
    expect(error.expected).toMatch(
      /^unsupported "\$schema" "http:\/\/json-schema.org\/draft-04\/schema#" \(supported: /,
    );
  });
});

describe('a schema Ajv refuses', () => {
  it('names the transport entry and the schema path, nested entries too', () => {
    const bad = { type: 'object', properties: { userId: { type: 'numbr' } } };
    const error = configErrorOf(() =>
      createLogger({
        transports: [
          { type: 'console' },
          { type: 'buffered', target: { type: 'validating', schema: bad, target: { type: 'memory' } } },
        ],
      }),
    );
    expect(error.path).toBe('transports[1].target.schema.properties.userId.type');
    expect(error.expected).toMatch(/must be equal to one of the allowed values \("array", "boolean", .*\)/);
  });

  it('a reference that leads nowhere is refused at the schema', () => {
    const error = configErrorOf(() => validated({ properties: { a: { $ref: '#/$defs/missing' } } }));
    expect(error.path).toBe('transports[0].schema');
    expect(error.expected).toMatch(
      /^JSON Schema \(draft 2020-12\) refused: can't resolve reference #\/\$defs\/missing/,
    );
  });

  it('from code, the transport throws a JsonSchemaError with the schema path', () => {
    let thrown: unknown;
    try {
      new ValidatingTransport(new MemoryTransport(), { check: { minLength: -1 } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JsonSchemaError);
    expect((thrown as JsonSchemaError).schemaPath).toEqual(['minLength']);
  });
});

describe('what an invalid record reports', () => {
  it("Ajv's instance paths in today's form: dotted, array positions as numbers, (record) for the record", () => {
    const { log, validating } = validated({
      type: 'object',
      properties: {
        order: {
          type: 'object',
          required: ['id'],
          additionalProperties: false,
          properties: { id: true, lines: { items: { properties: { sku: { type: 'string' } } } } },
        },
        'a/b~c': { type: 'string' },
      },
      minProperties: 10,
    });
    log.info({ order: { lines: [{ sku: 'x' }, { sku: 7 }], note: 1 }, 'a/b~c': 1 }, 'bad');
    const problems = validating.lastErrors.map((e) => `${e.path}: ${e.message}`);
    expect(problems.sort()).toEqual(
      [
        '(record): must NOT have fewer than 10 properties',
        'order.id: required',
        'order.note: not allowed (additionalProperties)',
        'order.lines.1.sku: must be string',
        'a/b~c: must be string',
      ].sort(),
    );
  });
});

describe('validators from code', () => {
  function withCheck(check: ConstructorParameters<typeof ValidatingTransport>[1]['check']) {
    const validating = new ValidatingTransport(new MemoryTransport(), { check, onInvalid: 'skip' });
    const log = createLogger({ exitFlush: false, base: null, transports: [validating] });
    const invalid: { errors: { path: string; message: string }[] }[] = [];
    validating.on('invalidData', (e: (typeof invalid)[number]) => invalid.push(e));
    const passed = () => (validating.inner as MemoryTransport).objects().map((o) => o.msg);
    return { log, validating, invalid, passed };
  }

  it("the seed tutorial's { valid, errors } shape: each error reported for its record", () => {
    const { log, validating, invalid, passed } = withCheck((o) =>
      typeof o.userId === 'number' ? { valid: true } : { valid: false, errors: ['userId missing', 'not audited'] },
    );
    log.info({ userId: 1 }, 'ok');
    log.info('no user');
    expect(passed()).toEqual(['ok']);
    expect(invalid[0]!.errors).toEqual([
      { path: '(record)', message: 'userId missing' },
      { path: '(record)', message: 'not audited' },
    ]);
    expect(validating.lastErrors.map((e) => [e.msg, e.message])).toEqual([
      ['no user', 'userId missing'],
      ['no user', 'not audited'],
    ]);
  });

  it('{ valid: false } without errors, and a result of the wrong kind, are invalid with a reason', () => {
    const { log, validating } = withCheck((o) => (o.msg === 'odd' ? (42 as unknown as boolean) : { valid: false }));
    log.info('plain');
    log.info('odd');
    expect(validating.lastErrors.map((e) => e.message)).toEqual([
      'rejected by validator',
      'the check returned number, not true/false, problems or { valid, errors }',
    ]);
  });

  it('a JSON Schema object is compiled with Ajv', () => {
    const { log, passed } = withCheck({ type: 'object', required: ['userId'] });
    log.info({ userId: 1 }, 'with');
    log.info('without');
    expect(passed()).toEqual(['with']);
  });
});

describe('rules', () => {
  it('become a JSON Schema: the listed types, required unless "?", other keys allowed', () => {
    expect(rulesToSchema({ userId: 'integer', tags: 'array?', extra: 'any' })).toEqual({
      type: 'object',
      properties: { userId: { type: 'integer' }, tags: { type: 'array' }, extra: true },
      required: ['userId', 'extra'],
    });
    const log = createLogger({
      exitFlush: false,
      base: null,
      transports: [
        { type: 'validating', rules: { extra: 'any', n: 'number?' }, onInvalid: 'skip', target: { type: 'memory' } },
      ],
    });
    log.info({ extra: null }, 'null is present');
    log.info('absent');
    log.info({ extra: 1, n: '1' }, 'n not a number');
    const validating = log.transports[0] as ValidatingTransport;
    expect((validating.inner as MemoryTransport).objects().map((o) => o.msg)).toEqual(['null is present']);
    expect(validating.lastErrors.map((e) => e.path)).toEqual(['extra', 'n']);
  });
});
