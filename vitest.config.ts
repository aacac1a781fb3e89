import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'

/**
 * The tests that start other processes: the bundle and the CLI run as a user runs them, and the
 * action and workflow validators as `npm run lint` runs them. `npm test` runs them with the rest;
 * `npm run test:unit` (the fast inner loop) leaves them out. Their global set-up makes sure the bundles they run are built from the current
 * source (test/helpers/bundles.ts).
 */
const PROCESS_TESTS = [
  'test/e2e/**/*.test.ts',
  'test/cli/cli.test.ts',
  'test/lint/validate-actions.test.ts',
  'test/action/github-artifacts.test.ts',
  // @actions/cache runs tar and zstd.
  'test/simulators/cache-service.test.ts',
  'test/clari/bound-under-gc.test.ts'
]

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Simulators bind random loopback ports; keep proxies out of the way.
    env: { NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: PROCESS_TESTS,
          // In-process tests share one module graph per worker thread instead of loading it
          // anew for each file, which takes a third less CPU; each file still has its own module
          // scope and process.env copy. Much of their time is spent waiting on loopback sockets,
          // so they run at least two files at a time (Vitest's default is one per core but one).
          pool: 'threads',
          isolate: false,
          maxWorkers: Math.max(2, availableParallelism()),
          // `npm test` runs the groups one after the other, the fast one first.
          sequence: { groupOrder: 0 }
        }
      },
      {
        extends: true,
        test: {
          name: 'processes',
          include: PROCESS_TESTS,
          sequence: { groupOrder: 1 },
          globalSetup: ['test/helpers/bundles.ts'],
          setupFiles: ['test/helpers/bundles-setup.ts']
        }
      }
    ]
  }
})
