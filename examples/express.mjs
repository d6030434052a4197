// Express with pino-http and streamlog: req and res serialised by the standard serializers,
// the Authorization header redacted. Run after `npm run build`: node examples/express.mjs
import express from 'express';
import { pinoHttp } from 'pino-http';
import { createLogger } from '../dist/esm/index.js';

const log = createLogger({
  redact: ['req.headers.authorization', 'req.headers.cookie'],
  transports: [{ type: 'console', format: 'json' }],
});

const app = express();
app.use(pinoHttp({ logger: log }));
app.get('/orders/:id', (req, res) => {
  req.log.info({ order: req.params.id }, 'looking up the order');
  res.json({ id: req.params.id });
});

const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address();
await fetch(`http://127.0.0.1:${port}/orders/42`, { headers: { authorization: 'Bearer not-in-the-log' } });
await new Promise((resolve) => server.close(resolve));
await log.close();
