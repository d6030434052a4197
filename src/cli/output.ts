import type { Writable } from 'node:stream';

/**
 * Writes to a stream and waits for 'drain' when it asks, so a slow reader (a terminal, a
 * pager) slows the command down instead of filling memory. A reader that went away (EPIPE:
 * `| head`) ends the command quietly, as other filters do.
 */
export class Output {
  private closed = false;

  constructor(private readonly stream: Writable) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.closed = true;
      else throw error;
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

/** Colour by the NO_COLOR / FORCE_COLOR conventions, else when the stream is a terminal. */
export function colourFor(choice: 'auto' | 'always' | 'never', stream: { isTTY?: boolean }): boolean {
  if (choice !== 'auto') return choice === 'always';
  const env = process.env;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true && env.TERM !== 'dumb';
}
