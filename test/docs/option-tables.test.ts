import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../built.js';

// The option tables and the JSON Schema cannot drift apart, either way: every option a table
// names exists in the schema where the table says, and every option the schema knows (the
// logger's, the router's, every entry's common keys and each built-in transport's own) has a
// row in the table a user reads for it. An object option's keys are named in its row (or as
// `rotate.size` rows). Options kept under 0.2's names are listed in the table of renames.

type Node = {
  properties?: Record<string, Node>;
  anyOf?: Node[];
  items?: Node;
  const?: unknown;
  deprecated?: boolean;
};
const schema = JSON.parse(readFileSync(join(ROOT, 'streamlog.schema.json'), 'utf8')) as Node;

interface Table {
  file: string;
  heading: string;
  header: string[];
  rows: string[][];
}

/** The cells of a table line: split at `|`, except inside backticks or escaped as `\|`. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  let code = false;
  for (let i = 1; i < line.length; i++) {
    const c = line[i]!;
    if (c === '`') code = !code;
    if (c === '\\' && line[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (c === '|' && !code) {
      out.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  return out;
}

/** Every table of a doc, with the heading it sits under. */
function tables(file: string): Table[] {
  const found: Table[] = [];
  let heading = '';
  let fence = false;
  let open: Table | undefined;
  for (const line of readFileSync(join(ROOT, file), 'utf8').split('\n')) {
    if (line.startsWith('```')) fence = !fence;
    if (fence) continue;
    const title = /^#{1,6} (.+)$/.exec(line);
    if (title !== null) heading = title[1]!;
    if (!line.startsWith('|')) {
      open = undefined;
      continue;
    }
    if (open === undefined) {
      open = { file, heading, header: cells(line), rows: [] };
      found.push(open);
    } else if (!/^\|[\s|:-]+\|?$/.test(line)) open.rows.push(cells(line));
  }
  return found;
}

const all = ['configuration.md', 'transports.md', 'delivery.md'].flatMap((f) => tables(join('docs', f)));

/** Option names of a row: the backticked names in its first cell (`a`, `a.b`). */
const namesOf = (row: string[]): string[] =>
  [...row[0]!.matchAll(/`([A-Za-z$][\w$]*(?:\.[\w$]+)*)`/g)].map((m) => m[1]!);

/** The properties of a node, through `anyOf` (a size or an object, a name or `{ type, … }`). */
function propertiesOf(node: Node | undefined): Record<string, Node> {
  if (node === undefined) return {};
  return Object.assign({}, ...(node.anyOf ?? []).map(propertiesOf), node.properties);
}

const inForce = (node: Node | undefined): string[] =>
  Object.entries(propertiesOf(node))
    .filter(([, value]) => value.deprecated !== true)
    .map(([key]) => key);

const entries = schema.properties!.transports!.items!.anyOf!;
const entryOf = (type: string): Node => {
  const entry = entries.find((e) => e.properties?.type?.const === type);
  if (entry === undefined) throw new Error(`the schema has no ${type} transport`);
  return entry;
};
/** Keys every entry takes, in the table of its own; the module entry is a plugin's. */
const COMMON = ['type', 'module', 'format', 'level', 'id', 'maxQueue', 'overflow'];
const ownOptions = (type: string): Node => ({
  properties: Object.fromEntries(Object.entries(propertiesOf(entryOf(type))).filter(([k]) => !COMMON.includes(k))),
});

/** Where each built-in transport's own options are. */
const TRANSPORT_TABLES: Record<string, string> = {
  console: 'docs/transports.md # Transports | `console` option',
  memory: 'docs/transports.md # Transports | `memory` option',
  file: 'docs/transports.md # The file transport | option',
  http: 'docs/transports.md # The batch-HTTP transport | option',
  syslog: 'docs/transports.md # The syslog transport | option',
  buffered: 'docs/transports.md # Buffered and validating transports | `buffered` option',
  validating: 'docs/transports.md # Buffered and validating transports | `validating` option',
};

