import type { ConfigError } from '../index.js';
import { shown } from './terminal.js';

/** Every problem of a ConfigError, each as `path: expected`. */
export function issuesOf(error: ConfigError): string[] {
  const issues = error.issues.length > 0 ? error.issues : [{ path: error.path, expected: error.expected }];
  return issues.map((issue) => `${issue.path ? `${issue.path}: ` : ''}${issue.expected}`);
}

/**
 * `<what>: N problems`, then one problem a line. A message of several lines (a module's require
 * stack) stays inside its problem: its lines indented below it, each shown safely, so a line
 * break in a key forges no problem of its own.
 */
export function problemsText(what: string, lines: readonly string[]): string {
  let out = `${what}: ${lines.length} problem${lines.length === 1 ? '' : 's'}\n`;
  for (const line of lines) out += `  ${line.split('\n').map(shown).join('\n    ')}\n`;
  return out;
}
