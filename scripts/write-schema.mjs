// Regenerates streamlog.schema.json from the registered transports and formatters.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/esm/index.js';

const target = new URL('../streamlog.schema.json', import.meta.url);
writeFileSync(target, JSON.stringify(configJsonSchema(), null, 2) + '\n');
process.stdout.write(`wrote ${target.pathname}\n`);
