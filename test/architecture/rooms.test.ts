import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../built.js';

/** The core's rooms, lowest first: a room may import its own files and the rooms before it. */
const CORE_ORDER = ['util', 'io', 'record', 'plugin', 'routing', 'logger', 'config'];
/** What plugins (built-in transports and formatters) may use of the core. */
const PLUGIN_VISIBLE = new Set(['util', 'io', 'record', 'plugin']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The room of a source file: `core/record`, `transports`, `formatters`, `cli` or `api`. */
function roomOf(file: string): string {
  const parts = relative(join(ROOT, 'src'), file).split('/');
  if (parts[0] === 'core') return `core/${parts[1]}`;
  if (parts.length === 1) return 'api';
  return parts[0]!;
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]!);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** Why `from` may not import `to`, or undefined when it may. */
function violation(from: string, to: string): string | undefined {
  if (from === to) return undefined;
  if (from.startsWith('core/')) {
    if (!to.startsWith('core/')) return 'the core imports no transport, formatter, cli or entry point';
    const [a, b] = [CORE_ORDER.indexOf(from.slice(5)), CORE_ORDER.indexOf(to.slice(5))];
    if (a === -1 || b === -1) return 'every core folder is a room listed in CORE_ORDER';
    return b < a ? undefined : `core rooms import downwards only (${CORE_ORDER.join(' < ')})`;
  }
  if (from === 'transports' || from === 'formatters') {
    if (to.startsWith('core/')) {
      return PLUGIN_VISIBLE.has(to.slice(5)) ? undefined : 'plugins see only util, io, record, plugin';
    }
    if (from === 'formatters' && to === 'transports') return 'formatters never import transports';
    return to === 'api' || to === 'cli' ? 'plugins never import the entry point or the cli' : undefined;
  }
  if (from === 'cli') return to === 'api' ? undefined : 'the cli uses the public API only';
  return undefined;
}

describe('the rooms', () => {
  const sources = filesUnder(join(ROOT, 'src'));

  it('imports run one way: cli → index → core, plugins → the plugin-facing core rooms', () => {
    const broken: string[] = [];
    for (const file of sources) {
      for (const target of relativeImports(file)) {
        const why = violation(roomOf(file), roomOf(target));
        if (why) broken.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}: ${why}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the check itself catches a wrong-way import', () => {
    expect(violation('core/record', 'core/routing')).toMatch(/downwards/);
    expect(violation('core/routing', 'transports')).toMatch(/core imports no transport/);
    expect(violation('formatters', 'transports')).toMatch(/formatters never import transports/);
    expect(violation('transports', 'core/routing')).toMatch(/plugins see only/);
    expect(violation('core/config', 'core/record')).toBeUndefined();
  });

  it('no line over 120 characters, no empty section header', () => {
    const problems: string[] = [];
    for (const file of [...sources, ...filesUnder(join(ROOT, 'test'))]) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        const where = `${relative(ROOT, file)}:${i + 1}`;
        if (line.length > 120) problems.push(`${where}: ${line.length} characters`);
        const next = lines.slice(i + 1).find((l) => l.trim() !== '');
        if (/^\s*\/\/\s*-{2,}/.test(line) && (next === undefined || /^\s*(\/\/\s*-{2,}|\})/.test(next))) {
          problems.push(`${where}: a section header with nothing under it`);
        }
      });
    }
    expect(problems).toEqual([]);
  });
});
