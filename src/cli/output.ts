import type { Writable } from 'node:stream';
import { shouldColorize } from '../index.js';

/**
 * Writes to a stream and waits for 'drain' when it asks, so a slow reader (a terminal, a
 * pager) slows the command down instead of filling memory. A reader that went away (EPIPE:
 * `| head`) ends the command quietly, as other filters do.
 */
export class Output {
  private closed = false;

  constructor(private readonly stream: Writable) {
    // Other errors (ENOSPC, EIO) end the command through guardStdio's handler.
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.closed = true;
    });
  }

  get gone(): boolean {
    return this.closed;
  }

  async write(text: string): Promise<void> {
    if (this.closed || text.length === 0) return;
    if (!this.stream.write(text)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.on('drain', done);
        this.stream.on('close', done);
        this.stream.on('error', done);
      });
    }
  }
}

/**
 * How the command meets a failing stdout or stderr. A reader that went away (EPIPE) is no
 * error (`streamlog schema | head`); any other stdout error (ENOSPC on /dev/full, EIO) is
 * said on stderr and ends the command with `code`, as nothing more can be delivered there.
 * A failing stderr is ignored: it has nowhere to be reported, and the exit code still says
 * how the command went.
 */
export function guardStdio(code: number): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') return;
    process.stderr.write(`streamlog: cannot write to stdout: ${error.message}\n`);
    process.exit(code);
  });
  process.stderr.on('error', () => {});
}

/**
 * Colour by the NO_COLOR / FORCE_COLOR conventions, else when the stream is a terminal: read
 * as the console transport reads them (FORCE_COLOR=false was colour here and none there).
 */
export function colourFor(choice: 'auto' | 'always' | 'never', stream: { isTTY?: boolean }): boolean {
  if (choice !== 'auto') return choice === 'always';
  return shouldColorize(stream as Writable);
}
