/*
 * zod is loaded on first use, synchronously, so a logger whose options are checked in plain
 * code never pays for it (it is half the cost of importing the package). This file is
 * CommonJS in both builds (.cts → .cjs): `require` resolves from here in the ESM build too,
 * where `import.meta` would be needed otherwise and the CommonJS build could not compile it.
 * Every schema of the package is made through here, so one copy of zod makes them all.
 */
import type * as Zod from 'zod';

export type ZodModule = typeof Zod;

let loaded: ZodModule | undefined;

export function loadZod(): ZodModule {
  loaded ??= require('zod') as ZodModule;
  return loaded;
}
