/** Golden input for `streamlog pretty`: streamlog's lines, pino's, hostile ones and plain text. */
export const PRETTY_INPUT = [
  // streamlog's default line, with a child's binding and a nested field
  '{"level":30,"time":1732780800000,"pid":4242,"hostname":"web-1","name":"api",' +
    '"reqId":"r1","user":{"id":7},"msg":"login"}',
  // streamlog with levelFormat label and an ISO time, an error with a cause
  '{"level":"error","time":"2024-11-28T08:00:00.250Z","pid":4242,"hostname":"web-1","err":{"type":"Error",' +
    '"message":"charge failed","stack":"Error: charge failed\\n    at pay (pay.js:3:9)",' +
    '"cause":{"type":"Error","message":"reset","stack":"Error: reset\\n    at net (net.js:1:1)"}},' +
    '"msg":"charge failed"}',
  // pino's line (pino 10, numeric level, epoch ms)
  '{"level":40,"time":1732780801000,"pid":99,"hostname":"pino-host","msg":"disk almost full","free":"2GB"}',
  // pino's debug, filtered out by --level info
  '{"level":20,"time":1732780801001,"pid":99,"hostname":"pino-host","msg":"cache miss"}',
  // a hostile line: ANSI escapes and embedded newlines in the message, a key and a value
  '{"level":30,"time":1732780802000,"msg":"ok\\u001b[2J\\u001b[31m\\n[08:00:03.000] FATAL: forged",' +
    '"evil\\nkey":"bell\\u0007 and \\u009b CSI","\\u2028":"sep"}',
  // not JSON at all, JSON that is not an object, a broken JSON line, a blank line
  'Server listening on :8080',
  '[1,2,3]',
  '{"level":30,"msg":"cut off',
  '',
  // no time, a custom numeric level
  '{"level":35,"msg":"audit entry","action":"refund"}',
].join('\n');

/** What `streamlog pretty --utc --colour never --level info` prints for it. */
export const PRETTY_GOLDEN = `[08:00:00.000] INFO (api/4242): login
    reqId: r1
    user: {"id":7}
[08:00:00.250] ERROR (4242): charge failed
    err: Error: charge failed
        at pay (pay.js:3:9)
        cause: Error: reset
            at net (net.js:1:1)
[08:00:01.000] WARN (99): disk almost full
    free: 2GB
[08:00:02.000] INFO: ok\\u001b[2J\\u001b[31m\\n[08:00:03.000] FATAL: forged
    evil\\nkey: bell\\u0007 and \\u009b CSI
    \\u2028: sep
Server listening on :8080
[1,2,3]
{"level":30,"msg":"cut off

LEVEL 35: audit entry
    action: refund
`;
