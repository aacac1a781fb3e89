/**
 * Mutation testing, one room at a time (`npm run mutate -- <room>`, scripts/mutate.mjs): small
 * bugs are planted in the room's code, one at a time, and the room's own unit tests must notice.
 * A room's tests, not the whole suite: a bug in a pure room should be caught where its rule is
 * written, and it keeps each mutant to seconds on two cores. Not part of CI.
 */

// The run room's tests: they also drive the job room's code (a period's export) directly.
const RUN_TESTS = 'test/engine/run/**/*.test.ts'
// The fault matrix and cancellation drive a period's job through what only faults reach: a lost
// create adopted from the job list, throttles, a cancel mid-poll. Without them the job room
// measured 49 % (2026-12-07): 142 of its bugs were in code no test of its list ran.
const FAULT_TESTS = ['test/faults/fault-matrix.test.ts', 'test/faults/cancellation.test.ts']
// A re-run's resume, through the run and a period's job: an earlier attempt's periods checked at
// Clari, then reused, asked about again or exported anew.
const RESUME_TESTS = [
  'test/engine/reruns/resume.test.ts',
  'test/engine/reruns/ledger-resume.test.ts'
]

// The tables worker's own code and its side of the file exchange, run only on its thread.
const WORKER_SIDE = ['src/engine/tables/tables-worker.ts', 'src/engine/tables/table-files-host.ts']

/**
 * Each room: the files mutated and the unit test files that must catch their bugs; where
 * Stryker cannot see which test reaches which code, `coverageAnalysis: 'all'` and `related: false`.
 */
export const ROOMS = {
  retry: { mutate: ['src/retry/**/*.ts'], tests: ['test/retry/**/*.test.ts'] },
  // The client's own tests only: a bug in the client should show where the client is tested.
  // The fault matrix and cancellation tests (test/faults) drive it over the simulator too, but
  // with them the room ran over 50 minutes and was not half done on two busy cores.
  clari: { mutate: ['src/clari/**/*.ts'], tests: ['test/clari/**/*.test.ts'] },
  periods: { mutate: ['src/periods/**/*.ts'], tests: ['test/periods/**/*.test.ts'] },
  settings: { mutate: ['src/settings/**/*.ts'], tests: ['test/settings/**/*.test.ts'] },
  base: { mutate: ['src/base/**/*.ts'], tests: ['test/base/**/*.test.ts'] },
  // The engine's root: the vocabulary its rooms share (manifest, outcome, errors, units, …).
  // Its own tests, and those that test its errors, snapshot times, payload files and the lists
  // of accepted values (tables, history, forecast IDs) where the code reading them is tested.
  engine: {
    mutate: ['src/engine/*.ts'],
    tests: [
      'test/engine/*.test.ts',
      'test/engine/job/failure.test.ts',
      'test/engine/job/snapshot-time.test.ts',
      'test/engine/checks/payload-file.test.ts',
      'test/faults/untrusted-names.test.ts',
      'test/settings/parse-settings.test.ts'
    ]
  },
  // The resume tests drive what only a re-run reaches in the run: the earlier attempt's periods
  // reused, asked about again or exported anew (39 of its survivors on 2026-12-07 were there).
  'engine/run': { mutate: ['src/engine/run/**/*.ts'], tests: [RUN_TESTS, ...RESUME_TESTS] },
  // The run's tests drive a period's job (start, wait, download, export-period) over the simulator.
  // The resume tests drive what only a re-run reaches: an earlier attempt's job id checked at
  // Clari before it is polled or downloaded (34 of the 69 bugs without coverage on 2026-12-07 are there).
  'engine/job': {
    mutate: ['src/engine/job/**/*.ts'],
    tests: ['test/engine/job/**/*.test.ts', RUN_TESTS, ...FAULT_TESTS, ...RESUME_TESTS]
  },
  'engine/checks': {
    mutate: ['src/engine/checks/**/*.ts'],
    tests: ['test/engine/checks/**/*.test.ts']
  },
  // history.test.ts runs the learned durations end to end: the job list read into the schedule.
  'engine/history': {
    mutate: ['src/engine/history/**/*.ts'],
    tests: ['test/engine/history/**/*.test.ts', 'test/engine/run/history.test.ts']
  },
  'engine/tables': {
    mutate: ['src/engine/tables/**/*.ts', ...WORKER_SIDE.map(file => `!${file}`)],
    tests: ['test/engine/tables/**/*.test.ts']
  },
  // What runs on the tables worker's thread. Stryker sees no coverage there, so every mutant runs
  // the worker's tests (and no others: none imports the worker); test/helpers/mutant-in-workers.ts
  // switches the mutant on in the thread.
  'engine/tables/worker': {
    mutate: WORKER_SIDE,
    tests: ['test/engine/tables/worker-tables.test.ts'],
    coverageAnalysis: 'all',
    related: false
  },
  // history.test.ts reads earlier runs' durations through the reruns' folder source.
  'engine/reruns': {
    mutate: ['src/engine/reruns/**/*.ts'],
    tests: ['test/engine/reruns/**/*.test.ts', 'test/engine/run/history.test.ts']
  }
}

