// Floors for `bench/cli.mjs`: what any Node process pays to copy stdin to a file while
// looking at each line. `split`: decode and split into lines, write them back; `parse`: the
// same plus JSON.parse of each line and JSON.stringify back (what reading a record costs).
//   node bench/cli-floor.mjs split|parse < in.ndjson > out
import { readSync, writeSync } from 'node:fs';

const mode = process.argv[2] ?? 'split';
const buffer = Buffer.alloc(1 << 20);
let carry = '';
for (let n = readSync(0, buffer); n > 0; n = readSync(0, buffer)) {
  const lines = (carry + buffer.toString('utf8', 0, n)).split('\n');
  carry = lines.pop();
  let out = '';
  for (const line of lines) out += mode === 'parse' ? `${JSON.stringify(JSON.parse(line))}\n` : `${line}\n`;
  writeSync(1, out);
}
if (carry) writeSync(1, `${carry}\n`);
