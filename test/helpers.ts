import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import { ConfigError, createLogger, MemoryTransport, type LoggerOptions, type Logger } from '../src/index.js';

/** A byte sink that keeps everything written to it, like a terminal or a file would. */
export class Collector extends Writable {
  chunks: string[] = [];
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  get text(): string {
    return this.chunks.join('');
  }
  get lines(): string[] {
    return this.text.split('\n').filter((line) => line.length > 0);
  }
  json(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

/** A logger writing JSON lines into a Collector; flush before reading. */
export function collectingLogger(options: Omit<LoggerOptions, 'transports'> = {}): { log: Logger; out: Collector } {
  const out = new Collector();
  const log = createLogger({ exitFlush: false, ...options, transports: [out] });
  return { log, out };
}

/** Formats each record as it arrives (during its log call), as file and console targets do. */
export class EagerTransport extends MemoryTransport {
  seen: string[] = [];
  protected override handle(record: Rec): void {
    this.seen.push(this.formatLine(record));
    super.handle(record);
  }
}

export function memoryLogger(options: Omit<LoggerOptions, 'transports'> = {}): {
  log: Logger;
  memory: MemoryTransport;
} {
  const memory = new MemoryTransport({ maxRecords: 10_000 });
  const log = createLogger({ exitFlush: false, ...options, transports: [memory] });
  return { log, memory };
}

import { Transport as BaseTransport, type LogRecord as Rec, registerTransport } from '../src/index.js';
import { z } from 'zod';

export type ControlMode = 'ok' | 'fail' | 'stall' | 'slow';

/**
 * A transport that delivers, fails, stalls or slows down on command: the fault injector
 * of the router tests. Stalled records wait until release(); slow ones settle a tick later.
 */
export class ControlledTransport extends BaseTransport {
  readonly type = 'controlled';
  mode: ControlMode;
  readonly received: Rec[] = [];
  readonly held: Rec[] = [];
  maxPendingSeen = 0;

  constructor(options: { mode?: ControlMode; id?: string; level?: string } = {}) {
    super({ id: options.id, level: options.level });
    this.mode = options.mode ?? 'ok';
  }

  protected handle(record: Rec): void {
    this.received.push(record);
    this.maxPendingSeen = Math.max(this.maxPendingSeen, this.pending);
    switch (this.mode) {
      case 'ok':
        this.settleDelivered(1);
        break;
      case 'fail':
        this.settleFailed([record], new Error(`${this.id} refused`));
        break;
      case 'stall':
        this.held.push(record);
        break;
      case 'slow':
        this.held.push(record);
        setImmediate(() => this.releaseOne());
        break;
    }
  }

  private releaseOne(): void {
    if (this.held.shift()) this.settleDelivered(1);
  }

  /** Settles every held record as delivered (or failed). */
  release(outcome: 'delivered' | 'failed' = 'delivered'): void {
    const held = this.held.splice(0);
    if (outcome === 'delivered') this.settleDelivered(held.length);
    else this.settleFailed(held, new Error(`${this.id} failed late`));
  }

  messages(): (string | undefined)[] {
    return this.received.map((r) => r.msg);
  }
}

registerTransport('controlled', {
  schema: z.strictObject({ mode: z.enum(['ok', 'fail', 'stall', 'slow']).default('ok') }),
  create: (options) => new ControlledTransport({ mode: options.mode }),
});

declare module '../src/core/plugin/registry.js' {
  interface TransportTypes {
    controlled: { mode?: ControlMode };
  }
}

/** Can this process mount a tmpfs (root, with mount(8))? The full-disk tests need one. */
export const canMountTmpfs: boolean = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Runs `test` on a fresh 64 KiB tmpfs, unmounted afterwards; says so and skips where none can be mounted. */
export async function onTinyTmpfs(test: (mountPoint: string) => Promise<void>): Promise<void> {
  const mountPoint = mkdtempSync(join(tmpdir(), 'streamlog-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]);
  } catch (error) {
    console.warn(`skipping a full-disk test: cannot mount a tmpfs here (${(error as Error).message})`);
    return;
  }
  try {
    await test(mountPoint);
  } finally {
    // Lazily: a test that failed with a file still open there must not leave the mount behind.
    execFileSync('umount', ['-l', mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
}

/** The ConfigError `run` throws; fails the test when it throws nothing or something else. */
export function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}
