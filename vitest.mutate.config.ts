import { defineConfig } from 'vitest/config'
import base from './vitest.config.js'

/**
 * The unit project of vitest.config.ts on its own, for Stryker (stryker.config.mjs), narrowed to
 * the room's tests (MUTATE_TESTS, set by stryker.config.mjs). Each test file loads the source
 * anew (`isolate`): a mutant in a module-level table (the retry rules, the inputs table) is
 * switched on before the module loads, so no file may reuse a module another file loaded under a
 * different mutant.
 */
const { projects = [], ...shared } = base.test ?? {}
const unit = projects.find(
  project => typeof project === 'object' && 'test' in project && project.test?.name === 'unit'
)
if (!unit || typeof unit !== 'object' || !('test' in unit)) {
  throw new Error("vitest.config.ts has no project named 'unit'")
}

const room = process.env.MUTATE_TESTS
const include = room === undefined ? unit.test?.include : (JSON.parse(room) as string[])

export default defineConfig({
  test: {
    ...shared,
    ...unit.test,
    include,
    name: undefined,
    isolate: true,
    setupFiles: [unit.test?.setupFiles ?? [], 'test/helpers/mutant-in-workers.ts'].flat()
  }
})
