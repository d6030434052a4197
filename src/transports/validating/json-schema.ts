import { type AjvInstance, type Draft, type ErrorObject, loadAjv, type ValidateFunction } from './load-ajv.cjs';
import { addStricterFormats } from './formats.js';
import { stackGuarded } from './stack-guard.js';
import type { RecordCheck, ValidationProblem } from './checks.js';

/** Marks a check compiled from a JSON Schema: it never keeps or changes the record. */
export const READS_ONLY: unique symbol = Symbol('streamlog.validating.readsOnly');

/** A JSON Schema Ajv refused; `schemaPath` holds the keys from the schema's root to the problem. */
export class JsonSchemaError extends Error {
  override readonly name = 'JsonSchemaError';
  constructor(
    readonly schemaPath: (string | number)[],
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const DRAFTS: Record<string, Draft> = {
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
  'http://json-schema.org/draft-07/schema': 'draft-07',
};

/** The draft a schema's `$schema` names (2020-12 when it names none); an empty fragment is the same URI. */
export function draftOf(schema: Record<string, unknown>): Draft {
  const declared = schema.$schema;
  if (declared === undefined) return '2020-12';
  const draft = typeof declared === 'string' ? DRAFTS[declared.replace(/#$/, '')] : undefined;
  if (draft) return draft;
  throw new JsonSchemaError(
    ['$schema'],
    `unsupported "$schema" ${JSON.stringify(declared)} (supported: ${Object.keys(DRAFTS).join(', ')})`,
  );
}

/*
 * One Ajv per draft per process: building one compiles its meta-schema (tens of ms), a
 * user schema then compiles in about a millisecond. Schemas are not kept in it
 * (addUsedSchema: false), so two transports may use the same $id. Ajv still keeps every
 * schema it compiled (its cache and its code scope, which each validator holds whole), so
 * loggers made and closed without end would grow it for ever: an instance is replaced
 * after MAX_COMPILES, and lives on only while a validator compiled by it does.
 */
const instances = new Map<Draft, { ajv: AjvInstance; compiles: number }>();
const MAX_COMPILES = 64;
/** Ajv's warnings for the schema being compiled (compiling is synchronous). */
let warnings: string[] = [];

function ajvFor(draft: Draft): AjvInstance {
  const kept = instances.get(draft);
  if (kept !== undefined && kept.compiles < MAX_COMPILES) {
    kept.compiles++;
    return kept.ajv;
  }
  const { classes, addFormats, uriResolver } = loadAjv();
  const ajv = new classes[draft]({
    uriResolver: stackGuarded(uriResolver),
    allErrors: true,
    addUsedSchema: false,
    // `toString` or `constructor` are not present in a record unless it has them itself.
    ownProperties: true,
    // The specification ignores unknown keywords; they are reported, not refused.
    strictSchema: 'log',
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowMatchingProperties: true,
    logger: { log() {}, warn: (...args: unknown[]) => warnings.push(args.map(String).join(' ')), error() {} },
  });
  addFormats(ajv);
  addStricterFormats(ajv);
  instances.set(draft, { ajv, compiles: 1 });
  return ajv;
}

/** `/properties/userId/type` → ['properties', 'userId', 'type']. */
function pointerKeys(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
      return /^(0|[1-9]\d*)$/.test(key) ? Number(key) : key;
    });
}

function metaSchemaMessage(errors: ErrorObject[]): { path: (string | number)[]; message: string } {
  // The deepest error names the keyword at fault; the others are the anyOf/oneOf around it.
  const deepest = errors.reduce((a, b) => (b.instancePath.length > a.instancePath.length ? b : a));
  const allowed = (deepest.params as { allowedValues?: unknown[] }).allowedValues;
  const hint = allowed ? ` (${allowed.map((v) => JSON.stringify(v)).join(', ')})` : '';
  return { path: pointerKeys(deepest.instancePath), message: `${deepest.message ?? 'invalid'}${hint}` };
}

export interface CompiledSchema {
  check: RecordCheck;
  draft: Draft;
  /** Keywords Ajv ignored (unknown ones, `if` without `then`/`else`, ...). */
  warnings: string[];
}

/** Compiles a JSON Schema once; throws JsonSchemaError when Ajv refuses it. */
export function compileJsonSchema(given: Record<string, unknown> | boolean): CompiledSchema {
  const schema = withoutEmptyEnums(given) as Record<string, unknown> | boolean;
  const draft = typeof schema === 'boolean' ? '2020-12' : draftOf(schema);
  const ajv = ajvFor(draft);
  if (!ajv.validateSchema(schema)) {
    const { path, message } = metaSchemaMessage(ajv.errors ?? []);
    throw new JsonSchemaError(path, `not a valid JSON Schema (draft ${draft}): ${message}`);
  }
  warnings = [];
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(schema);
  } catch (error) {
    throw new JsonSchemaError([], `JSON Schema (draft ${draft}) refused: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const found = warnings;
  const check: RecordCheck = (record) => (validate(record) ? true : (validate.errors ?? []).map(toProblem));
  // Ajv runs without the options that change data (defaults, coercion, removing properties).
  Object.defineProperty(check, READS_ONLY, { value: true });
  return { draft, warnings: found, check };
}

/** Keywords whose values are data, not schemas: never rewritten. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);

/**
 * `enum: []` is a schema nothing satisfies (the specification allows it; Ajv refuses it):
 * it becomes `allOf: [..., false]`, which decides the same, wherever it stands.
 */
function withoutEmptyEnums(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutEmptyEnums);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    Object.defineProperty(out, key, {
      value: DATA_KEYWORDS.has(key) ? value : withoutEmptyEnums(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  if (Array.isArray(out.enum) && out.enum.length === 0) {
    delete out.enum;
    out.allOf = [...(Array.isArray(out.allOf) ? out.allOf : []), false];
  }
  return out;
}

/** Ajv's error → today's problem shape: a dotted path to the value at fault, `(record)` for the record. */
export function toProblem(error: ErrorObject): ValidationProblem {
  const keys = pointerKeys(error.instancePath);
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? error.keyword;
  if (error.keyword === 'required' || error.keyword === 'dependentRequired') {
    keys.push(String(params.missingProperty));
    message = error.keyword === 'required' ? 'required' : `required when "${String(params.property)}" is present`;
  } else if (error.keyword === 'additionalProperties') {
    keys.push(String(params.additionalProperty));
    message = 'not allowed (additionalProperties)';
  } else if (error.keyword === 'propertyNames' && params.propertyName !== undefined) {
    keys.push(String(params.propertyName));
    message = 'property name not allowed (propertyNames)';
  }
  return { path: keys.length === 0 ? '(record)' : keys.join('.'), message };
}
