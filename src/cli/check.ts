import { accessSync, constants } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, createLogger } from '../index.js';
import { EXIT, parseCommand, UsageError } from './usage.js';

const HELP = `Usage: streamlog check <config.json>

Validates a config file as createLogger() would: the JSON, every key, every transport
entry's own options, environment variables (\${VAR}) included. Prints every problem with
its JSON path, e.g. "transports[1].rotate.size: expected a size like \\"10MB\\"".
The logger is built and closed at once, so file transports create their files and folders.

Exit codes: 0 valid, 2 invalid, 1 the file cannot be read.
`;

export async function checkCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(args, {}, HELP, true);
  if (!parsed) return EXIT.ok;
  if (parsed.positionals.length !== 1) throw new UsageError('check takes one config file');
  const file = resolve(parsed.positionals[0]!);
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    process.stderr.write(`${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
    return EXIT.failed;
  }
  return validate(file);
}

async function validate(file: string): Promise<number> {
  let log: ReturnType<typeof createLogger>;
  try {
    log = createLogger(file);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const issues = error.issues.length > 0 ? error.issues : [{ path: error.path, expected: error.expected }];
    process.stdout.write(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n`);
    for (const issue of issues) process.stdout.write(`  ${issue.path ? `${issue.path}: ` : ''}${issue.expected}\n`);
    return EXIT.usage;
  }
  await log.close({ timeoutMs: 1000 });
  process.stdout.write(`${file}: valid (${log.transports.length} transport(s))\n`);
  return EXIT.ok;
}
