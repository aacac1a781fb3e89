import { beforeEach } from 'vitest'

/**
 * For Stryker only (vitest.mutate.config.ts): the mutant under test switched on in the worker
 * threads a test starts too (the tables worker). Stryker switches it on in the test's own thread;
 * a new thread runs the same instrumented code with a fresh global, where Stryker's instrumenter
 * reads the mutant from this variable of the environment the thread copies from its parent.
 */
const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__'

beforeEach(() => {
  const stryker = (globalThis as { __stryker__?: { activeMutant?: string } }).__stryker__
  const active = stryker?.activeMutant
  if (active === undefined) delete process.env[ACTIVE_MUTANT]
  else process.env[ACTIVE_MUTANT] = active
})
