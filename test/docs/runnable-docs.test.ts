import { spawnSync } from 'node:child_process';
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
