import { existsSync } from 'node:fs';
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
