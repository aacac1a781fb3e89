import type * as Github from '@actions/github'
import { currentRun, type FakeContext } from './state.js'

const FAKED: readonly (keyof FakeContext)[] = ['eventName', 'runId', 'runAttempt', 'serverUrl']

/**
 * `@actions/github` as far as the action uses it: the current run's `context`. Reading any other
 * field of it fails loudly, so a new use has to be added to FakeContext first.
 */
export function fakeGithub(): Pick<typeof Github, 'context'> {
  const context = new Proxy({} as typeof Github.context, {
    get(_target, property) {
      if (!FAKED.includes(property as keyof FakeContext)) {
        throw new Error(`github.context.${String(property)} is not faked (test/action/toolkit/)`)
      }
      return currentRun().context[property as keyof FakeContext]
    }
  })
  return { context }
}
