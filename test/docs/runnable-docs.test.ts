import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/index.js';
import { ROOT, requireBuild, strictTsc } from '../built.js';
import { type CodeBlock, codeBlocks, docFiles } from './code-blocks.js';

// The docs cannot rot: every code block of README.md and docs/ runs, compiles or is
// validated as what it is, unless it is marked `fragment` (a line of a larger whole, a
// synopsis): JSON configs and transport entries build a logger from a folder of their own,
// NDJSON lines parse, JavaScript runs (importing 'streamlog' as a user would), TypeScript
// compiles under strict settings, and `sh run` blocks run line by line with the command.

const blocks = docFiles(ROOT).flatMap((file) => codeBlocks(ROOT, file));
const runnable = blocks.filter((b) => !b.flags.includes('fragment'));
const name = (b: CodeBlock) => `${b.file}:${b.line} (${b.lang}${b.flags.length ? ` ${b.flags.join(' ')}` : ''})`;

/** Values for `${VAR}` a block names without a default, as a deployment would set them. */
function envFor(code: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [, variable] of code.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)) env[variable!] = `test-${variable}`;
  return env;
}

async function checkJson(block: CodeBlock): Promise<void> {
  const trimmed = block.code.trim();
  if (trimmed.startsWith('{"level"')) {
    for (const line of trimmed.split('\n')) expect(() => JSON.parse(line), line).not.toThrow();
    return;
  }
  const value = JSON.parse(trimmed) as Record<string, unknown>;
  // A whole config, or one transport entry.
  const config = 'type' in value || 'module' in value ? { transports: [value] } : value;
  // From a file in a folder of its own, as a user's config is read: relative paths land there.
  const dir = mkdtempSync(join(tmpdir(), 'streamlog-docs-'));
  const env = envFor(trimmed);
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    const path = join(dir, 'streamlog.json');
    writeFileSync(path, JSON.stringify({ exitFlush: false, ...config }));
    const log = createLogger(path);
    await log.close({ timeoutMs: 2000 });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the docs run as written', () => {
  it('has code blocks to check, and each is of a kind this test knows', () => {
    expect(runnable.length).toBeGreaterThan(10);
    // sql: statements for another system (a ClickHouse table), shown, not run here.
    for (const b of blocks) expect(['json', 'js', 'ts', 'sh', 'sql', 'text', ''], name(b)).toContain(b.lang);
    // A shell block says which it is: lines to run here, or a synopsis / setup not run by this test.
    for (const b of blocks.filter((x) => x.lang === 'sh')) {
      expect(b.flags.includes('run') || b.flags.includes('fragment'), name(b)).toBe(true);
    }
  });

  it.each(runnable.filter((b) => b.lang === 'json').map((b) => [name(b), b] as const))('%s', async (_n, block) => {
    await checkJson(block);
  });

  it.each(runnable.filter((b) => b.lang === 'js').map((b) => [name(b), b] as const))('%s runs', (_n, block) => {
    requireBuild();
    // Inside the package folder, so `import 'streamlog'` resolves to this package (self-reference).
    const dir = join(ROOT, '.tmp', 'docs', `${block.file.replace(/\W/g, '_')}-${block.line}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'block.mjs'), block.code);
    const result = spawnSync(process.execPath, ['block.mjs'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr, name(block)).toBe('');
    expect(result.status, name(block)).toBe(0);
    // A secret a block sends (a header, a cookie) to show redaction never reaches its output.
    if (block.code.includes('not-in-the-log')) expect(result.stdout, name(block)).not.toContain('not-in-the-log');
  });

  it('every TypeScript block compiles under strict settings', () => {
    requireBuild();
    const ts = runnable.filter((b) => b.lang === 'ts');
    const dir = join(ROOT, '.tmp', 'docs-ts');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // .mts: ES modules without a package.json of their own, so 'streamlog' resolves to this package.
    const files = ts.map((b, i) => {
      const file = join(dir, `block-${i}.mts`);
      writeFileSync(file, `// ${name(b)}\n${b.code}\nexport {};\n`);
      return file;
    });
    // The project's own tsconfig.json (rootDir src) must not apply to these files.
    const result = strictTsc(files, dir, ['--ignoreConfig']);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  describe('every TypeScript block, compiled, runs', () => {
    const ts = runnable.filter((b) => b.lang === 'ts');
    const dir = join(ROOT, '.tmp', 'docs-ts-run');
    /** Each block's output, by its name: compiled once, each run in a folder of its own. */
    const ran = new Map<string, SpawnSyncReturns<string>>();
    const run = (block: CodeBlock) => {
      const key = name(block);
      if (ran.size === 0) {
        requireBuild();
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        const files = ts.map((b, i) => {
          const file = join(dir, `block-${i}.mts`);
          writeFileSync(file, `${b.code}\nexport {};\n`);
          return file;
        });
        const out = ['--ignoreConfig', '--noEmit', 'false', '--rootDir', dir, '--outDir', join(dir, 'out')];
        expect(strictTsc(files, dir, out).output).toBe('');
        ts.forEach((b, i) => {
          const cwd = join(dir, `run-${i}`);
          mkdirSync(cwd);
          const script = join(dir, 'out', `block-${i}.mjs`);
          ran.set(name(b), spawnSync(process.execPath, [script], { cwd, encoding: 'utf8', timeout: 20_000 }));
        });
      }
      return ran.get(key)!;
    };

    it.each(ts.map((b) => [name(b), b] as const))('%s', (_n, block) => {
      const result = run(block);
      expect(result.stderr, name(block)).toBe('');
      expect(result.status, name(block)).toBe(0);
    });

    it("README's tour writes what its comments say", () => {
      const tour = ts.find((b) => b.file === 'README.md' && b.code.includes('withContext'));
      expect(tour).toBeDefined();
      const lines = run(tour!)
        .stdout.trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      const msgs = lines.map((l) => l.msg);
      expect(msgs).toContain('hello Ann, you are 41');
      expect(lines.find((l) => l.msg === '[pay] retrying')).toMatchObject({ card: '[Redacted]', reqId: 'r-1' });
      expect(lines.find((l) => l.msg === 'inside')).toMatchObject({ traceId: 't-9' });
      expect(lines.find((l) => l.msg === 'charge failed')).toMatchObject({ orderId: 'o-7', err: { type: 'Error' } });
      expect(msgs).toContain('from elsewhere');
      expect(msgs).toContain('scoped');
    });
  });

  it.each(runnable.filter((b) => b.lang === 'sh' && b.flags.includes('run')).map((b) => [name(b), b] as const))(
    '%s runs line by line',
    (_n, block) => {
      requireBuild();
      const dir = mkdtempSync(join(tmpdir(), 'streamlog-docs-sh-'));
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      writeFileSync(
        join(bin, 'streamlog'),
        `#!/bin/sh\nexec node ${join(ROOT, 'dist', 'esm', 'cli', 'main.js')} "$@"\n`,
      );
      chmodSync(join(bin, 'streamlog'), 0o755);
      try {
        const result = spawnSync('bash', ['-euo', 'pipefail', '-c', block.code], {
          cwd: dir,
          encoding: 'utf8',
          timeout: 30_000,
          env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
        });
        expect(result.stderr, name(block)).toBe('');
        expect(result.status, name(block)).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('the cli page shows what `streamlog check` prints', () => {
  it('its bad.json example, line for line', () => {
    requireBuild();
    // The indented example in a list item: `$ cat bad.json`, the file, `$ streamlog check bad.json`, the output.
    const text = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
    const example = /^( +)\$ cat bad\.json\n\1(.+)\n\1\$ streamlog check bad\.json\n((?:\1.+\n)+?)\1```/m.exec(text);
    expect(example, 'docs/cli.md has the check example').not.toBeNull();
    const [, indent, config, output] = example!;
    const dir = mkdtempSync(join(tmpdir(), 'streamlog-docs-check-'));
    try {
      writeFileSync(join(dir, 'bad.json'), config!);
      const cli = join(ROOT, 'dist', 'esm', 'cli', 'main.js');
      const result = spawnSync(process.execPath, [cli, 'check', 'bad.json'], { cwd: dir, encoding: 'utf8' });
      const shown = output!
        .split('\n')
        .filter(Boolean)
        .map((line) => line.slice(indent!.length));
      const printed = (result.stdout + result.stderr).trim().split('\n');
      // The doc's folder is an example's (/srv/app); the rest is as printed.
      expect(printed.map((line) => line.replace(dir, '/srv/app'))).toEqual(shown);
      expect(result.status).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the README stands on its own', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('names no URL and no host: what it points to is in the repository', () => {
    expect(readme.match(/[a-z][\w+.-]*:\/\/\S*/gi) ?? []).toEqual([]);
    // A dotted name ending in a top-level domain is a host (a registry's, a site's).
    expect(readme.match(/\b[\w-]+(\.[\w-]+)*\.(com|org|net|io|dev|app|sh|co)\b/gi) ?? []).toEqual([]);
  });

  it('every repository path it names in backticks exists (the output folder of the demo aside)', () => {
    const paths = [...readme.matchAll(/`((?:examples|test|src|bench|scripts|docs)\/[^`\s]*)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(0);
    const gitignored = readFileSync(join(ROOT, '.gitignore'), 'utf8').split('\n').filter(Boolean);
    expect(paths.filter((p) => !existsSync(join(ROOT, p)) && !gitignored.includes(p))).toEqual([]);
  });

  it('the Quick start runs npm scripts the package has', () => {
    const scripts = Object.keys(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts,
    );
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## A five-minute tour'));
    const named = [...quick.matchAll(/npm run (\w[\w:-]*)/g)].map((m) => m[1]!);
    expect(named).toContain('demo');
    expect(quick).toContain('npm test');
    expect(named.filter((script) => !scripts.includes(script))).toEqual([]);
  });
});

describe('the docs link only to what the repository holds', () => {
  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
  const slug = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^\w\- ]/g, '')
      .replace(/ /g, '-');

  it.each(docFiles(ROOT))('%s: every relative link names a file and heading that exist', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const here = dirname(join(ROOT, file));
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      expect(target!, `${file} links outside the repository`).not.toMatch(/^[a-z]+:/);
      const [path, anchor] = target!.split('#');
      const linked = path ? join(here, path) : join(ROOT, file);
      expect(existsSync(linked), `${file}: ${target} names no file`).toBe(true);
      if (anchor !== undefined && linked.endsWith('.md')) {
        const headings = [...readFileSync(linked, 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!));
        expect(headings, `${file}: ${target} names no heading`).toContain(anchor);
      }
    }
  });
});
