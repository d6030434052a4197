// A Fastify service whose logger options were written for pino (mixin, formatters.level,
// errorKey, redact, serializers, a timestamp function) runs unchanged on streamlog: only
// the line that makes the logger differs.
// Run after `npm run build`: node examples/pino-service.mjs   (add --pino to run it on pino)
import Fastify from 'fastify';
import pino from 'pino';
import { createLogger } from '../dist/esm/index.js';

const options = {
  level: 'info',
  timestamp: pino.stdTimeFunctions.isoTime,
  errorKey: 'error',
  redact: ['req.headers.authorization', 'card.number'],
  serializers: {
    req: (req) => ({ method: req.method, url: req.url, headers: req.headers }),
    res: (res) => ({ statusCode: res.statusCode }),
  },
  mixin: () => ({ region: 'eu-west-1' }),
  formatters: { level: (label) => ({ severity: label.toUpperCase() }) },
};

const logger = process.argv.includes('--pino') ? pino(options) : createLogger(options);

const app = Fastify({ loggerInstance: logger });
app.post('/orders', async (request) => {
  const { item, card } = request.body;
  request.log.info({ item, card }, 'order placed');
  return { ok: true };
});
app.get('/refund', async (request, reply) => {
  request.log.error(new Error('refund declined', { cause: new Error('card expired') }));
  return reply.code(402).send({ ok: false });
});

await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address();
await fetch(`http://127.0.0.1:${port}/orders`, {
  method: 'POST',
  headers: { authorization: 'Bearer not-in-the-log', 'content-type': 'application/json' },
  body: JSON.stringify({ item: 'book', card: { number: '4111-not-in-the-log', expires: '12/29' } }),
});
await fetch(`http://127.0.0.1:${port}/refund`);
await app.close();
if (typeof logger.close === 'function') await logger.close();
