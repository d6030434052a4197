import { configJsonSchema } from '../index.js';
import { EXIT, parseCommand } from './usage.js';

const HELP = `Usage: streamlog schema

Prints the JSON Schema of streamlog.json (the built-in transports and formatters included),
the same document as the package's streamlog.schema.json.
`;

export async function schemaCommand(args: string[]): Promise<number> {
  if (!parseCommand(args, {}, HELP)) return EXIT.ok;
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}
