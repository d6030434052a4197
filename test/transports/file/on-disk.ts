import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The `i` of every line in the folder's `app.*.log` files: rotated files first (oldest first), then app.log. */
export function onDisk(dir: string): number[] {
  const order = (name: string) => (name === 'app.log' ? Number.POSITIVE_INFINITY : Number(name.split('.')[1]));
  return readdirSync(dir)
    .filter((name) => name.startsWith('app.') && name.endsWith('.log'))
    .sort((a, b) => order(a) - order(b))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean))
    .map((line) => (JSON.parse(line) as { i: number }).i);
}

/** 0, 1, …, n − 1. */
export const upTo = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
