import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, createLogger } from '../index.js';
import { issuesOf, problemsText } from './problems.js';
import { shown } from './terminal.js';
import { EXIT, parseCommand, UsageError } from './usage.js';

const HELP = `Usage: streamlog check <config.json>

Validates a config file as createLogger() would: the JSON, every key, every transport
entry's own options, environment variables (\${VAR}) included. Prints every problem with
its JSON path, e.g. "transports[1].rotate.size: expected a size like \\"1MB\\", \\"64KB\\" or a number of bytes".
The logger is built and closed at once, so file transports create their files and folders;
a problem it reports meanwhile (a log file that cannot be opened) makes the config invalid too.

Exit codes: 0 valid, 2 invalid, 1 the file cannot be read.
`;

export async function checkCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(args, {}, HELP, true);
  if (!parsed) return EXIT.ok;
  if (parsed.positionals.length !== 1) throw new UsageError('check takes one config file');
  const file = resolve(parsed.positionals[0]!);
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) throw Object.assign(new Error('not a file'), { code: 'not a file' });
  } catch (error) {
    process.stderr.write(`${shown(file)}: cannot read: ${shown((error as NodeJS.ErrnoException).code ?? error)}\n`);
    return EXIT.failed;
  }
  return validate(file);
}

async function validate(file: string): Promise<number> {
  let log: ReturnType<typeof createLogger>;
  // Problems the logger reports, from its first moment (a file transport opens its file
  // while it is built): a handler given with the config hears those too.
  const reported: string[] = [];
  try {
    log = createLogger(file, { diagnostics: (message) => reported.push(message) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return problems(file, issuesOf(error));
  }
  await log.close({ timeoutMs: 1000 });
  // An old option name still works: said, but the config stays valid.
  const warnings = reported.filter((message) => / is deprecated, /.test(message));
  const errors = reported.filter((message) => !warnings.includes(message)).map((m) => atEntry(m, log.transports));
  for (const warning of warnings) process.stdout.write(`${shown(file)}: warning: ${shown(warning)}\n`);
  if (errors.length > 0) return problems(file, errors);
  process.stdout.write(`${shown(file)}: valid (${log.transports.length} transport(s))\n`);
  return EXIT.ok;
}

/**
 * A problem a transport reported (`audit: cannot open log file …`) also names its entry, as
 * the config's other problems do by their JSON path: `transports[0] (audit): cannot open …`.
 * The logger's transports are its entries, in order.
 */
function atEntry(message: string, transports: readonly { id: string }[]): string {
  const index = transports.findIndex((transport) => message.startsWith(`${transport.id}: `));
  if (index < 0) return message;
  return `transports[${index}] (${transports[index]!.id})${message.slice(transports[index]!.id.length)}`;
}

function problems(file: string, lines: string[]): number {
  process.stdout.write(problemsText(shown(file), lines));
  return EXIT.usage;
}
