// One Fastify app, logging through the library named on the command line to a file, as a
// service would. Prints its port, serves until killed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { pino } from 'pino';
import { createLogger } from '../dist/esm/index.js';

const library = process.argv[2];
const folder = mkdtempSync(join(tmpdir(), 'streamlog-bench-fastify-'));
const file = join(folder, 'app.log');
process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
const redact = ['req.headers.authorization'];
const logger =
  library === 'streamlog'
    ? createLogger({ redact, transports: [{ type: 'file', path: file }] })
    : pino({ redact }, pino.destination({ dest: file, sync: false }));

const app = Fastify({ loggerInstance: logger });
app.get('/orders/:id', async (request) => {
  request.log.info({ order: request.params.id }, 'looking up the order');
  return { id: request.params.id, state: 'paid' };
});
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`${app.server.address().port}\n`);
