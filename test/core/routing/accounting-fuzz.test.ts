import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DIST_ESM, requireBuild } from '../../built.js';
import {
  createLogger,
  type Logger,
  type LoggerStats,
  type LogRecord,
  registerTransport,
  Transport,
  type TransportEntry,
} from '../../../src/index.js';

// A seeded, bounded checker across topologies: random strategy, targets (memory, file, http to a
// receiver that misbehaves on a schedule, registered custom transports and Writables that
// throw, fail, settle twice or never), wrappers (buffered, validating), drop policies, a
// circuit, spools, a listener that logs, dead letter on or off, random logging with flush() and
// close() between. In every listener and between calls the counts must add up and never take
// back what they said (delivered too, unless a target settles out of order by count: see
// settlesInOrder); at the end, what they call delivered must be at the destinations, and
// what is nowhere must be failed or dropped (and dead-lettered). Then the same in child
// processes that end by process.exit(), SIGTERM, an uncaught exception or returning.
//
// Fixed seeds, so a failure names its seed and plan; run more with
// FUZZ_SEEDS=300 FUZZ_BASE=1000 FUZZ_CHILDREN=20 (and FUZZ_REPORT=<file> to collect the failures,
// FUZZ_TRACE=<file> for the counts at every check of a single seed).

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** mulberry32: small, seeded, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = ReturnType<typeof prng>;
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
const int = (rand: Rand, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

// ---------------------------------------------------------------------------------------------
// Destinations

/** The identity of a line wherever it lands: our records by their `fz`, others by their content. */
function keyOf(line: string): string {
  const object = JSON.parse(line) as Record<string, unknown>;
  if (typeof object.fz === 'number') return `fz:${object.fz}`;
  delete object['@timestamp'];
  return JSON.stringify(object);
}

type CustomMode = 'ok' | 'ok-async' | 'throw' | 'fail' | 'fail-async' | 'twice' | 'never';
type WritableMode = 'ok' | 'ok-async' | 'err' | 'throw' | 'never' | 'twice' | 'twice-async';

/** What a registered transport holds, by name (the plugin is registered once per process). */
const customs = new Map<string, { modes: CustomMode[]; got: string[] }>();
const writables = new Map<string, { modes: WritableMode[]; got: string[] }>();

/** Keys with how many copies: the logger's own records (two alike in one millisecond) can repeat. */
type Bag = Map<string, number>;
function bagOf(keys: Iterable<string>): Bag {
  const bag: Bag = new Map();
  for (const key of keys) bag.set(key, (bag.get(key) ?? 0) + 1);
  return bag;
}

const modeOf = <M>(modes: M[], record: LogRecord): M => {
  const fz = (record.toObject() as { fz?: unknown }).fz;
  return typeof fz === 'number' ? modes[fz % modes.length]! : modes[0]!;
};

class FuzzTransport extends Transport {
  override readonly type = 'fuzz-custom';
  constructor(readonly state: { modes: CustomMode[]; got: string[] }) {
    super({});
  }
  protected handle(record: LogRecord): void {
    const mode = modeOf(this.state.modes, record);
    const key = keyOf(record.json());
    switch (mode) {
      case 'ok':
        this.state.got.push(key);
        this.settleDelivered(1);
        return;
      case 'twice':
        this.state.got.push(key);
        this.settleDelivered(1);
        this.settleDelivered(1);
        return;
      case 'ok-async':
        setTimeout(() => {
          this.state.got.push(key);
          this.settleDelivered(1);
        }, 1);
        return;
      case 'throw':
        throw new Error('fuzz: handle threw');
      case 'fail':
        this.settleFailed([record], new Error('fuzz: refused'));
        return;
      case 'fail-async':
        setTimeout(() => this.settleFailed([record], new Error('fuzz: refused later')), 1);
        return;
      case 'never':
        return;
    }
  }
}

registerTransport('fuzz-custom', {
  schema: z.strictObject({ name: z.string() }),
  create: (options) => new FuzzTransport(customs.get(options.name)!),
});

registerTransport('fuzz-writable', {
  schema: z.strictObject({ name: z.string() }),
  create: (options) => {
    const state = writables.get(options.name)!;
    return new Writable({
      objectMode: true,
      write(record: LogRecord, _encoding, callback) {
        const mode = modeOf(state.modes, record);
        const key = keyOf(record.json());
        if (mode === 'ok') {
          state.got.push(key);
          callback();
        } else if (mode === 'ok-async') {
          setTimeout(() => {
            state.got.push(key);
            callback();
          }, 1);
        } else if (mode === 'twice') {
          state.got.push(key);
          callback();
          callback();
        } else if (mode === 'twice-async') {
          state.got.push(key);
          callback();
          setTimeout(() => callback(), 1);
        } else if (mode === 'err') setTimeout(() => callback(new Error('fuzz: write failed')), 1);
        else if (mode === 'throw') throw new Error('fuzz: write threw');
        // never: the callback never comes
      },
    });
  },
});

type Behaviour = 200 | 500 | 503 | 400 | 413 | 429 | 401 | 'hang' | 'reset' | 'partial';

/** A receiver on 127.0.0.1 whose answers follow a schedule; it keeps what it answered 2xx for. */
class Receiver {
  readonly got: string[] = [];
  /** Bulk documents taken, by their `_id`: a create sent again answers 409. */
  private readonly ids = new Set<string>();
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  private n = 0;
  url = '';

  constructor(
    private readonly schedule: Behaviour[],
    private readonly bulk: boolean,
    private readonly rand: Rand,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.answer(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/ingest`;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const behaviour = this.schedule[this.n++ % this.schedule.length]!;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (behaviour === 'hang') return;
      if (behaviour === 'reset') {
        req.socket.destroy();
        return;
      }
      if (behaviour === 503) {
        res.writeHead(503, { 'retry-after': '0' }).end('busy');
        return;
      }
      if (behaviour === 500 || behaviour === 400 || behaviour === 413 || behaviour === 429 || behaviour === 401) {
        res.writeHead(behaviour).end('no');
        return;
      }
      const lines = body.split('\n').filter((line) => line.length > 0);
      if (!this.bulk) {
        for (const line of lines) this.got.push(keyOf(line));
        res.writeHead(200).end();
        return;
      }
      const items: unknown[] = [];
      for (let i = 0; i + 1 < lines.length; i += 2) {
        const id = (JSON.parse(lines[i]!) as { create: { _id: string } }).create._id;
        let status = 201;
        if (this.ids.has(id)) status = 409;
        else if (behaviour === 'partial') status = pick(this.rand, [201, 201, 400, 429, 503]);
        if (status === 201) {
          this.ids.add(id);
          this.got.push(keyOf(lines[i + 1]!));
        }
        items.push({ create: { status, error: status >= 400 ? { type: 'fuzz', reason: 'no' } : undefined } });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items }));
    });
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// Topologies

type Kind = 'memory' | 'file' | 'http' | 'custom' | 'writable';
type Wrap = 'none' | 'buffered' | 'validating';
type OnInvalid = 'error' | 'skip' | 'log' | 'dead-letter';

interface TargetPlan {
  kind: Kind;
  wrap: Wrap;
  onInvalid: OnInvalid;
  level: 'info' | 'warn';
  overflow: 'block' | 'drop-newest' | 'drop-oldest';
  maxRecords: number | undefined;
  schedule: Behaviour[];
  bulk: boolean;
  concurrency: number;
  batchRecords: number;
  /** An http target's own spool. */
  spool: boolean;
  customModes: CustomMode[];
  writableModes: WritableMode[];
}

type Op =
  | { op: 'log'; count: number }
  | { op: 'tick' }
  | { op: 'sleep'; ms: number }
  | { op: 'flush'; timeoutMs: number | undefined; await: boolean }
  | { op: 'close'; timeoutMs: number | undefined; await: boolean };

interface Plan {
  seed: number;
  strategy: 'all' | 'any' | 'majority';
  deadLetter: boolean;
  targets: TargetPlan[];
  ops: Op[];
  /** Some target may hold a record for ever: every wait needs a timeout. */
  mayHang: boolean;
  /** continueOnError: false. */
  stopOnError: boolean;
  /** A small failureThreshold (targets get skipped), or none that is ever reached. */
  circuit: number | undefined;
  /** router.spool.dir: `block` overflow parks on disk. */
  routerSpool: boolean;
  /** How many records a deliveryFailed listener logs in its turn (re-entry). */
  echo: number;
}

function planTarget(rand: Rand): TargetPlan {
  const kind = pick(rand, ['memory', 'file', 'http', 'http', 'custom', 'writable'] as const);
  const wrap = pick(rand, ['none', 'none', 'buffered', 'validating'] as const);
  const asyncModes: CustomMode[] = ['ok', 'ok-async', 'throw', 'fail', 'fail-async', 'never'];
  const syncModes: CustomMode[] = ['ok', 'throw', 'fail', 'twice'];
  // Settling twice is only detectable when nothing else is owed, so it goes with synchronous modes only.
  const modes = rand() < 0.5 ? syncModes : asyncModes;
  const customModes = Array.from({ length: int(rand, 1, 5) }, () => pick(rand, modes));
  if (rand() < 0.6) customModes.push('ok');
  const writableModes = Array.from({ length: int(rand, 1, 4) }, () =>
    pick(rand, ['ok', 'ok', 'ok-async', 'err', 'throw', 'never', 'twice', 'twice-async'] as const),
  );
  const behaviours: Behaviour[] = [200, 200, 500, 503, 400, 413, 429, 401, 'hang', 'reset', 'partial'];
  const schedule = Array.from({ length: int(rand, 1, 6) }, () => pick(rand, behaviours));
  const dropping = rand() < 0.25;
  return {
    kind,
    wrap,
    onInvalid: pick(rand, ['error', 'skip', 'log', 'dead-letter'] as const),
    level: rand() < 0.2 ? 'warn' : 'info',
    overflow: dropping ? pick(rand, ['drop-newest', 'drop-oldest'] as const) : 'block',
    // A small blocking queue: with router.spool, what does not fit waits on disk.
    maxRecords: dropping || rand() < 0.3 ? int(rand, 2, 12) : undefined,
    schedule,
    bulk: rand() < 0.4,
    concurrency: int(rand, 1, 2),
    batchRecords: int(rand, 1, 12),
    spool: rand() < 0.15,
    customModes,
    writableModes,
  };
}

/**
 * Does a target settle its records in the order it took them, as the counts with several
 * targets assume (docs/delivery.md)? A plugin that settles a later record by count while an
 * earlier one is outstanding (a synchronous success after one still owed), or one record
 * twice, does not, nor does `buffered` around a plugin that fails some records by name and
 * delivers the rest by count (buffered tries the failed ones again after the rest have
 * settled, and passes on the count); Writables call back in order unless they call back twice.
 */
function settlesInOrder(
  kind: string,
  wrap: string,
  customModes: readonly string[],
  writableModes: readonly string[],
): boolean {
  if (kind === 'custom') {
    const now = customModes.every((mode) => mode === 'ok' || mode === 'fail' || mode === 'throw');
    const later = customModes.every((mode) => mode === 'ok-async' || mode === 'fail-async');
    const failsSome = customModes.some((mode) => mode !== 'ok' && mode !== 'ok-async');
    return (now || later) && !(wrap === 'buffered' && failsSome);
  }
  if (kind === 'writable') return !writableModes.some((mode) => mode === 'twice' || mode === 'twice-async');
  return true;
}

/** No target holds a record: in its transport, the router's queue or a spool. */
function nothingHeld(s: LoggerStats): boolean {
  return s.targets.every((t) => t.pending === 0 && t.queueDepth === 0 && t.spooled === 0);
}

function plan(seed: number): Plan {
  const rand = prng(seed);
  // One target in three: its counts are exact at every moment, so they are checked as such.
  const targets = Array.from({ length: rand() < 0.35 ? 1 : int(rand, 2, 4) }, () => planTarget(rand));
  // A spool's replay is retried for as long as the receiver fails it, so a flush then waits too.
  const mayHang = targets.some(
    (t) =>
      (t.kind === 'custom' && t.customModes.includes('never')) ||
      (t.kind === 'writable' && t.writableModes.includes('never')) ||
      (t.kind === 'http' && t.spool),
  );
  const ops: Op[] = [];
  const steps = int(rand, 2, 8);
  for (let i = 0; i < steps; i++) {
    const r = rand();
    if (r < 0.45) ops.push({ op: 'log', count: int(rand, 1, rand() < 0.2 ? 80 : 25) });
    else if (r < 0.6) ops.push({ op: 'tick' });
    else if (r < 0.7) ops.push({ op: 'sleep', ms: int(rand, 1, 40) });
    else if (r < 0.9) {
      const timeoutMs = mayHang || rand() < 0.5 ? int(rand, 20, 300) : undefined;
      ops.push({ op: 'flush', timeoutMs, await: rand() < 0.7 });
    } else {
      const timeoutMs = mayHang || rand() < 0.5 ? int(rand, 20, 400) : undefined;
      ops.push({ op: 'close', timeoutMs, await: rand() < 0.5 });
    }
  }
  const timeoutMs = mayHang || rand() < 0.4 ? int(rand, 20, 400) : undefined;
  ops.push({ op: 'close', timeoutMs, await: true });
  return {
    seed,
    strategy: pick(rand, ['all', 'any', 'majority'] as const),
    deadLetter: rand() < 0.6,
    targets,
    ops,
    mayHang,
    stopOnError: rand() < 0.1,
    circuit: rand() < 0.25 ? int(rand, 1, 3) : undefined,
    routerSpool: rand() < 0.25,
    echo: rand() < 0.3 ? int(rand, 1, 10) : 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Running one plan

interface Built {
  entry: TransportEntry;
  /** The keys this target's destination holds now. */
  holds: () => Bag;
  /** The keys its validating wrapper left out on purpose (skip, log, dead-letter): a quiet drop. */
  leftOut: () => Bag;
  /** Keys of invalid records its validating wrapper saw (they never reach the destination). */
  invalid: string[];
  receiver?: Receiver;
}

async function build(
  target: TargetPlan,
  index: number,
  seed: number,
  dir: string,
  rand: Rand,
  deadLetter: boolean,
  logRef: { log?: Logger },
): Promise<Built> {
  let inner: Record<string, unknown>;
  let holds: () => Bag;
  let receiver: Receiver | undefined;
  const name = `s${seed}t${index}`;
  switch (target.kind) {
    case 'memory': {
      inner = { type: 'memory', maxRecords: 100_000 };
      holds = () => {
        const top = logRef.log!.transport(`t${index}`) as unknown as { inner?: unknown; records(): LogRecord[] };
        const memory = (target.wrap === 'none' ? top : top.inner) as { records(): LogRecord[] };
        return bagOf(memory.records().map((r) => keyOf(r.json())));
      };
      break;
    }
    case 'file': {
      const path = join(dir, `t${index}.log`);
      inner = { type: 'file', path };
      holds = () => {
        let text = '';
        try {
          text = readFileSync(path, 'utf8');
        } catch {
          return new Map();
        }
        return bagOf(
          text
            .split('\n')
            .filter((line) => line.length > 0)
            .map(keyOf),
        );
      };
      break;
    }
    case 'http': {
      receiver = new Receiver(target.schedule, target.bulk, rand);
      await receiver.start();
      inner = {
        type: 'http',
        url: receiver.url,
        preset: target.bulk ? 'elasticsearch' : 'ndjson',
        batch: { maxRecords: target.batchRecords, intervalMs: 5 },
        retry: { maxAttempts: 3, baseMs: 5, maxMs: 20, deadlineMs: 2000 },
        timeoutMs: 100,
        concurrency: target.concurrency,
        ...(target.spool ? { spool: { dir: join(dir, `http-spool-${index}`) } } : {}),
      };
      const r = receiver;
      holds = () => bagOf(r.got);
      break;
    }
    case 'custom': {
      const state = { modes: target.customModes, got: [] as string[] };
      customs.set(name, state);
      inner = { type: 'fuzz-custom', name };
      holds = () => bagOf(state.got);
      break;
    }
    case 'writable': {
      const state = { modes: target.writableModes, got: [] as string[] };
      writables.set(name, state);
      inner = { type: 'fuzz-writable', name };
      holds = () => bagOf(state.got);
      break;
    }
  }
  let entry: Record<string, unknown>;
  if (target.wrap === 'buffered') {
    entry = {
      type: 'buffered',
      batch: { maxRecords: target.batchRecords, intervalMs: 5 },
      retry: { maxAttempts: 2, baseMs: 5 },
      target: inner,
    };
  } else if (target.wrap === 'validating') {
    // "dead-letter" needs router.deadLetter (a ConfigError without it): failing there is "error".
    const onInvalid = target.onInvalid === 'dead-letter' && !deadLetter ? 'error' : target.onInvalid;
    entry = { type: 'validating', schema: { not: { required: ['bad'] } }, onInvalid, target: inner };
  } else entry = inner;
  entry.id = `t${index}`;
  entry.level = target.level;
  if (target.maxRecords !== undefined) {
    entry.overflow = target.overflow;
    entry.maxQueue = { maxRecords: target.maxRecords };
  }
  const invalid: string[] = [];
  const held = holds;
  // A validating wrapper that skips, logs or dead-letters an invalid record leaves it out: it is
  // then not one of the record's targets (dead-letter without a dead-letter file runs as error, above).
  const leavesOut =
    target.wrap === 'validating' && target.onInvalid !== 'error' && (target.onInvalid !== 'dead-letter' || deadLetter);
  const leftOut = (): Bag => (leavesOut ? bagOf(invalid) : new Map());
  return { entry: entry as TransportEntry, holds: held, leftOut, invalid, receiver };
}

/** A target's counts, short, for a failure message. */
const targetCounts = (t: LoggerStats['targets'][number]): unknown[] => [
  t.id,
  t.accepted,
  t.delivered,
  t.failed,
  t.pending,
  t.parked,
  t.queueDepth,
];

const LEVELS = { info: 30, warn: 40, error: 50 } as const;

interface Outcome {
  problems: string[];
}

function summary(p: Plan): string {
  return JSON.stringify({
    seed: p.seed,
    strategy: p.strategy,
    deadLetter: p.deadLetter,
    targets: p.targets.map((t) => ({
      kind: t.kind,
      wrap: t.wrap,
      ...(t.wrap === 'validating' ? { onInvalid: t.onInvalid } : {}),
      level: t.level,
      ...(t.maxRecords ? { overflow: t.overflow, maxRecords: t.maxRecords } : {}),
      ...(t.kind === 'http' ? { schedule: t.schedule, bulk: t.bulk, conc: t.concurrency, batch: t.batchRecords } : {}),
      ...(t.kind === 'custom' ? { modes: t.customModes } : {}),
      ...(t.kind === 'writable' ? { modes: t.writableModes } : {}),
      ...(t.wrap === 'buffered' ? { batch: t.batchRecords } : {}),
      ...(t.kind === 'http' && t.spool ? { spool: true } : {}),
    })),
    ops: p.ops,
    stopOnError: p.stopOnError,
    circuit: p.circuit,
    routerSpool: p.routerSpool,
    echo: p.echo,
  });
}

async function runPlan(p: Plan): Promise<Outcome> {
  const rand = prng(p.seed ^ 0x5eed);
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-fuzz-'));
  dirs.push(dir);
  const problems: string[] = [];
  const logged = new Map<string, { bad: boolean; level: number }>();
  /** Records each target failed or had dropped, by key: with a circuit, where records went. */
  const touched: string[][] = p.targets.map(() => []);
  const logRef: { log?: Logger } = {};
  const built: Built[] = [];
  for (let i = 0; i < p.targets.length; i++) {
    built.push(await build(p.targets[i]!, i, p.seed, dir, rand, p.deadLetter, logRef));
  }
  const deadLetterPath = join(dir, 'dead.ndjson');
  const log = createLogger({
    base: null,
    exitFlush: false,
    level: 'info',
    router: {
      strategy: p.strategy,
      ...(p.deadLetter ? { deadLetter: deadLetterPath } : {}),
      // A circuit that opens skips targets: the checks then take where each record went from the events.
      health: { failureThreshold: p.circuit ?? 1_000_000, cooldownMs: 20 },
      continueOnError: !p.stopOnError,
      ...(p.routerSpool ? { spool: { dir: join(dir, 'router-spool') } } : {}),
    },
    transports: built.map((b) => b.entry),
  });
  logRef.log = log;
  const diagnostics: string[] = [];
  let last: LoggerStats | undefined;
  const n = p.targets.length;
  // With several targets the router keeps which of them hold each record: its counts are exact
  // at every moment too, while every target settles in the order it took its records.
  const exact = n === 1 || p.targets.every((t) => settlesInOrder(t.kind, t.wrap, t.customModes, t.writableModes));
  const check = (where: string): void => {
    let s: LoggerStats;
    try {
      s = log.stats();
    } catch (error) {
      problems.push(`${where}: stats() threw ${String(error)}`);
      return;
    }
    const { logged: n, delivered, failed, dropped, pending, pendingDetail } = s;
    if (n !== delivered + failed + dropped + pending) {
      problems.push(`${where}: logged ${n} != ${delivered} + ${failed} + ${dropped} + ${pending}`);
    }
    for (const [k, v] of Object.entries({ delivered, failed, dropped, pending })) {
      if (v < 0 || !Number.isInteger(v)) problems.push(`${where}: ${k} = ${v}`);
    }
    const detail = pendingDetail.inMemory + pendingDetail.spooled + pendingDetail.abandoned;
    if (detail !== pending) problems.push(`${where}: pendingDetail sums to ${detail}, pending ${pending}`);
    if (last !== undefined) {
      const counts = exact
        ? (['logged', 'failed', 'dropped', 'delivered'] as const)
        : (['logged', 'failed', 'dropped'] as const);
      for (const k of counts) {
        if (s[k] < last[k]) problems.push(`${where}: ${k} went back from ${last[k]} to ${s[k]}`);
      }
    }
    if (process.env.FUZZ_TRACE) {
      appendFileSync(
        process.env.FUZZ_TRACE,
        `${where}: ${JSON.stringify({ ...s, targets: s.targets.map(targetCounts) })}\n`,
      );
    }
    last = s;
  };
  for (const event of [
    'deliveryFailed',
    'drop',
    'backpressureStart',
    'backpressureEnd',
    'targetUnhealthy',
    'targetHealthy',
    'stopped',
    'unblocked',
  ] as const) {
    (log.on as (e: string, f: () => void) => void)(event, () => check(`in ${event}`));
  }
  // A target that ends itself (a destroyed writable) is unhealthy whatever the threshold.
  let unhealthySeen = false;
  log.on('targetUnhealthy', () => {
    unhealthySeen = true;
  });
  log.on('diagnostic', (message: string) => {
    diagnostics.push(message);
    check('in diagnostic');
  });
  for (let i = 0; i < p.targets.length; i++) {
    const transport = log.transport(`t${i}`) as unknown as Transport & { inner?: Transport };
    for (const t of [transport, transport.inner]) {
      if (t === undefined) continue;
      for (const event of ['itemFailed', 'batchProcessed', 'flush', 'progress', 'invalidData', 'deliveryFailed']) {
        t.on(event, () => check(`in ${t.id} ${event}`));
      }
    }
    const b = built[i]!;
    transport.on('invalidData', (data: { record: { fz?: unknown } }) => {
      if (typeof data.record.fz === 'number') b.invalid.push(`fz:${data.record.fz}`);
    });
    transport.on('deliveryFailed', (records: readonly LogRecord[]) => {
      for (const record of records) touched[i]!.push(keyOf(record.json()));
    });
  }
  let echoes = 0;
  /** Records the listener logged: quiet, so neither reported nor announced when dropped. */
  const echoKeys = new Set<string>();
  let fz = 0;
  const minLevel = Math.min(...p.targets.map((t) => LEVELS[t.level]));
  let closed = false;
  function logOne(): void {
    const bad = rand() < 0.25;
    const level = pick(rand, ['info', 'info', 'warn', 'error'] as const);
    const n = fz++;
    // Below every target's level a record is never built, so never logged.
    if (!closed && LEVELS[level] >= minLevel) logged.set(`fz:${n}`, { bad, level: LEVELS[level] });
    // A message of its own: what the logger says about it (an invalid record skipped) is unique too.
    log[level](bad ? { fz: n, bad: true } : { fz: n }, `fuzz ${n}`);
    check(`after log ${n}`);
  }
  // Where each record went, besides the destinations: failed by a target, dropped for it.
  log.on('drop', ({ target, record }) => touched[Number(target.slice(1))]?.push(keyOf(record.json())));
  log.on('deliveryFailed', ({ record, reasons }) => {
    for (const reason of reasons) touched[Number(reason.target.slice(1))]?.push(keyOf(record.json()));
    // A listener that logs while failures are reported (the router defers it).
    if (echoes < p.echo) {
      echoes++;
      echoKeys.add(`fz:${fz}`);
      logOne();
    }
  });

  let closeResult: boolean | undefined;
  let closedWith: LoggerStats | undefined;
  const waits: Promise<unknown>[] = [];
  for (const op of p.ops) {
    switch (op.op) {
      case 'log':
        for (let i = 0; i < op.count; i++) logOne();
        break;
      case 'tick':
        await new Promise((resolve) => setImmediate(resolve));
        check('after a tick');
        break;
      case 'sleep':
        await new Promise((resolve) => setTimeout(resolve, op.ms));
        check(`after ${op.ms} ms`);
        break;
      case 'flush': {
        const before = log.stats().logged;
        const done = log.flush(op.timeoutMs === undefined ? {} : { timeoutMs: op.timeoutMs }).then((r) => {
          check('after flush');
          // true: everything logged before the call is delivered or failed (what is pending came later).
          const after = log.stats();
          if (r && after.pending > after.logged - before) {
            problems.push(`flush() resolved true with ${after.pending} pending, ${after.logged - before} logged since`);
          }
          return r;
        });
        if (op.await) await done;
        else waits.push(done);
        check('after flush call');
        break;
      }
      case 'close': {
        const wasClosed = closed;
        closed = true;
        const done = log.close(op.timeoutMs === undefined ? {} : { timeoutMs: op.timeoutMs }).then((r) => {
          if (!wasClosed) {
            closeResult = r;
            closedWith = log.stats();
          }
          check('after close');
          return r;
        });
        if (op.await) await done;
        else waits.push(done);
        check('after close call');
        break;
      }
    }
  }
  await Promise.all(waits);
  // Late settlements (an abandoned transport finishing after all) must keep the counts true.
  await new Promise((resolve) => setTimeout(resolve, 30));
  check('at the end');
  for (const b of built) await b.receiver?.stop();
  check('after the receivers stopped');
  // A close that resolved true left nothing to settle later: the counts stay as they were.
  if (closeResult === true && closedWith !== undefined) {
    const now = log.stats();
    for (const k of ['logged', 'delivered', 'failed', 'dropped', 'pending'] as const) {
      if (now[k] !== closedWith[k])
        problems.push(`after close() resolved true, ${k} changed: ${closedWith[k]} to ${now[k]}`);
    }
  }

  const s = log.stats();
  // Which targets wanted each record (its level against theirs), and which hold it (each copy).
  const holdings = built.map((b) => b.holds());
  const leftOut = built.map((b) => b.leftOut());
  let deadBag: Bag = new Map();
  let deadLines = 0;
  type DeadEntry = { record: unknown; reasons: { target: string; error: string }[] };
  let deadEntries: DeadEntry[] = [];
  if (p.deadLetter) {
    let text = '';
    try {
      text = readFileSync(deadLetterPath, 'utf8');
    } catch {}
    const lines = text.split('\n').filter((l) => l.length > 0);
    deadLines = lines.length;
    deadEntries = lines.map((l) => JSON.parse(l) as DeadEntry);
    deadBag = bagOf(deadEntries.map((d) => keyOf(JSON.stringify(d.record))));
  }
  const universe = new Map<string, { level: number; copies: number }>();
  for (const [key, record] of logged) universe.set(key, { level: record.level, copies: 1 });
  // Ours are logged once each (a dead letter may hold one twice: by its validating wrapper and by
  // the router); the logger's own records count as many times as some destination holds them.
  for (const bag of [...holdings, deadBag]) {
    for (const [key, count] of bag) {
      const known = universe.get(key);
      if (key.startsWith('fz:')) continue;
      if (known) known.copies = Math.max(known.copies, count);
      else universe.set(key, { level: (JSON.parse(key) as { level: number }).level, copies: count });
    }
  }
  let seen = 0;
  let deliverable = 0;
  let nowhere = 0;
  const notDelivered: Bag = new Map();
  const touchedBags = touched.map(bagOf);
  // A listener's own records (quiet) are neither reported nor announced when dropped: the dead
  // letter's reasons say which targets they went to.
  const deadAt = new Map<string, Set<number>>();
  for (const entry of deadEntries) {
    const key = keyOf(JSON.stringify(entry.record));
    const at = deadAt.get(key) ?? new Set<number>();
    for (const reason of entry.reasons) if (/^t\d+$/.test(reason.target)) at.add(Number(reason.target.slice(1)));
    deadAt.set(key, at);
  }
  // A 401 opens the circuit whatever the threshold.
  const circuit =
    p.circuit !== undefined || unhealthySeen || p.targets.some((t) => t.kind === 'http' && t.schedule.includes(401));
  for (const [key, { level, copies }] of universe) {
    for (let copy = 0; copy < copies; copy++) {
      // Without a circuit every target of the record's level got it; with one, only those that
      // hold it, failed it or had it dropped (an unhealthy target is skipped). A target that left
      // it out is not one of its targets.
      const leftOutAt = p.targets.map((_, i) => (leftOut[i]!.get(key) ?? 0) > copy);
      const wanted = p.targets.map(
        (t, i) =>
          level >= LEVELS[t.level] &&
          !leftOutAt[i] &&
          (!circuit ||
            (holdings[i]!.get(key) ?? 0) > copy ||
            (touchedBags[i]!.get(key) ?? 0) > copy ||
            deadAt.get(key)?.has(i) === true),
      );
      const eligible = wanted.filter(Boolean).length;
      seen++;
      let at = 0;
      for (let i = 0; i < n; i++) if (wanted[i] && (holdings[i]!.get(key) ?? 0) > copy) at++;
      const ok =
        eligible > 0 && (p.strategy === 'all' ? at === eligible : p.strategy === 'any' ? at >= 1 : at > eligible / 2);
      // Left out by every target it went to: dropped, neither reported nor dead-lettered.
      const everyLeftOut = eligible === 0 && leftOutAt.some(Boolean);
      if (ok) deliverable++;
      else if (!everyLeftOut) notDelivered.set(key, (notDelivered.get(key) ?? 0) + 1);
      if (at === 0) nowhere++;
    }
  }
  // The logger's own records that no destination holds are outside what was seen: not delivered either.
  const unseen = s.logged - seen;
  if (unseen < 0) problems.push(`logged ${s.logged} is fewer than the ${seen} records seen`);
  // Else once no target holds anything: a count a target took out of order may have been
  // counted as a record another target still held, though nothing is pending.
  const settledExactly = exact || nothingHeld(s);
  if (settledExactly && s.delivered > deliverable) {
    problems.push(`delivered ${s.delivered} but only ${deliverable} are where the strategy needs them`);
  }
  if (settledExactly && nowhere + Math.max(0, unseen) > s.failed + s.dropped + s.pending) {
    problems.push(
      `${nowhere} + ${unseen} record(s) at no destination, ` +
        `but failed + dropped + pending = ${s.failed + s.dropped + s.pending}`,
    );
  }
  // Per target: what it counts delivered is at its destination.
  for (let i = 0; i < n; i++) {
    const target = s.targets[i]!;
    let held = 0;
    for (const count of holdings[i]!.values()) held += count;
    if (target.delivered > held) problems.push(`${target.id} counts ${target.delivered} delivered, holds ${held}`);
  }
  // A close resolves once everything is delivered, failed or parked in a spool.
  if (closeResult === true && s.pending !== s.pendingDetail.spooled) {
    problems.push(`close() resolved true with ${s.pending} pending (${JSON.stringify(s.pendingDetail)})`);
  }
  // A close that gave up fails what is in flight, which the destination may take all the same:
  // the counts are exact only when nothing was given up.
  if (s.pending === 0 && closeResult === true) {
    // Under a circuit and without a dead letter, which targets a quiet record went to is known
    // only where it landed: one dropped at a target that was then skipped looks deliverable.
    const unknown = circuit && !p.deadLetter ? [...echoKeys].filter((key) => logged.has(key)).length : 0;
    if (s.delivered > deliverable || s.delivered < deliverable - unknown) {
      problems.push(`nothing pending, delivered ${s.delivered}, at the destinations ${deliverable}`);
    }
    if (p.deadLetter) {
      if (s.deadLettered !== deadLines) problems.push(`deadLettered ${s.deadLettered}, the file has ${deadLines}`);
      const missing = [...notDelivered].filter(([k, count]) => (deadBag.get(k) ?? 0) < count).map(([k]) => k);
      if (missing.length > 0) problems.push(`not delivered and not dead-lettered: ${missing.slice(0, 5).join(' ')}`);
      // What the router dead-lettered (not a validating wrapper's invalid records) was not delivered.
      const wrong = deadEntries
        .filter((d) => !d.reasons.every((r) => r.error.startsWith('invalid record')))
        .map((d) => keyOf(JSON.stringify(d.record)))
        .filter((k) => !notDelivered.has(k));
      if (wrong.length > 0) problems.push(`dead-lettered but delivered: ${wrong.slice(0, 5).join(' ')}`);
    }
  }
  if (problems.length > 0) problems.push(`stats: ${JSON.stringify({ ...s, targets: undefined })}`);
  if (problems.length > 0) problems.push(`diagnostics: ${JSON.stringify(diagnostics.slice(0, 10))}`);
  return { problems };
}

/** The first of each kind of problem (numbers aside), with how many there were. */
function distinct(problems: string[]): string[] {
  const seen = new Map<string, { first: string; count: number }>();
  for (const problem of problems) {
    const kind = problem.replace(/^(in|after) [^:]*: /, '').replace(/\d+/g, 'N');
    const entry = seen.get(kind);
    if (entry) entry.count++;
    else seen.set(kind, { first: problem, count: 1 });
  }
  return [...seen.values()].map((e) => (e.count > 1 ? `${e.first} (and ${e.count - 1} more like it)` : e.first));
}

const CHILD_SEEDS = Array.from(
  { length: Number(process.env.FUZZ_CHILDREN ?? 3) },
  (_, i) => Number(process.env.FUZZ_BASE ?? 1) + i,
);
const ENDS: End[] = ['exit', 'sigterm', 'throw', 'return', 'listener-exit'];

/**
 * Seeds beyond the first 40 that once found a bug, run every time: 119, a plugin inside
 * buffered that settles successes by count and refuses a record later than the next succeeds
 * (a delivered record stayed pending, and the flush waited for ever). 2153, 2352: validating
 * targets that leave records out beside others (their drops quiet, their records counted
 * dropped). 2374: a destroyed writable is unhealthy whatever the threshold (the check took
 * the records skipped there for records the target should hold).
 */
const KEPT_SEEDS = [119, 2153, 2352, 2374];
const RANGE = Array.from(
  { length: Number(process.env.FUZZ_SEEDS ?? 40) },
  (_, i) => Number(process.env.FUZZ_BASE ?? 1) + i,
);
const SEEDS = process.env.FUZZ_BASE === undefined ? [...RANGE, ...KEPT_SEEDS.filter((s) => !RANGE.includes(s))] : RANGE;

// ---------------------------------------------------------------------------------------------
// The same in child processes that end by process.exit(), SIGTERM, an uncaught exception or returning

type End = 'exit' | 'sigterm' | 'throw' | 'return' | 'listener-exit';

interface ChildTarget {
  kind: 'file' | 'http' | 'custom';
  wrap: 'none' | 'buffered' | 'validating';
  skip: boolean;
  level: 'info' | 'warn';
  modes: string[];
  schedule: Behaviour[];
  bulk: boolean;
  /** drop-newest with a queue of 4. */
  drop: boolean;
  /** An http target's own spool (one target only). */
  spool: boolean;
}

interface ChildPlan {
  seed: number;
  end: End;
  strategy: 'all' | 'any' | 'majority';
  deadLetter: boolean;
  exitTimeoutMs: number;
  targets: ChildTarget[];
  steps: ({ log: number } | { sleep: number })[];
  /** A deliveryFailed listener logs a record of its own (then exits, for listener-exit). */
  echo: boolean;
}

function childPlan(seed: number, end: End): ChildPlan {
  const rand = prng(seed * 7919);
  const targets = Array.from({ length: int(rand, 1, 3) }, (): ChildTarget => {
    const kind = pick(rand, ['file', 'http', 'http', 'custom'] as const);
    const modes = Array.from({ length: int(rand, 1, 4) }, () => pick(rand, ['ok', 'ok', 'ok-async', 'fail', 'never']));
    return {
      kind,
      wrap: pick(rand, ['none', 'none', 'buffered', 'validating'] as const),
      skip: rand() < 0.5,
      level: rand() < 0.2 ? 'warn' : 'info',
      modes,
      schedule: Array.from({ length: int(rand, 1, 4) }, () =>
        pick(rand, [200, 200, 500, 503, 400, 413, 429, 'hang', 'reset', 'partial'] as const),
      ),
      bulk: rand() < 0.4,
      drop: rand() < 0.2,
      spool: rand() < 0.4,
    };
  });
  const steps = Array.from({ length: int(rand, 1, 4) }, () =>
    rand() < 0.6 ? { log: int(rand, 1, 40) } : { sleep: int(rand, 1, 60) },
  );
  return {
    seed,
    end,
    strategy: pick(rand, ['all', 'any', 'majority'] as const),
    deadLetter: rand() < 0.7,
    exitTimeoutMs: int(rand, 200, 600),
    targets,
    steps,
    echo: end === 'listener-exit' || rand() < 0.3,
  };
}

/** Every child record's level, as the child logs them. */
const childLevel = (n: number): number => [30, 40, 50][n % 3]!;

async function runChild(p: ChildPlan): Promise<string[]> {
  requireBuild();
  const problems: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-fuzz-child-'));
  dirs.push(dir);
  const rand = prng(p.seed);
  const receivers: (Receiver | undefined)[] = [];
  const transports: Record<string, unknown>[] = [];
  for (let i = 0; i < p.targets.length; i++) {
    const t = p.targets[i]!;
    let inner: Record<string, unknown>;
    let receiver: Receiver | undefined;
    if (t.kind === 'file') inner = { type: 'file', path: join(dir, `t${i}.log`) };
    else if (t.kind === 'custom') inner = { type: 'fuzz-child', name: `t${i}`, modes: t.modes };
    else {
      receiver = new Receiver(t.schedule, t.bulk, rand);
      await receiver.start();
      inner = {
        type: 'http',
        url: receiver.url,
        preset: t.bulk ? 'elasticsearch' : 'ndjson',
        batch: { maxRecords: 7, intervalMs: 5 },
        retry: { maxAttempts: 3, baseMs: 5, maxMs: 20 },
        timeoutMs: 100,
        ...(t.spool ? { spool: { dir: join(dir, 'spool') } } : {}),
      };
    }
    receivers.push(receiver);
    const entry =
      t.wrap === 'buffered'
        ? {
            type: 'buffered',
            batch: { maxRecords: 5, intervalMs: 10 },
            retry: { maxAttempts: 2, baseMs: 5 },
            target: inner,
          }
        : t.wrap === 'validating'
          ? {
              type: 'validating',
              schema: { not: { required: ['bad'] } },
              onInvalid: t.skip ? 'skip' : 'error',
              target: inner,
            }
          : inner;
    const routing = t.drop ? { overflow: 'drop-newest', maxQueue: { maxRecords: 4 } } : {};
    transports.push({ ...entry, id: `t${i}`, level: t.level, ...routing });
  }
  const deadLetter = join(dir, 'dead.ndjson');
  const childArgs = {
    dist: DIST_ESM,
    strategy: p.strategy,
    deadLetter: p.deadLetter ? deadLetter : undefined,
    exitTimeoutMs: p.exitTimeoutMs,
    transports,
    steps: p.steps,
    end: p.end,
    echo: p.echo,
  };
  const script = fileURLToPath(new URL('../../fixtures/accounting-fuzz-child.mjs', import.meta.url));
  const child = spawn(
    'sh',
    ['-c', 'ulimit -f 8192 && exec "$0" "$1" "$2"', process.execPath, script, JSON.stringify(childArgs)],
    { timeout: 20_000, killSignal: 'SIGKILL' },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  for (const r of receivers) await r?.stop();
  const expected: Record<End, [number | null, NodeJS.Signals | null]> = {
    exit: [0, null],
    return: [0, null],
    throw: [1, null],
    'listener-exit': [0, null],
    sigterm: [null, 'SIGTERM'],
  };
  if (code !== expected[p.end][0] || signal !== expected[p.end][1]) {
    problems.push(`ended with ${code} ${signal}, not ${expected[p.end].join(' ')}: ${stderr.slice(0, 300)}`);
  }
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (line === undefined) return [...problems, `no stats printed: ${stderr.slice(0, 300)}`];
  const {
    stats: s,
    got,
    calls,
  } = JSON.parse(line) as {
    stats: LoggerStats;
    got: Record<string, string[]>;
    /** Log calls made before the process ended (a listener may end it early). */
    calls: number;
  };
  if (s.logged !== s.delivered + s.failed + s.dropped + s.pending) {
    problems.push(`logged ${s.logged} != ${s.delivered} + ${s.failed} + ${s.dropped} + ${s.pending}`);
  }
  // At the end of a process nothing is left held, but in a transport that neither settles nor gives up.
  const never = p.targets.some((t) => t.kind === 'custom' && t.modes.includes('never'));
  // What a spool parked waits for the next start.
  if (s.pending !== s.pendingDetail.spooled && !never) {
    problems.push(`${s.pending} record(s) still pending at exit (${JSON.stringify(s.pendingDetail)})`);
  }

  const holdings: Bag[] = p.targets.map((t, i) => {
    let keys: string[] = [];
    if (t.kind === 'custom') keys = (got[`t${i}`] ?? []).map(keyOf);
    else if (t.kind === 'http') keys = receivers[i]!.got;
    else {
      try {
        keys = readFileSync(join(dir, `t${i}.log`), 'utf8')
          .split('\n')
          .filter((l) => l.length > 0)
          .map(keyOf);
      } catch {}
    }
    return bagOf(keys);
  });
  // A validating wrapper that skips an invalid record leaves it out: not one of its targets then.
  const leftOutAt = (i: number, key: string): boolean => {
    const t = p.targets[i]!;
    const n = Number(key.slice(3));
    return t.wrap === 'validating' && t.skip && key.startsWith('fz:') && n % 4 === 3;
  };
  const minLevel = Math.min(...p.targets.map((t) => LEVELS[t.level]));
  const universe = new Map<string, number>();
  for (let n = 0; n < calls; n++) if (childLevel(n) >= minLevel) universe.set(`fz:${n}`, childLevel(n));
  for (const bag of holdings) {
    for (const key of bag.keys())
      if (!universe.has(key)) universe.set(key, (JSON.parse(key) as { level: number }).level);
  }
  let deliverable = 0;
  const nowhere: string[] = [];
  for (const [key, level] of universe) {
    const wanted = p.targets.map((t, i) => level >= LEVELS[t.level] && !leftOutAt(i, key));
    const eligible = wanted.filter(Boolean).length;
    let at = 0;
    for (let i = 0; i < p.targets.length; i++) if (wanted[i] && holdings[i]!.has(key)) at++;
    const ok =
      eligible > 0 && (p.strategy === 'all' ? at === eligible : p.strategy === 'any' ? at >= 1 : at > eligible / 2);
    if (ok) deliverable++;
    if (at === 0) nowhere.push(key);
  }
  const unseen = s.logged - universe.size;
  if (unseen < 0) problems.push(`logged ${s.logged}, but ${universe.size} records seen`);
  // Exact while every target settles in order, or once nothing is pending (see the in-process check).
  const settledExactly =
    p.targets.length === 1 || p.targets.every((t) => settlesInOrder(t.kind, t.wrap, t.modes, [])) || nothingHeld(s);
  if (settledExactly && s.delivered > deliverable) {
    problems.push(`delivered ${s.delivered}, only ${deliverable} where the strategy needs them`);
  }
  if (settledExactly && nowhere.length + Math.max(0, unseen) > s.failed + s.dropped + s.pending) {
    problems.push(
      `${nowhere.length} + ${unseen} at no destination, failed + dropped + pending ${s.failed + s.dropped + s.pending}`,
    );
  }
  for (let i = 0; i < p.targets.length; i++) {
    let held = 0;
    for (const count of holdings[i]!.values()) held += count;
    if (s.targets[i]!.delivered > held)
      problems.push(`t${i} counts ${s.targets[i]!.delivered} delivered, holds ${held}`);
  }
  if (p.deadLetter && s.pending === 0) {
    let text = '';
    try {
      text = readFileSync(deadLetter, 'utf8');
    } catch {}
    const lines = text.split('\n').filter((l) => l.length > 0);
    if (s.deadLettered !== lines.length) problems.push(`deadLettered ${s.deadLettered}, the file has ${lines.length}`);
    const dead = new Set(lines.map((l) => keyOf(JSON.stringify((JSON.parse(l) as { record: unknown }).record))));
    // One a target left out is dead-lettered only if another target failed it, not if that one
    // was skipped while unhealthy: the child does not say which, so such records are not checked here.
    const missing = nowhere.filter((k) => {
      if (dead.has(k)) return false;
      const level = universe.get(k)!;
      return !p.targets.some((t, i) => level >= LEVELS[t.level] && leftOutAt(i, k));
    });
    if (missing.length > 0) problems.push(`at no destination and not dead-lettered: ${missing.slice(0, 5).join(' ')}`);
  }
  if (problems.length > 0)
    problems.push(
      `stats: ${JSON.stringify({ ...s, targets: s.targets.map(targetCounts) })}`,
      `stderr: ${stderr.slice(0, 500)}`,
    );
  return problems;
}

describe('every record accounted, across random topologies (seeded)', () => {
  it.each(SEEDS)('seed %i', async (seed) => {
    const p = plan(seed);
    if (process.env.FUZZ_TRACE) writeFileSync(process.env.FUZZ_TRACE, `${summary(p)}\n`);
    const { problems } = await runPlan(p);
    if (process.env.FUZZ_REPORT && problems.length > 0) {
      appendFileSync(
        process.env.FUZZ_REPORT,
        `${JSON.stringify({ seed, plan: summary(p), problems: distinct(problems) })}\n`,
      );
    }
    expect(distinct(problems), `seed ${seed} (FUZZ_BASE=${seed} FUZZ_SEEDS=1): ${summary(p)}`).toEqual([]);
  });

  it.each(ENDS.flatMap((end) => CHILD_SEEDS.map((seed) => [end, seed] as const)))(
    'a child that ends by %s, seed %i',
    async (end, seed) => {
      const p = childPlan(seed, end);
      const problems = await runChild(p);
      if (process.env.FUZZ_REPORT && problems.length > 0) {
        appendFileSync(
          process.env.FUZZ_REPORT,
          `${JSON.stringify({ seed, end, plan: JSON.stringify(p), problems })}\n`,
        );
      }
      expect(problems, `child ${end} seed ${seed}: ${JSON.stringify(p)}`).toEqual([]);
    },
  );
});
