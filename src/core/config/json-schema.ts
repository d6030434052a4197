import type { z as Z } from 'zod';
import { loadZod } from '../util/load-zod.cjs';
import { formatterNames, getTransportPlugin, transportNames } from '../plugin/registry.js';
import { configSchema, envelopeShape } from './schema.js';

function describeTransport(name: string): Z.ZodType {
  const { z } = loadZod();
  const plugin = getTransportPlugin(name)!;
  const { module: _module, ...rest } = envelopeShape;
  const envelope = z.object({ ...rest, type: z.literal(name) });
  const own = plugin.schema as Z.ZodType;
  return own instanceof z.ZodObject ? envelope.extend(own.shape).strict() : z.intersection(envelope, own);
}

/**
 * The whole config file as JSON Schema, every registered transport's options included,
 * so editors can complete and check streamlog.json.
 */
export function configJsonSchema(): Record<string, unknown> {
  const { z } = loadZod();
  const { type: _type, ...rest } = envelopeShape;
  const moduleEntry = z.looseObject({
    ...rest,
    module: z.string().min(1).describe('Plugin module, relative to the config file'),
  });
  // A transport registered from code, by its type: the options every entry has are checked
  // (its own are the plugin's), and its type is none of the built-ins' (see allowRegisteredTypes).
  const { module: _module, ...shared } = rest;
  const registeredEntry = z.looseObject({ ...shared, type: z.string().min(1).describe(REGISTERED) });
  const entries = [...transportNames().map(describeTransport), moduleEntry, registeredEntry] as unknown as [
    Z.ZodType,
    Z.ZodType,
    ...Z.ZodType[],
  ];
  // pino's transport (read before the schema, so not in configSchema): the file may hold it instead of transports.
  const pinoTarget = z.looseObject({
    target: z.string().min(1),
    level: z.union([z.string(), z.number()]).optional(),
    options: z.looseObject({}).optional(),
  });
  const transport = z
    .looseObject({
      target: z.string().min(1).optional(),
      options: z.looseObject({}).optional(),
      targets: z.array(pinoTarget).optional(),
      dedupe: z.boolean().optional(),
    })
    .describe("pino's transport: pino/file and pino-pretty targets, in place of transports");
  const full = configSchema.extend({
    transports: z.array(z.union(entries)).optional(),
    transport: transport.optional(),
  });
  const schema = allowEnvReferences(z.toJSONSchema(full, { io: 'input', unrepresentable: 'any' })) as Record<
    string,
    unknown
  >;
  allowRegisteredTypes(schema);
  return {
    ...schema,
    title: 'streamlog configuration',
    description:
      `Formatters: ${formatterNames().join(', ')}. Strings may use \${VAR} and \${VAR:-default}; ` +
      'a number or boolean option may be such a string, read as the number or boolean.',
    $defs: { ...(schema.$defs as object | undefined), [ENV_REFERENCE]: ENV_REFERENCE_SCHEMA },
  };
}

const REGISTERED = 'A transport registered from code (registerTransport), with its own options';

/**
 * The registered transport's entry takes no built-in type (a built-in entry is checked by its
 * own schema, a misspelt option included), which zod cannot say: added to its `type` here.
 */
function allowRegisteredTypes(schema: Record<string, unknown>): void {
  const properties = schema.properties as Record<string, { items?: { anyOf?: unknown[] } }> | undefined;
  for (const entry of properties?.transports?.items?.anyOf ?? []) {
    const type = (entry as { properties?: { type?: Record<string, unknown> } }).properties?.type;
    if (type?.description === REGISTERED) type.not = { enum: transportNames() };
  }
}

const ENV_REFERENCE = 'envReference';
const ENV_REFERENCE_SCHEMA = {
  type: 'string',
  pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}',
  description: 'A string holding ${VAR} or ${VAR:-default}, read as the number or boolean this option takes',
};

/** Keywords whose value is one schema, and those whose value is a list or a map of schemas. */
const ONE_SCHEMA = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains', 'propertyNames'];
const LIST_OF_SCHEMAS = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const MAP_OF_SCHEMAS = ['properties', 'patternProperties', '$defs', 'definitions'];
/** What stays on the outside when a schema is wrapped, for editors' hovers. */
const ANNOTATIONS = ['title', 'description', 'deprecated', 'default', 'examples'];

/** Does this schema take numbers or booleans only (so a string holding ${VAR} should be allowed beside it)? */
function takesNumberOrBoolean(schema: Record<string, unknown>): boolean {
  const scalar = (value: unknown): boolean => typeof value === 'number' || typeof value === 'boolean';
  const { type } = schema;
  if (typeof type === 'string') return ['number', 'integer', 'boolean'].includes(type);
  if (Array.isArray(type)) {
    return type.length > 0 && type.every((t) => t === 'number' || t === 'integer' || t === 'boolean' || t === 'null');
  }
  if ('const' in schema) return scalar(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.length > 0 && schema.enum.every(scalar);
  return false;
}

/**
 * The JSON Schema with every number or boolean option also allowing a string that holds a
 * `${VAR}` reference (the loader reads it as the number or boolean), so editors do not flag
 * `"maxRecords": "${BATCH_MAX}"`. A plain string there is still refused, as the loader does.
 */
function allowEnvReferences(schema: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ONE_SCHEMA.includes(key)) out[key] = allowEnvReferences(value);
    else if (LIST_OF_SCHEMAS.includes(key) && Array.isArray(value)) out[key] = value.map(allowEnvReferences);
    else if (MAP_OF_SCHEMAS.includes(key) && typeof value === 'object' && value !== null) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, one]) => [name, allowEnvReferences(one)]));
    } else out[key] = value;
  }
  if (!takesNumberOrBoolean(out)) return out;
  const inner: Record<string, unknown> = {};
  const outer: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(out)) (ANNOTATIONS.includes(key) ? outer : inner)[key] = value;
  return { ...outer, anyOf: [inner, { $ref: `#/$defs/${ENV_REFERENCE}` }] };
}
