import { fstatSync, type Stats, statSync } from 'node:fs';
import type { Logger, Transport } from '../index.js';
import { UsageError } from './usage.js';

/** The files a logger writes: its file targets' (through buffered and validating) and its dead letter. */
function filesWrittenBy(log: Logger): string[] {
  const files: string[] = [];
  const visit = (transport: Transport): void => {
    const inner = (transport as { inner?: unknown }).inner;
    if (inner instanceof Object && 'type' in inner) visit(inner as Transport);
    const path = (transport as { path?: unknown }).path;
    if (transport.type === 'file' && typeof path === 'string') files.push(path);
  };
  for (const transport of log.transports) visit(transport);
  if (log.deadLetterPath !== undefined) files.push(log.deadLetterPath);
  return files;
}

function identity(stats: Stats): string | undefined {
  return stats.isFile() ? `${stats.dev}:${stats.ino}` : undefined;
}

/**
 * Refuses an input that is a file the logger writes: each record read would be written to it
 * again and read again, so `ship app.log` with `app.log` as a file target (or the dead letter,
 * against a destination that refuses) grew the file without end, 34 GB in ten minutes.
 * `inputs` are paths, or a descriptor (stdin) by its number.
 */
export function refuseOwnOutput(log: Logger, inputs: readonly (string | number)[]): void {
  const written = new Map<string, string>();
  for (const file of filesWrittenBy(log)) {
    try {
      const id = identity(statSync(file));
      if (id !== undefined) written.set(id, file);
    } catch {
      // not there (yet): no input can be it
    }
  }
  if (written.size === 0) return;
  for (const input of inputs) {
    let id: string | undefined;
    try {
      id = identity(typeof input === 'number' ? fstatSync(input) : statSync(input));
    } catch {
      continue; // said when it is opened
    }
    const output = id === undefined ? undefined : written.get(id);
    if (output === undefined) continue;
    const name = typeof input === 'number' ? 'stdin' : input;
    const what = output === log.deadLetterPath ? 'the dead-letter file' : 'a file target';
    throw new UsageError(
      `${name} is ${output}, which the config writes as ${what}: each record read would be written to it and ` +
        'read again, without end; ship a copy, or write to another file',
    );
  }
}
