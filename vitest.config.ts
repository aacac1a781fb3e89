import { availableParallelism } from 'node:os'
import path from 'node:path'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

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
  'test/clari/bound-under-gc.*.test.ts'
]

/**
 * The test files that take longest, longest first within each project (prefixes: both runtimes'
 * files). Vitest starts the files it has timed before longest first, and the others largest
 * first, so on a fresh clone (CI, .ci/run) the two-line per-runtime files, and unit files short in
 * bytes but long in CPU (fault-matrix is the 68th largest of 86 and the 4th longest), would start
 * last and the run would wait for them at the end, one core idle: these start first instead. A
 * file not named here needs no entry.
 */
const LONGEST = [
  // processes
  'test/e2e/rerun',
  'test/e2e/artifact.',
  'test/e2e/ledger.',
  'test/cli/cli.',
  'test/e2e/tables-duckdb.',
  'test/e2e/bundle.',
  'test/action/github-artifacts.',
  // unit
  'test/engine/tables/write-tables.',
  'test/engine/tables/worker-tables.',
  'test/engine/run/concurrency.',
  'test/faults/fault-matrix.',
  'test/simulators/clari.',
  'test/engine/reruns/resume.',
  'test/faults/soak.',
  'test/engine/run/run-export.'
]

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const { cache, config } = this.ctx
    const rank = (spec: TestSpecification): number => {
      const file = path.relative(config.root, spec.moduleId).split(path.sep).join('/')
      // Vitest's own key for what it recorded of a file's last run: its order stands then.
      if (cache.getFileTestResults(`${spec.project.name}:${file}`)) return LONGEST.length
      const at = LONGEST.findIndex(prefix => file.startsWith(prefix))
      return at === -1 ? LONGEST.length : at
    }
    const sorted = await super.sort(files)
    // A stable sort: the groups stay in their order, each group's files in Vitest's otherwise.
    const group = (spec: TestSpecification): number => spec.project.config.sequence.groupOrder
    return sorted
      .map(spec => ({ spec, group: group(spec), rank: rank(spec) }))
      .sort((a, b) => a.group - b.group || a.rank - b.rank)
      .map(({ spec }) => spec)
  }
}

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Simulators bind random loopback ports; keep proxies out of the way.
    env: { NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
    sequence: { sequencer: LongestFirst },
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
          // Child processes, not threads: the files start processes and signal them. A worker
          // runs one file after another in one module graph (isolate: false): a fork per file
          // loaded Vitest's runner and the simulators (openapi-backend) anew, about 2 CPU s a
          // file (the project: 210 CPU s then, 176 now, 2026-12-07). Each file still stops what
          // it starts and restores the process.env it changed (its hooks do, also on failure).
          // Eight files at a time even on two cores: they spend most of their time waiting, on
          // status polls a second apart in real time and on the processes they start (with a
          // fork per file, on two idle cores, 2026-12-07: 143 s with four, 110 s with six, 100 s
          // with eight, where the CPU is nearly all used).
          pool: 'forks',
          isolate: false,
          maxWorkers: Math.max(8, availableParallelism()),
          sequence: { groupOrder: 1 },
          // A hang guard only: each process these tests start has a tighter one of its own (a
          // bundle run is killed after 20 s, a re-run's attempt or the CLI after 30 s), and a
          // test that starts two of them, on a machine busy with other work, must not be
          // stopped while both still progress.
          testTimeout: 60_000,
          globalSetup: ['test/helpers/bundles.ts'],
          setupFiles: ['test/helpers/bundles-setup.ts']
        }
      }
    ]
  }
})
