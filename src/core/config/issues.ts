import type { z } from 'zod';
import { closest } from '../util/closest.js';
import { NO, parseFast } from '../util/lazy-schema.js';
import { ConfigError, formatPath } from './errors.js';

type Issue = z.core.$ZodIssue;

/** What a minimum counts, by the kind of value it applies to. */
const UNIT_OF: Record<string, string> = { string: ' character(s)', array: ' item(s)' };

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

interface SchemaDef {
  type?: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  element?: unknown;
  in?: unknown;
}

function defOf(schema: unknown): SchemaDef | undefined {
  return (schema as { _zod?: { def?: SchemaDef } } | undefined)?._zod?.def;
}

/** The keys an object schema allows at `path`, when the schema tells; for "did you mean" lists. */
function knownKeysAt(schema: unknown, path: ReadonlyArray<PropertyKey>): string[] | undefined {
  let current: unknown = schema;
  const unwrap = (): void => {
    for (
      let def = defOf(current);
      def && ['optional', 'nullable', 'default', 'pipe'].includes(def.type ?? '');
      def = defOf(current)
    ) {
      current = def.type === 'pipe' ? def.in : def.innerType;
    }
  };
  unwrap();
  for (const part of path) {
    const def = defOf(current);
    if (def?.type === 'object' && def.shape && typeof part === 'string') current = def.shape[part];
    else if (def?.type === 'array' && typeof part === 'number') current = def.element;
    else return undefined;
    unwrap();
  }
  const def = defOf(current);
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
}

/** `; did you mean "path"?` when a known name is close to the unknown one, else nothing. */
export function didYouMean(word: string, known: readonly string[] | undefined): string {
  const match = known && closest(word, known);
  return match ? `; did you mean "${match}"?` : '';
}

interface Problem {
  path: ReadonlyArray<PropertyKey>;
  expected: string;
  /** An option the schema does not know: reported first, as it usually explains the rest. */
  unknown?: boolean;
}

function describe(issue: Issue, schema: unknown): Problem[] {
  const path = issue.path as PropertyKey[];
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.message && !issue.message.startsWith('Invalid input')) return [{ path, expected: issue.message }];
      const got = 'input' in issue ? `, got ${typeName(issue.input)}` : '';
      const finite = issue.expected === 'number' && typeof issue.input === 'number' ? 'a finite ' : '';
      return [{ path, expected: `expected ${finite}${issue.expected}${got}` }];
    }
    case 'unrecognized_keys': {
      const known = knownKeysAt(schema, path);
      const hint = known ? ` (known: ${known.join(', ') || 'none'})` : '';
      return issue.keys.map((key) => ({
        path: [...path, key],
        expected: `unknown option "${key}"${hint}${didYouMean(key, known)}`,
        unknown: true,
      }));
    }
    case 'invalid_value':
      return [{ path, expected: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` }];
    case 'too_small':
      return [
        {
          path,
          expected: issue.message.startsWith('Too small')
            ? `expected ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}` +
              (UNIT_OF[issue.origin] ?? '')
            : issue.message,
        },
      ];
    case 'too_big':
      return [
        {
          path,
          expected: issue.message.startsWith('Too big')
            ? `expected ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`
            : issue.message,
        },
      ];
    case 'invalid_key': {
      const inner = issue.issues.map((i) => i.message).join('; ');
      return [{ path, expected: `invalid key: ${inner}` }];
    }
    case 'invalid_union': {
      // Say what each alternative wanted instead of zod's bare "Invalid input".
      if (!issue.message.startsWith('Invalid input')) return [{ path, expected: issue.message }];
      const wanted = issue.errors.map((branch) => branch.map((i) => describe(i, schema)[0]?.expected ?? i.message)[0]);
      const options = [...new Set(wanted.filter((w): w is string => w !== undefined))];
      return [{ path, expected: options.length > 0 ? options.join(', or ') : 'expected a valid value' }];
    }
    default:
      return [{ path, expected: issue.message.startsWith('Invalid input') ? 'expected a valid value' : issue.message }];
  }
}

/** Turns zod issues into one ConfigError naming each path (`prefix` places nested schemas). */
export function issuesToConfigError(issues: readonly Issue[], schema: unknown, prefix = ''): ConfigError {
  const described = issues.flatMap((issue) => describe(issue, schema));
  // A typo ("pth") also makes a required option ("path") missing: name the typo first.
  const problems = [...described.filter((p) => p.unknown), ...described.filter((p) => !p.unknown)].map((p) => ({
    path: formatPath(p.path, prefix),
    expected: p.expected,
  }));
  const [first, ...rest] = problems;
  if (!first) return new ConfigError(prefix, 'invalid configuration');
  const more = rest.length ? `\n${rest.map((p) => `  ${p.path}: ${p.expected}`).join('\n')}` : '';
  return new ConfigError(first.path, first.expected + more, { issues: problems });
}

/** safeParse with errors turned into ConfigError; the schema's plain check first, when it has one. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const fast = parseFast(schema, value);
  if (fast !== NO) return fast as z.output<S>;
  let result: z.ZodSafeParseResult<z.output<S>>;
  try {
    result = schema.safeParse(value, { reportInput: true }) as z.ZodSafeParseResult<z.output<S>>;
  } catch (error) {
    // A plugin's own schema (a refine, a transform) that throws is still a config problem.
    throw new ConfigError(prefix, `the option schema threw while checking this entry: ${String(error)}`, {
      cause: error,
    });
  }
  if (!result.success) throw issuesToConfigError(result.error.issues, schema, prefix);
  return result.data;
}
