/** Thrown for every invalid configuration; `path` is the JSON path of the offending value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly path: string;
  readonly expected: string;
  /** Every problem found, the first of which is `path`/`expected`. */
  readonly issues: { path: string; expected: string }[];

  constructor(
    path: string,
    expected: string,
    options?: { cause?: unknown; issues?: { path: string; expected: string }[] },
  ) {
    super(path ? `${path}: ${expected}` : expected, options);
    this.path = path;
    this.expected = expected;
    this.issues = options?.issues ?? [{ path, expected }];
  }
}

/** Formats a zod-style path (['transports', 2, 'batch']) as `transports[2].batch`. */
export function formatPath(path: ReadonlyArray<PropertyKey>, prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else {
      const key = String(part);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) out += out ? `.${key}` : key;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

/** Several ConfigErrors as one: the first names the path, `issues` lists them all. */
export function combineProblems(problems: readonly ConfigError[]): ConfigError {
  if (problems.length === 1) return problems[0]!;
  const issues = problems.flatMap((p) => p.issues);
  const [first, ...rest] = issues;
  const more = rest.map((p) => `\n  ${p.path}: ${p.expected}`).join('');
  return new ConfigError(first!.path, first!.expected + more, { issues });
}
