import { pump } from './forward.js';
import { readableStdin, stdinFromProgram } from './stdin.js';
import { forwardOptions, SHIP_OPTIONS, SHIP_OPTIONS_HELP, shipThrough } from './shipping.js';
import { EXIT, EXIT_CODES_HELP, flag, parseCommand, text } from './usage.js';

const HELP = `Usage: node app.js | streamlog pipe [--config streamlog.json]

A log shipper: routes NDJSON from stdin through the transports of the config, with their
backpressure (stdin is read no faster than the slowest blocking transport takes it).
Records keep the producer's own pid, hostname and name. Ends once stdin ends and every
record is delivered (or failed, or parked in a spool). SIGTERM (or SIGHUP) stops reading (a
line it cuts is read to its end, for at most 200 ms) and delivers what was read; a second
signal ends at once. Reading from a program, the first Ctrl-C
(SIGINT) reaches it too: its shutdown lines are read until its output ends (for at most
--signal-timeout), then delivered as after SIGTERM.

Options:
${SHIP_OPTIONS_HELP}
  --summary               print the per-transport table on stderr at the end
  -h, --help              this help

${EXIT_CODES_HELP}
`;

export async function pipeCommand(args: string[]): Promise<number> {
  const parsed = parseCommand(args, { ...SHIP_OPTIONS, summary: { type: 'boolean' } }, HELP);
  if (!parsed) return EXIT.ok;
  return shipThrough(
    {
      ...forwardOptions(text(parsed, 'config'), text(parsed, 'signal-timeout'), text(parsed, 'spool-wait')),
      readOnAfterSigint: stdinFromProgram(),
    },
    (sink, signal, _log, count) => pump(readableStdin(), sink, signal, count),
    { table: flag(parsed, 'summary') },
    [0],
  );
}
