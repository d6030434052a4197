// The records every library logs, identical across libraries.
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

/** name → (logger) => a function that logs one record. `child` gets a child logger once. */
export const workloads = {
  basic: (log) => () => log.info({ a: 1, b: 'x' }, 'hello world'),
  object: (log) => () => log.info(object, 'request handled'),
  'deep object': (log) => () => log.info({ deep }, 'deep'),
  'long string': (log) => () => log.info({ body: longString }, 'long'),
  child: (log) => {
    const child = log.child({ reqId: 'req-42', service: 'orders' });
    return () => child.info({ a: 1 }, 'hello from child');
  },
  disabled: (log) => () => log.debug({ a: 1, b: 'x' }, 'never written'),
};
