import { afterAll, beforeEach } from 'vitest'

/**
 * For Stryker only (vitest.mutate.config.ts): the mutant under test switched on in the worker
 * threads a test starts too (the tables worker). Stryker switches it on in the test's own thread;
 * a new thread runs the same instrumented code with a fresh global, where Stryker's instrumenter
 * reads the mutant from this variable of the environment the thread copies from its parent.
 */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__'
const stryker = (): { activeMutant?: string; mutantCoverage?: unknown } | undefined =>
  (globalThis as { __stryker__?: { activeMutant?: string; mutantCoverage?: unknown } }).__stryker__

beforeEach(() => {
  const active = stryker()?.activeMutant
  if (active === undefined) delete process.env[ACTIVE_MUTANT]
  else process.env[ACTIVE_MUTANT] = active
})

// A room whose code runs on such a thread (coverage 'all'): this thread sees only part of what
// the tests reach, and Stryker would call the rest uncovered and never test it. Without a
// coverage report, it counts every mutant as reached. (After-hooks run in reverse: this one
// before Stryker's, which reports the coverage.)
if (process.env.MUTATE_COVERAGE === 'all') {
  afterAll(() => {
    const namespace = stryker()
    if (namespace) delete namespace.mutantCoverage
  })
}
