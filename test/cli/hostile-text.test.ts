import type { Server } from 'node:http';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { answeringReceiver, closeServersAfterEach, tempFolder } from '../transports/http/receiver.js';
import { streamlog } from './run.js';

// Text from outside the command (a backend's answer, a config's keys and values, a file's
// name) reaches stderr and stdout as text the terminal shows, never acts on: no escape
// sequence, no bell, and no line break that would start a line of the command's own.
const CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const servers: Server[] = [];
closeServersAfterEach(servers);

describe('hostile text on the way to the terminal', () => {
  it('ship: a backend answering with escape sequences and a forged line of ours', async () => {
    const forged = 'streamlog: 0 of 1 records not delivered (forged)';
    const receiver = await answeringReceiver(servers, (_req, res) => {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end(`denied \u001b[2J\u001b]0;title\u0007\n${forged}`);
    });
    const dir = tempFolder('cli-hostile-answer');
    const config = join(dir, 'streamlog.json');
    // An id that would recolour the terminal and forge a line of the summary table.
    const id = 'central\u001b[31m\nstreamlog: forged';
    writeFileSync(config, JSON.stringify({ transports: [{ type: 'http', id, url: receiver.url }] }));
    const input = join(dir, `app\u001b[31m.log`);
    writeFileSync(input, '{"level":30,"msg":"x"}\n');
    const result = await streamlog(['ship', '-c', config, '--spool-wait', '0', input]);
    expect(result.code).toBe(1);
    // The answer is quoted (a 403 says why), its controls as visible escapes.
    expect(result.stderr).toContain('denied \\u001b[2J\\u001b]0;title\\u0007\\n');
    expect(result.stderr).not.toMatch(CONTROLS);
    expect(result.stderr.split('\n')).not.toContain(forged);
    expect(result.stderr).not.toMatch(/^streamlog: forged/m);
    expect(result.stderr).toContain('central\\u001b[31m\\nstreamlog: forged');
  });

  it('check: keys and values of a config, and the file’s own name', async () => {
    const dir = tempFolder('cli-hostile-config');
    const file = join(dir, 'bad\u001b[2J.json');
    writeFileSync(file, '{"\\u001b[2Jk\\n  forged: line":1,"transports":[{"type":"\\u001b]0;t\\u0007x"}]}');
    const result = await streamlog(['check', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).not.toMatch(CONTROLS);
    expect(result.stdout).toContain('unknown transport "\\u001b]0;t\\u0007x"');
    // A line break inside a key stays inside its problem: no line of the report starts as one of its own.
    const problems = result.stdout.split('\n').filter((line) => /^ {2}\S/.test(line));
    expect(problems).toHaveLength(2);
    const missing = await streamlog(['check', join(dir, 'gone\u0007.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('gone\\u0007.json: cannot read');
    expect(missing.stderr).not.toMatch(CONTROLS);
  });
});
