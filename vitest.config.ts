import solid from 'vite-plugin-solid';
import { defineConfig } from 'vitest/config';

// Vitest 5 reports failures with Map.groupBy, which Node 20 lacks (it arrived in Node 21): without
// this, a failing test crashes the reporter instead of being shown.
if (typeof (Map as { groupBy?: unknown }).groupBy !== 'function') {
  Object.defineProperty(Map, 'groupBy', {
    value<T, K>(items: Iterable<T>, keyOf: (item: T, index: number) => K): Map<K, T[]> {
      const groups = new Map<K, T[]>();
      let index = 0;
      for (const item of items) {
        const key = keyOf(item, index++);
        const group = groups.get(key);
        if (group) group.push(item);
        else groups.set(key, [item]);
      }
      return groups;
    },
  });
}

// One config, four projects: `pnpm test` runs unit + integration + web; `pnpm test:e2e` runs e2e.
// Tests use real databases (PGlite by default; PostgreSQL when TEST_DATABASE_URL is set) and a
// real fake-upstream HTTP server, so they get generous timeouts.
// Workspace packages resolve to their TypeScript sources through this export condition.
const sourceCondition = '@llm-council/source';

export default defineConfig({
  resolve: { conditions: [sourceCondition] },
  ssr: { resolve: { conditions: [sourceCondition] } },
  test: {
    // Builds the migrated PGlite template once per run for every file's test database.
    globalSetup: ['./db/src/test-global-setup.ts'],
    // PGlite is a 9 MB WebAssembly module that every test file instantiates. V8's optimising tier
    // recompiles it in the background of each worker, which costs more CPU than the faster code
    // saves in a test file's lifetime; its baseline compiler alone halves the CPU a file spends.
    execArgv: ['--liftoff-only'],
    // Vitest's default on 2 cores is one worker (cores − 1), which leaves a core idle whenever a
    // file waits on a child process, the fake upstream or a timer. Two workers: the whole
    // `pnpm test` 356 s → 300 s wall under a heavier load, every test passing (docs/benchmarks.md).
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['db/src/**/*.test.ts', 'packages/*/src/**/*.test.ts'],
          // One module graph per worker instead of one per file: importing the API's graph anew cost
          // about a fifth of every unit file's time. Nothing here depends on fresh module state: each
          // test builds its own database, services and config, and process-wide settings (the hash
          // profile) are set by whatever a test starts. 87 s of CPU before, 54 s after (measured).
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['apps/server/test/**/*.test.ts'],
          // The CLI bundle the CLI tests run and the users:* CLI's, built once per run.
          globalSetup: [
            './apps/server/test/helpers/build-cli.global-setup.ts',
            './apps/server/test/helpers/build-users-cli.global-setup.ts',
          ],
          // One module graph per worker, as in the unit project: each file imported the server's whole
          // graph anew (a third of a light file's time) and recompiled PGlite's WebAssembly (PGlite
          // caches the compiled module per module instance). 20 light files: 48.5 s of CPU → 24.2 s.
          // Process-wide settings are set by every server a test starts (createServices); the
          // timing equaliser's dummy hash follows the hash profile in force.
          isolate: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // No hot-reload code in tests: it imports solid-js from the repo root, where it is not installed.
        plugins: [solid({ hot: false })],
        resolve: { conditions: [sourceCondition, 'development', 'browser'] },
        test: {
          name: 'web',
          environment: 'jsdom',
          // One jsdom and one module graph per worker instead of per file: building the page for each
          // of 32 files was 41% of the project's time. testing/setup.ts empties the page, storage and
          // address after every test. 45 s before, 12–14 s after, three runs in a row (measured).
          // A file that leaves module state behind (a timer, a cache) must reset it in its own teardown.
          isolate: false,
          include: ['apps/web/src/**/*.test.{ts,tsx}'],
          setupFiles: ['apps/web/src/testing/setup.ts'],
          testTimeout: 30_000,
          // The router ships .jsx: let Vite (and the Solid plugin) transform it.
          server: { deps: { inline: [/@solidjs\/router/] } },
        },
      },
      {
        // `pnpm test:faults`: database restarts, killed hosts, shutdown under load. Slow, one file at a time.
        test: {
          name: 'faults',
          environment: 'node',
          include: ['apps/server/faults/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          environment: 'node',
          include: ['apps/web/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
