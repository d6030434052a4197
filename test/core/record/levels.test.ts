import { describe, expect, it } from 'vitest';
import { LevelTable, SILENT } from '../../../src/core/record/levels.js';

describe('LevelTable', () => {
  it('knows the pino levels and silent', () => {
    const table = new LevelTable();
    expect(table.value('trace')).toBe(10);
    expect(table.value('fatal')).toBe(60);
    expect(table.value('silent')).toBe(SILENT);
    expect(table.label(40)).toBe('warn');
    expect(table.names()).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
  });

  it('adds custom levels in value order', () => {
    const table = new LevelTable({ audit: 35, verbose: 15 });
    expect(table.names()).toEqual(['trace', 'verbose', 'debug', 'info', 'audit', 'warn', 'error', 'fatal']);
    expect(table.label(35)).toBe('audit');
  });

  it('rejects unknown names with the known ones listed', () => {
    expect(() => new LevelTable().value('verbose')).toThrow(
      /unknown level "verbose" \(known: trace, debug, info, warn, error, fatal, silent\)/,
    );
  });

  it('labels unknown numbers predictably', () => {
    expect(new LevelTable().label(33)).toBe('level33');
  });
});
