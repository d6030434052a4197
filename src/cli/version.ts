import { readFileSync } from 'node:fs';

/** From the package.json two folders above the build (dist/esm/cli → the package root). */
export const VERSION: string = (() => {
  try {
    const file = new URL('../../../package.json', import.meta.url);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
