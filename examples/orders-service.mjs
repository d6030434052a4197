// A small example service: it handles order requests the way a real handler would, with a
// child logger per request, the request's trace id carried by withContext across awaits,
// errors with causes, and a secret that redaction hides.
import { withContext } from '../dist/esm/index.js';

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const USERS = ['u-ann', 'u-bob', 'u-cho', 'u-dee'];

class PaymentError extends Error {
  name = 'PaymentError';
}

/** One request: logged on arrival and completion, each line with its reqId and userId. */
async function handle(log, n, request) {
  const reqLog = log.child({ reqId: `req-${n}`, userId: request.userId });
  return withContext({ traceId: `trace-${(1000 + n).toString(16)}` }, async () => {
    const started = Date.now();
    reqLog.debug({ req: { method: request.method, url: request.url, headers: request.headers } }, 'request received');
    await pause(5 + (n % 4) * 5);
    let statusCode = 200;
    if (request.card) {
      try {
        await charge(request);
      } catch (err) {
        statusCode = 502;
        reqLog.error({ err, card: request.card }, 'payment failed');
      }
    }
    if (request.password) reqLog.warn({ user: request.userId, password: request.password }, 'password expires soon');
    reqLog.info({ res: { statusCode }, responseTimeMs: Date.now() - started }, `${request.method} ${request.url}`);
  });
}

async function charge(request) {
  await pause(3);
  if (request.card.number.endsWith('0002')) {
    const cause = Object.assign(new Error('connect ETIMEDOUT 10.0.0.7:443'), { code: 'ETIMEDOUT' });
    throw new PaymentError(`card issuer did not answer for order ${request.orderId}`, { cause });
  }
}

/** `count` requests starting at number `from`, a few at a time. */
export async function serveTraffic(log, from, count) {
  const inFlight = [];
  for (let n = from; n < from + count; n++) {
    const userId = USERS[n % USERS.length];
    const request =
      n % 5 === 0
        ? { method: 'POST', url: '/orders', userId, orderId: 500 + n, card: { number: `4111 1111 1111 000${n % 3}` } }
        : n % 7 === 3
          ? { method: 'POST', url: '/login', userId, password: 'hunter2', headers: { authorization: 'Bearer s3cr3t' } }
          : { method: 'GET', url: `/orders/${500 + n}`, userId, headers: { accept: 'application/json' } };
    inFlight.push(handle(log, n, request));
    if (inFlight.length === 3) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
}

/** A client that still sends its user id as a number: the events target refuses that record. */
export function legacyClientCall(log) {
  log.child({ reqId: 'req-legacy', userId: 42 }).info('GET /orders (legacy client, numeric userId)');
}
