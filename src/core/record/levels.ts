/** Numeric levels, pino-compatible. `silent` sits above everything so nothing passes it. */
export const DEFAULT_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
});

export const SILENT = Number.POSITIVE_INFINITY;

const NO_LEVELS: Readonly<Record<string, number>> = Object.freeze({});

export type LevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type LevelInput = LevelName | 'silent' | (string & {}) | number;

/** Names children brought that the tree keeps (see learn): as many as there are numbers. */
const MAX_LEARNED = 1024;

/**
 * The level table of one logger tree: built-in plus custom levels, fixed at construction; the
 * names children bring later (their customLevels) are learned beside them (see learn()).
 */
export class LevelTable {
  readonly values: Readonly<Record<string, number>>;
  /** pino's `logger.levels`: name → number and number → name, custom levels included. */
  readonly mapping: {
    readonly values: Readonly<Record<string, number>>;
    readonly labels: Readonly<Record<number, string>>;
  };
  private readonly labels = new Map<number, string>();
  /** Names children brought (their customLevels) that the whole tree reads and writes: see learn(). */
  private readonly learned = new Map<string, number>();
  /** Name and value of each level, by value: every logger (and child) makes its methods from it. */
  readonly ordered: readonly { readonly name: string; readonly value: number }[];
  /** The built-in six and nothing else, at their own numbers (no custom level adds or renumbers one). */
  readonly builtInOnly: boolean;

  /** `onlyCustom`: pino's useOnlyCustomLevels, the built-in names are not levels of this table. */
  constructor(custom: Record<string, number> = {}, onlyCustom = false) {
    this.values = Object.freeze(onlyCustom ? { ...custom } : { ...DEFAULT_LEVELS, ...custom });
    // As pino: a custom level's name is the label of its number, over a built-in's of the same
    // number (`{ notice: 30 }`: records at 30 are "notice"); among custom ones, the last wins.
    if (!onlyCustom) for (const [name, value] of Object.entries(DEFAULT_LEVELS)) this.labels.set(value, name);
    for (const [name, value] of Object.entries(custom)) this.labels.set(value, name);
    this.mapping = Object.freeze({ values: this.values, labels: Object.freeze(Object.fromEntries(this.labels)) });
    const names = Object.keys(this.values).sort((a, b) => this.values[a]! - this.values[b]!);
    this.ordered = Object.freeze(names.map((name) => Object.freeze({ name, value: this.values[name]! })));
    const builtIn = Object.keys(DEFAULT_LEVELS);
    this.builtInOnly =
      names.length === builtIn.length && builtIn.every((name) => this.values[name] === DEFAULT_LEVELS[name]);
  }

  /** Names ordered by value, the order level methods are created in. */
  names(): string[] {
    return this.ordered.map((level) => level.name);
  }

  has(name: string): boolean {
    return name === 'silent' || Object.hasOwn(this.values, name);
  }

  /**
   * Resolves a name or number to a numeric threshold; throws a RangeError for unknown names.
   * `own`: a child's own customLevels, names of that logger only (as pino's: its parent and
   * siblings do not know them).
   */
  value(level: LevelInput, own: Readonly<Record<string, number>> = NO_LEVELS): number {
    if (typeof level === 'number') {
      if (Number.isFinite(level) || level === SILENT) return level;
      throw new RangeError(`invalid level number ${level}`);
    }
    if (level === 'silent') return SILENT;
    const v = Object.hasOwn(this.values, level)
      ? this.values[level]
      : Object.hasOwn(own, level)
        ? own[level]
        : undefined;
    if (v === undefined) {
      const known = [...this.names(), ...Object.keys(own), 'silent'];
      throw new RangeError(`unknown level "${level}" (known: ${known.join(', ')})`);
    }
    return v;
  }

  /** The number of a level name a line read back carries: the table's, or one a child brought (see learn). */
  readBack(name: string): number | undefined {
    if (name === 'silent') return undefined;
    return Object.hasOwn(this.values, name) ? this.values[name] : this.learned.get(name);
  }

  /**
   * The number of a built-in level for the logger's own records (drop summaries, uncaught
   * errors), which exist even where only custom levels are names (a custom level may renumber it).
   */
  builtin(name: LevelName): number {
    return Object.hasOwn(this.values, name) ? this.values[name]! : DEFAULT_LEVELS[name]!;
  }

  /**
   * A child's own customLevels, known from now on to every logger of the tree: their names
   * label their numbers in lines, and a line read back (a spool, a record that waited as its
   * line) names its level by them. False when a name or number is already another's (a
   * sibling's `audit: 47` beside `audit: 45`): that child's lines then need a table of their own.
   */
  learn(extra: Readonly<Record<string, number>>): boolean {
    // Names made from data (`audit_${tenant}`) must not grow the tree for the process's life:
    // past the bound a child's levels stay its own table's, which goes with the child.
    if (this.learned.size >= MAX_LEARNED) return false;
    let shared = true;
    for (const [name, value] of Object.entries(extra)) {
      const known = this.readBack(name);
      const label = this.labels.get(value);
      // What is free is learned even when the rest is not: a number no name labels is read
      // back by this one, a name no number has reads back as this number.
      if (label === undefined) this.labels.set(value, name);
      if (known === undefined) this.learned.set(name, value);
      if ((known ?? value) !== value || (label ?? name) !== name) shared = false;
    }
    return shared;
  }

  /**
   * This table and a child's own customLevels (pino's child levels): a name of the child's is
   * the label of its number, over the table's own for the same number, as a custom level's is.
   */
  with(extra: Readonly<Record<string, number>>): LevelTable {
    // Every name given as custom keeps the table's order of labels: built-in first, then custom, then the child's.
    return new LevelTable({ ...this.values, ...extra }, true);
  }

  /** Every number a name labels: the table's levels and those children brought (see learn). */
  numbers(): number[] {
    return [...this.labels.keys()];
  }

  /**
   * The name a logger knows a number by (its `level`): the table's own, or one of the
   * logger's `own` levels, else `level<n>`; never a name another child brought, which this
   * logger would refuse as a level to set (its saved `level` could not be put back).
   */
  nameFor(value: number, own: Readonly<Record<string, number>> = NO_LEVELS): string {
    if (value === SILENT) return 'silent';
    const label = this.mapping.labels[value];
    if (label !== undefined) return label;
    for (const name of Object.keys(own)) if (own[name] === value) return name;
    return `level${value}`;
  }

  label(value: number): string {
    if (value === SILENT) return 'silent';
    return this.labels.get(value) ?? `level${value}`;
  }
}
