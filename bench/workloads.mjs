// The records every library logs, identical across libraries.
import { readFileSync } from 'node:fs';

const longString = 'x'.repeat(2000);

function deepObject(depth) {
  let value = { leaf: 'end', n: 1 };
  for (let i = 0; i < depth; i++) value = { level: i, tag: `t${i}`, child: value };
  return value;
}
const deep = deepObject(10);
const object = {
  user: { id: 1234, name: 'Ann Lee', roles: ['admin', 'billing'], active: true },
  req: {
    method: 'POST',
    url: '/api/v1/orders?limit=20',
    headers: { host: 'api.example', 'user-agent': 'bench/1.0', accept: 'application/json' },
  },
  durationMs: 12.5,
};

// A request and its response as pino-http logs them: three levels, a dozen short strings.
const request = {
  req: {
    id: 'req-1',
    method: 'GET',
    url: '/api/v1/orders?limit=20',
    remoteAddress: '127.0.0.1',
    remotePort: 51234,
    headers: {
      host: 'api.example',
      'user-agent': 'curl/8.5.0',
      accept: '*/*',
      'x-request-id': 'abc-123-def',
      'content-type': 'application/json',
      'accept-encoding': 'gzip, deflate, br',
      connection: 'keep-alive',
    },
  },
  res: { statusCode: 200, headers: { 'content-type': 'application/json', 'content-length': '512' } },
  responseTime: 3.2,
};
// Sixteen strings of about 25 characters in one object: where native stringify does best.
const wideStrings = {
  user: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`field${i}`, `value number ${i} of the user`])),
};

// pino's own benchmarks log its package.json, nested three times for `%j`.
const pkg = JSON.parse(readFileSync(new URL('../node_modules/pino/package.json', import.meta.url), 'utf8'));
const pinoDeep = { ...pkg };
pinoDeep.deep = JSON.parse(JSON.stringify(pkg));
pinoDeep.deep.deep = JSON.parse(JSON.stringify(pkg));
pinoDeep.deep.deep.deep = JSON.parse(JSON.stringify(pkg));

/** name → (logger) => a function that logs one record. `child` gets a child logger once. */
export const workloads = {
  basic: (log) => () => log.info({ a: 1, b: 'x' }, 'hello world'),
  object: (log) => () => log.info(object, 'request handled'),
  'deep object': (log) => () => log.info({ deep }, 'deep'),
  'long string': (log) => () => log.info({ body: longString }, 'long'),
  request: (log) => () => log.info(request, 'request completed'),
  'wide strings': (log) => () => log.info(wideStrings, 'wide'),
  child: (log) => {
    const child = log.child({ reqId: 'req-42', service: 'orders' });
    return () => child.info({ a: 1 }, 'hello from child');
  },
  disabled: (log) => () => log.debug({ a: 1, b: 'x' }, 'never written'),
  // pino's benchmark workloads (its benchmarks/*.bench.js), same calls.
  'pino basic': (log) => () => log.info('hello world'),
  'pino object': (log) => () => log.info({ hello: 'world' }),
  'pino deep-object': (log) => () => log.info(pkg),
  'pino long-string': (log) => () => log.info(longString),
  'child-child': (log) => {
    const child = log.child({ a: 'property' }).child({ sub: 'child' });
    return () => child.info({ hello: 'world' });
  },
  'child-creation': (log) => () => log.child({ a: 'property' }).info('hello world'),
  'printf %s': (log) => () => log.info('hello %s', 'world'),
  'printf %s %j %d': (log) => () => log.info('hello %s %j %d', 'world', { obj: true }, 4),
  'printf extra arg': (log) => () => log.info('hello %s %j %d', 'world', { obj: true }, 4, { another: 'obj' }),
  'printf %j deep': (log) => () => log.info('hello %j', pinoDeep),
};

/** The default set: ours, then pino's. */
export const defaultWorkloads = Object.keys(workloads);
