import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../built.js';

// The configuration reference cannot drift from the schemas: every option the JSON Schema
// knows (top level, router, each transport type) is named in the docs, and every transport
// type has a section that names its options.

type Node = { properties?: Record<string, Node>; anyOf?: Node[]; items?: Node; const?: unknown; deprecated?: boolean };
const schema = JSON.parse(readFileSync(join(ROOT, 'streamlog.schema.json'), 'utf8')) as Node;
const docs = ['configuration.md', 'transports.md', 'delivery.md']
  .map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'))
  .join('\n');

/** Option names in force (deprecated ones are listed in their own table). */
const optionsOf = (node: Node | undefined): string[] =>
  Object.entries(node?.properties ?? {})
    .filter(([, value]) => value.deprecated !== true)
    .map(([key]) => key);

describe('the configuration reference names every option of the schema', () => {
  it('top-level options and the router’s', () => {
    const missing = [...optionsOf(schema), ...optionsOf(schema.properties?.router)]
      .filter((key) => key !== '$schema')
      .filter((key) => !docs.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });

  const entries = schema.properties?.transports?.items?.anyOf ?? [];
  const typed = entries.filter((entry) => typeof entry.properties?.type?.const === 'string');
  it('knows the transport types', () => {
    expect(typed.map((entry) => entry.properties!.type!.const).sort()).toEqual(
      expect.arrayContaining(['buffered', 'console', 'file', 'http', 'memory', 'syslog', 'validating']),
    );
  });

  it.each(typed.map((entry) => [entry.properties!.type!.const as string, entry] as const))(
    'the %s transport’s options',
    (_type, entry) => {
      const missing = optionsOf(entry).filter((key) => !docs.includes(`\`${key}\``));
      expect(missing).toEqual([]);
    },
  );
});
