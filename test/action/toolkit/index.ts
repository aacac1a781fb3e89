/**
 * Typed fakes of the `@actions/*` toolkit, in the style of actions/typescript-action's
 * `__fixtures__`: a test file replaces the modules with these (and nothing of ours), then runs the
 * action's real `run()` as one step with `runAction`, against real sockets and files
 * (test/action/run.test.ts shows the three `vi.mock` lines), e.g.
 *
 *   vi.mock(import('@actions/core'), async original =>
 *     (await import('./toolkit/index.js')).fakeCore(await original()))
 *
 * Every toolkit call is recorded in the step it came from (an AsyncLocalStorage), so steps may
 * run concurrently. To fake more of the toolkit, add it to FakeContext, CoreFake or
 * ArtifactAnswers; a use the fakes do not know fails loudly instead of passing unnoticed.
 */
import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import type { CacheAnswers } from './cache.js'
import { asStep, type ArtifactAnswers, type FakeContext, type ToolkitRun } from './state.js'

export { fakeArtifact } from './artifact.js'
export { fakeCache, type CacheAnswers, type CacheEntry } from './cache.js'
export { fakeCore } from './core.js'
export { fakeGithub } from './github.js'
export type { ArtifactAnswers, FakeContext, LogLine, UploadCall } from './state.js'

const actionYml = parse(
  await readFile(new URL('../../../action.yml', import.meta.url), 'utf8')
) as { inputs: Record<string, { default?: unknown }> }

/** What the runner passes for an input the workflow leaves out: its default in action.yml. */
const DEFAULT_INPUTS = Object.fromEntries(
  Object.entries(actionYml.inputs).flatMap(([name, input]) =>
    input.default === undefined ? [] : [[name, String(input.default)]]
  )
)

/** A manually dispatched first attempt on github.com, unless a test says otherwise. */
export const DEFAULT_CONTEXT: FakeContext = {
  eventName: 'workflow_dispatch',
  runId: 16_000_000_001,
  runAttempt: 1,
  serverUrl: 'https://github.com'
}

export interface StepOptions {
  /** The `with:` of the step, by input name. */
  inputs: Record<string, string>
  context?: Partial<FakeContext>
  artifact?: ArtifactAnswers
  cache?: CacheAnswers
}

/** What one step left behind, as the runner and the user would see it. */
export type StepResult = Readonly<
  Pick<ToolkitRun, 'failures' | 'log' | 'summary' | 'uploads' | 'deletes' | 'cacheCalls'> & {
    outputs: Record<string, string>
    /** Everything a user can read: the log (not the masking commands), outputs, summary, error. */
    visibleText: string
  }
>

/** Runs the action's `run()` as one workflow step. A rejection of `run()` rejects this too. */
export async function runAction(
  run: () => Promise<void>,
  options: StepOptions
): Promise<StepResult> {
  const step: ToolkitRun = {
    inputs: { ...DEFAULT_INPUTS, ...options.inputs },
    context: { ...DEFAULT_CONTEXT, ...options.context },
    artifact: options.artifact ?? {},
    cache: options.cache ?? {},
    cacheCalls: [],
    outputs: new Map(),
    failures: [],
    log: [],
    summary: '',
    uploads: [],
    deletes: []
  }
  await asStep(step, run)
  const outputs = Object.fromEntries(step.outputs)
  const { failures, log, summary, uploads, deletes, cacheCalls } = step
  return {
    cacheCalls,
    failures,
    log,
    summary,
    uploads,
    deletes,
    outputs,
    visibleText: [
      ...log.filter(line => line.kind !== 'add-mask').map(line => line.text),
      ...Object.values(outputs),
      summary,
      ...failures
    ].join('\n')
  }
}