/** Where a room's reports and incremental file live. */
export function reportsOf(room) {
  return `reports/mutation/${room.replaceAll('/', '-')}`
}

// MUTATE_ROOM names the room (scripts/mutate.mjs sets it); without it, every room in one run.
const name = process.env.MUTATE_ROOM ?? 'all'
const room =
  name === 'all'
    ? {
        mutate: Object.values(ROOMS).flatMap(r => r.mutate),
        tests: [...new Set(Object.values(ROOMS).flatMap(r => r.tests))]
      }
    : ROOMS[name]
if (!room) {
  throw new Error(`MUTATE_ROOM is "${name}": a room of ${Object.keys(ROOMS).join(', ')}`)
}
const reports = reportsOf(name)

// The room's tests reach Vitest through vitest.mutate.config.ts, which reads them from here (each
// test runner process Stryker starts inherits this environment), and not through Stryker's
// `testFiles`: with `testFiles`, Stryker 9.6 switches a mutant in module-level code (a table, a
// constant) on only once its module has loaded (stryker-js#6144), so every such bug would survive.
process.env.MUTATE_TESTS = JSON.stringify(room.tests)
// test/helpers/mutant-in-workers.ts reads it: a room with coverage 'all' reports none.
process.env.MUTATE_COVERAGE = room.coverageAnalysis ?? 'perTest'

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  // index.ts files only re-export.
  mutate: [...room.mutate, '!src/**/index.ts'],
  testRunner: 'vitest',
  // The unit project only (the process tests run the bundle, which no mutant reaches), narrowed
  // to the room's tests; of those, each mutant runs the files that import its module.
  vitest: { configFile: 'vitest.mutate.config.ts', related: room.related ?? true },
  // A mutant the compiler refuses is no bug a user could meet: a type check, not a test run.
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  // Each mutant runs only the tests that reached it in the first (dry) run.
  coverageAnalysis: room.coverageAnalysis ?? 'perTest',
  // The last run's results are reused for every mutant whose code and tests did not change, so
  // a rerun after a new test takes minutes. The file stays on the machine (reports/ is ignored):
  // it holds the text of every mutated and test file and would conflict on every merge.
  incremental: true,
  incrementalFile: `${reports}/incremental.json`,
  // Two cores: one type checker and one Vitest (itself one thread).
  concurrency: 2,
  // Under load a test takes far longer than in the dry run; a mutant that loops forever is
  // still stopped by this bound.
  timeoutFactor: 3,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${reports}/mutation.html` },
  jsonReporter: { fileName: `${reports}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['dist', 'bench/results', 'clari-export', 'coverage', '.tmp']
}
