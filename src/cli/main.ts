#!/usr/bin/env node
import { ConfigError } from '../index.js';
import { checkCommand } from './check.js';
import { guardStdio } from './output.js';
import { shown } from './terminal.js';
import { pipeCommand } from './pipe.js';
import { prettyCommand } from './pretty.js';
import { schemaCommand } from './schema.js';
import { shipCommand } from './ship.js';
import { issuesOf, problemsText } from './problems.js';
import { EXIT, EXIT_CODES_HELP, InputError, InvalidConfigError, UsageError } from './usage.js';
import { VERSION } from './version.js';

const COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  pretty: prettyCommand,
  pipe: pipeCommand,
  ship: shipCommand,
  check: checkCommand,
  schema: schemaCommand,
};

const HELP = `Usage: streamlog <command> [options]

Commands:
  pretty                          pretty-print NDJSON from stdin (streamlog's and pino's)
  pipe   [--config file]          route NDJSON from stdin through the configured transports
  ship   [--config file] <file…>  replay log files (plain or .gz) through the configured transports
  check  <config.json>            validate a config file; every error with its JSON path
  schema                          print the config's JSON Schema

Options:
  -h, --help      help (of a command: streamlog ship --help, or streamlog --help ship)
  -v, --version   the version

${EXIT_CODES_HELP}
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `streamlog --help ship` (or `help ship`) is `streamlog ship --help`.
  const helpFor = rest[0];
  if ((command === '-h' || command === '--help' || command === 'help') && helpFor !== undefined) {
    if (Object.hasOwn(COMMANDS, helpFor)) return COMMANDS[helpFor]!(['--help']);
    // The general help for a misspelt command read as if it were that command's.
    throw new UsageError(`no help for "${helpFor}": not a command (known: ${Object.keys(COMMANDS).join(', ')})`);
  }
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '-v' || command === '--version') {
    if (rest.length > 0) throw new UsageError(`${command} takes nothing after it (got "${rest[0]}")`);
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const run = COMMANDS[command];
  if (!run) throw new UsageError(`unknown command "${command}" (known: ${Object.keys(COMMANDS).join(', ')})`);
  return run(rest);
}

guardStdio(EXIT.failed);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`streamlog: ${shown(error)}\n(streamlog --help lists the commands and options)\n`);
      process.exitCode = EXIT.usage;
    } else if (error instanceof InputError) {
      process.stderr.write(`streamlog: ${shown(error)}\n`);
      process.exitCode = EXIT.failed;
    } else if (error instanceof InvalidConfigError || error instanceof ConfigError) {
      // One problem a line, as `check` says them, after the file they are in.
      const [file, config] = error instanceof InvalidConfigError ? [error.file, error.error] : [undefined, error];
      process.stderr.write(
        `streamlog: ${problemsText(`invalid config${file ? ` ${shown(file)}` : ''}`, issuesOf(config))}`,
      );
      process.exitCode = EXIT.usage;
    } else {
      // A stack is the command's own bug: its lines stay lines, each shown safely.
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`streamlog: ${text.split('\n').map(shown).join('\n')}\n`);
      process.exitCode = EXIT.failed;
    }
  },
);
