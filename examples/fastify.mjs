// Fastify with streamlog as its logger: the standard request lines (method, url,
// statusCode), an Authorization header and a password kept out of the log.
// Run after `npm run build`: node examples/fastify.mjs
import Fastify from 'fastify';
import { createLogger } from '../dist/esm/index.js';

const log = createLogger({
  level: 'info',
  redact: ['req.headers.authorization', 'password'],
  transports: [{ type: 'console', format: 'json' }],
});

const app = Fastify({ loggerInstance: log });
app.post('/login', async (request) => {
  const { user, password } = request.body;
  request.log.info({ user, password }, 'login attempt');
  return { ok: true };
});

await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address();
await fetch(`http://127.0.0.1:${port}/login`, {
  method: 'POST',
  headers: { authorization: 'Bearer not-in-the-log', 'content-type': 'application/json' },
  body: JSON.stringify({ user: 'ann', password: 'not-in-the-log-either' }),
});
await app.close();
await log.close();
