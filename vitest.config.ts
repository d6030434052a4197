import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // src/transports/validating/load-ajv.cts is TypeScript too (CommonJS in both builds).
  oxc: { include: /\.(m?ts|cts|[jt]sx)$/ },
  resolve: {
    // src/load-lazy.cts requires the compiled files beside it; tests of the source import the TypeScript.
    alias: [
      {
        find: /^\.\/load-lazy\.cjs$/,
        replacement: fileURLToPath(new URL('test/setup/load-lazy-eager.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The build is run as Node runs it (its ESM entries import the CommonJS build).
    server: { deps: { external: [/[\\/]dist[\\/]/] } },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // A temp folder for the run (removed at its end); a ClickHouse (where one is installed and none
    // runs) and an rsyslogd (where installed).
    globalSetup: ['test/setup/temp-folder.ts', 'test/setup/clickhouse.ts', 'test/setup/rsyslog.ts'],
    // The JSON report is what .ci/run reads to print its "N passed, N failed" line.
    reporters: ['default', 'json'],
    outputFile: { json: '.tmp/test-results.json' },
  },
});
