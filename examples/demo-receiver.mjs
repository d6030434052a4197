// The demo's stand-in for a central log store: an HTTP endpoint on 127.0.0.1 that takes
// NDJSON batches and counts the records. It can be stopped for a while and started again
// on the same port, so the demo can show the http transport retrying.
import { createServer } from 'node:http';

export async function startReceiver() {
  let records = 0;
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      requests++;
      records += Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).length;
      res.writeHead(200).end();
    });
  });
  const listen = (port) => new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  await listen(0);
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/ingest`,
    get records() {
      return records;
    },
    get requests() {
      return requests;
    },
    /** Refuses connections until start() (as a store being restarted would). */
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
    start: () => listen(port),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
