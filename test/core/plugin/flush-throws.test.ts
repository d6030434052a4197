import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord, Transport } from '../../../src/index.js';

// A plugin that overrides flush() or prepareClose() to flush its own client first, where
// the client's flush fails: log.flush() and log.close() still wait
// for the records and come back, and the failure is a diagnostic, not a rejection.

/** Settles each record 20 ms after it comes; its flush or prepareClose throws. */
class SlowClient extends Transport {
  readonly type = 'slow-client';
  constructor(private readonly throwsIn: 'flush' | 'prepareClose') {
    super();
  }
  protected handle(_record: LogRecord): void {
    setTimeout(() => this.settleDelivered(1), 20);
  }
  override flush(): Promise<void> {
    if (this.throwsIn === 'flush') return Promise.reject(new Error('client flush failed'));
    return super.flush();
  }
  override prepareClose(): Promise<void> {
    if (this.throwsIn === 'prepareClose') throw new Error('client flush failed');
    return super.prepareClose();
  }
}

function logTwo(throwsIn: 'flush' | 'prepareClose') {
  const log = createLogger({ exitFlush: false, transports: [new SlowClient(throwsIn)] });
  const diagnostics: string[] = [];
  log.on('diagnostic', (message: string) => diagnostics.push(message));
  log.info('one');
  log.info('two');
  return { log, diagnostics };
}

describe('a plugin whose flush() or prepareClose() throws', () => {
  it('flush() rejecting: log.flush() resolves true once the records are settled, and says why once', async () => {
    const { log, diagnostics } = logTwo('flush');
    expect(await log.flush()).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 2, pending: 0 });
    expect(await log.flush({ timeoutMs: 1000 })).toBe(true);
    expect(diagnostics.filter((d) => /flush\(\) threw: client flush failed/.test(d))).toHaveLength(1);
    await log.close({ timeoutMs: 1000 });
  });

  it('prepareClose() throwing: log.close() resolves true once the records are settled', async () => {
    const { log, diagnostics } = logTwo('prepareClose');
    expect(await log.close({ timeoutMs: 2000 })).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 2, delivered: 2, failed: 0, pending: 0 });
    expect(diagnostics.join('\n')).toMatch(/prepareClose\(\) threw: client flush failed/);
  });
});