/** Which table documents which part of the schema: its file, its heading and its first header cell. */
const REFERENCE: [where: string, node: Node][] = [
  // `$schema` names the schema for editors (said beside the table), not an option.
  [
    'docs/configuration.md # Configuration | key',
    { properties: Object.fromEntries(Object.entries(schema.properties!).filter(([key]) => key !== '$schema')) },
  ],
  [
    'docs/configuration.md # Configuration | entry key',
    {
      properties: Object.fromEntries(
        COMMON.map((k) => [k, propertiesOf(entries.find((e) => e.properties?.[k] !== undefined))[k]!]),
      ),
    },
  ],
  ['docs/delivery.md # Routing: strategies, health, backpressure | `router` key', schema.properties!.router!],
  ...Object.entries(TRANSPORT_TABLES).map(([type, where]) => [where, ownOptions(type)] as [string, Node]),
];

const placeOf = (t: Table) => `${t.file} # ${t.heading} | ${t.header[0]}`;
const optionTables = all.filter((t) => /^(`\w+` )?(option|key|entry key)$/.test(t.header[0]!));

describe('the option tables and the JSON Schema name the same options', () => {
  it('every option table is one this test knows, and each it knows is there once', () => {
    expect(optionTables.map(placeOf).sort()).toEqual(REFERENCE.map(([where]) => where).sort());
  });

  it('has a table for every built-in transport type', () => {
    const typed = entries.map((e) => e.properties?.type?.const).filter((t) => typeof t === 'string');
    expect(typed.sort()).toEqual(Object.keys(TRANSPORT_TABLES).sort());
  });

  it.each(REFERENCE)('%s', (where, node) => {
    const table = optionTables.find((t) => placeOf(t) === where);
    expect(table, `${where}: no such table`).toBeDefined();
    const rows = table!.rows.map((row) => ({ names: namesOf(row), text: row.join(' ') }));
    const documented = rows.flatMap((r) => r.names);
    const known = propertiesOf(node);

    // Each name in the table is an option there (a dotted one, a key of an object option).
    const unknown = documented.filter((name) => {
      let at: Node | undefined = { properties: known };
      for (const part of name.split('.')) at = propertiesOf(at)[part];
      return at === undefined || at.deprecated === true;
    });
    expect(unknown, `${where}: rows for options the schema does not have`).toEqual([]);

    // Each option in force has a row.
    const missing = inForce(node).filter((key) => !documented.includes(key));
    expect(missing, `${where}: options without a row`).toEqual([]);

    // An object option's keys are named in its row, or have rows of their own (here, or a table: `router`).
    const tabled = (key: string) => REFERENCE.some(([, other]) => other === known[key]);
    const unnamed = inForce(node).flatMap((key) => {
      if (tabled(key)) return [];
      const row = rows.find((r) => r.names.includes(key))!;
      return inForce(known[key])
        .filter((sub) => !documented.includes(`${key}.${sub}`) && !new RegExp(`\\b${sub}\\b`).test(row.text))
        .map((sub) => `${key}.${sub}`);
    });
    expect(unnamed, `${where}: keys of object options their row does not name`).toEqual([]);
  });

  it('every option kept under its 0.2 name is in the table of renames', () => {
    const renames = all.find((t) => t.header[0] === '0.2' && t.header[1] === '0.3');
    expect(renames).toBeDefined();
    const old = renames!.rows.map((row) => row[0]!).join(' ');
    const deprecated = (node: Node | undefined, path: string): string[] =>
      Object.entries(propertiesOf(node)).flatMap(([key, value]) =>
        value.deprecated === true ? [`${path}${key}`] : deprecated(value, `${path}${key}.`),
      );
    const names = [
      ...deprecated(schema.properties!.router, 'router.'),
      ...entries.flatMap((e) => deprecated(e, '')),
    ].map((path) => path.split('.').at(-1)!);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !new RegExp(`\\b${name}\\b`).test(old))).toEqual([]);
  });
});
