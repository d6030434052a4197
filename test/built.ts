import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Tests that run the package in child processes use the build; `npm test` builds first. */
export const DIST_ESM = fileURLToPath(new URL('../dist/esm/index.js', import.meta.url));
export const DIST_CJS = fileURLToPath(new URL('../dist/cjs/index.js', import.meta.url));
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export function requireBuild(): void {
  if (!existsSync(DIST_ESM) || !existsSync(DIST_CJS)) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it for you)');
  }
}

/** A child ESM script's first lines: the built library (either build) as `lib`, and `req`, a require. */
export function libraryLines(build: 'esm' | 'cjs'): string[] {
  requireBuild();
  const load = build === 'esm' ? `await import(${JSON.stringify(DIST_ESM)})` : `req(${JSON.stringify(DIST_CJS)})`;
  return [
    "import { createRequire } from 'node:module';",
    'const req = createRequire(import.meta.url);',
    `const lib = ${load};`,
  ];
}

/**
 * Type-checks `files` as a strict TypeScript consumer would (Node ESM resolution, so
 * 'streamlog' resolves through package.json "exports"): the compiler's output, '' when clean.
 */
export function strictTsc(
  files: string[],
  cwd: string,
  more: string[] = [],
  /** Check the packages' .d.ts files too, against ES2020's library (a user's `skipLibCheck: false`). */
  checkLibs = false,
): { output: string; status: number | null } {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
  args.push(
    '--target',
    checkLibs ? 'es2020' : 'es2022',
    ...(checkLibs ? [] : ['--skipLibCheck']),
    '--types',
    'node',
    '--typeRoots',
    join(ROOT, 'node_modules', '@types'),
  );
  const result = spawnSync(process.execPath, [...args, ...more, ...files], { cwd, encoding: 'utf8', timeout: 120_000 });
  return { output: result.stdout + result.stderr, status: result.status };
}

/**
 * Runs an ES module script in a child process (SIGKILLed after `timeoutMs`), after lines that
 * import `createLogger`, `Transport` and `registerTransport` from the build and `z` from zod,
 * and register `stalled`: a transport whose records never settle.
 */
export function runWithStalled(
  script: string,
  nodeFlags: string[] = [],
  timeoutMs = 120_000,
): SpawnSyncReturns<string> {
  requireBuild();
  const head = `
    import { createLogger, Transport, registerTransport, registerHttpPreset } from ${JSON.stringify(DIST_ESM)};
    import { z } from 'zod';
    class Stalled extends Transport { type = 'stalled'; handle() {} }
    registerTransport('stalled', { schema: z.strictObject({}), create: () => new Stalled() });
  `;
  return spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', head + script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
  });
}
