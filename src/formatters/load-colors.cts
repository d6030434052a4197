/*
 * picocolors is loaded when a pretty formatter is made, not when the package is imported.
 * CommonJS in both builds (.cts → .cjs), so `require` works from the ESM build too.
 */
import type * as Picocolors from 'picocolors';

export type Colors = ReturnType<typeof Picocolors.createColors>;

export function createColors(enabled: boolean): Colors {
  return (require('picocolors') as typeof Picocolors).createColors(enabled);
}
