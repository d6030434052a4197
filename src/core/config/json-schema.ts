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
  const entries = [...transportNames().map(describeTransport), moduleEntry] as unknown as [
    Z.ZodType,
    Z.ZodType,
    ...Z.ZodType[],
  ];
  const full = configSchema.extend({ transports: z.array(z.union(entries)).optional() });
  const schema = z.toJSONSchema(full, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    title: 'streamlog configuration',
    description: `Formatters: ${formatterNames().join(', ')}. Strings may use \${VAR} and \${VAR:-default}.`,
  };
}
