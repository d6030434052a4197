import { formatPath } from './errors.js';

/*
 * Finds where a JSON text stops being valid, as line and column (1-based). JSON.parse on
 * Node 20 does not always say where; this small scanner follows the grammar just far
 * enough to point at the first offending character. With `duplicates`, a key given twice
 * in one object is such a place too.
 */

export interface JsonLocation {
  line: number;
  column: number;
  problem: string;
  /** The place is a key given twice (asked for with `duplicates`), not a syntax error. */
  duplicate?: boolean;
}

/** Deeper than a config may be (expandEnv refuses past 100): the scanner stops there, short of the stack's end. */
const MAX_NESTING = 1000;

export function locateJsonError(text: string, options: { duplicates?: boolean } = {}): JsonLocation | undefined {
  let i = 0;
  let depth = 0;
  /** Where the scanner is, as keys and indexes: a duplicate key names its object. */
  const path: PropertyKey[] = [];
  const at = (problem: string): never => {
    throw Object.assign(new Error(problem), { offset: i });
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else at(`unexpected ${describe(text[i])}`);
  };
  const string = (): void => {
    i++;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) at('invalid \\u escape');
          i += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else at('invalid escape in string');
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) at('control character in string (escape it)');
      i++;
    }
    at('unterminated string');
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) at(`unexpected ${describe(text[i])}`);
    i += match![0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    const parse: Record<string, () => void> = {
      '{': object,
      '[': array,
      '"': string,
      t: () => literal('true'),
      f: () => literal('false'),
      n: () => literal('null'),
    };
    const next =
      ch === undefined ? undefined : (parse[ch] ?? (ch === '-' || (ch >= '0' && ch <= '9') ? number : undefined));
    if (next !== undefined) {
      if (depth === MAX_NESTING && (ch === '{' || ch === '[')) at(`nested more than ${MAX_NESTING} levels deep`);
      depth++;
      next();
      depth--;
      return;
    }
    at(ch === undefined ? 'unexpected end of input' : `unexpected ${describe(ch)}: expected a value`);
  };
  const object = (): void => {
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      return;
    }
    const keys = new Set<string>();
    for (;;) {
      ws();
      if (text[i] !== '"')
        at(
          text[i] === '}'
            ? 'trailing comma before "}"'
            : `expected a "quoted" property name, found ${describe(text[i])}`,
        );
      const start = i;
      string();
      if (options.duplicates) {
        const key = JSON.parse(text.slice(start, i)) as string;
        if (keys.has(key)) {
          i = start;
          const where = path.length > 0 ? ` in ${formatPath(path)}` : '';
          throw Object.assign(new Error(`duplicate key ${JSON.stringify(key)}${where} (JSON keeps only the last)`), {
            offset: i,
            duplicate: true,
          });
        }
        keys.add(key);
        path.push(key);
      }
      ws();
      if (text[i] !== ':') at(`expected ":" after property name, found ${describe(text[i])}`);
      i++;
      value();
      if (options.duplicates) path.pop();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      at(`expected "," or "}" after property value, found ${describe(text[i])}`);
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (let index = 0; ; index++) {
      path.push(index);
      value();
      path.pop();
      ws();
      if (text[i] === ',') {
        i++;
        ws();
        if (text[i] === ']') at('trailing comma before "]"');
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      at(`expected "," or "]" after array item, found ${describe(text[i])}`);
    }
  };
  try {
    value();
    ws();
    if (i < text.length) at(`unexpected ${describe(text[i])} after the end of the document`);
    return undefined;
  } catch (error) {
    const offset = (error as { offset?: number }).offset ?? i;
    const before = text.slice(0, offset).split('\n');
    const { message, duplicate } = error as Error & { duplicate?: boolean };
    return { line: before.length, column: before[before.length - 1]!.length + 1, problem: message, duplicate };
  }
}

function describe(ch: string | undefined): string {
  return ch === undefined ? 'end of input' : JSON.stringify(ch);
}
