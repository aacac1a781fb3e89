import { AsyncLocalStorage } from 'node:async_hooks'
import type {
  DeleteArtifactResponse,
  UploadArtifactOptions,
  UploadArtifactResponse
} from '@actions/artifact'
import type * as Github from '@actions/github'
import type { CacheAnswers } from './cache.js'

/**
 * One line the action wrote to the step log, by the toolkit function it used. `add-mask` is
 * `setSecret`'s command: the runner consumes it, so it never shows in the log.
 */
export interface LogLine {
  kind: 'add-mask' | 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'group' | 'endgroup'
  text: string
}

/** The parts of `github.context` the action reads; the fake refuses any other. */
export type FakeContext = Pick<
  typeof Github.context,
  'eventName' | 'runId' | 'runAttempt' | 'serverUrl'
>

export interface UploadCall {
  name: string
  files: string[]
  rootDirectory: string
  options?: UploadArtifactOptions
}

/**
 * How GitHub's artifact service answers, for a test to fake. A call left out goes to the real
 * `@actions/artifact` client, which fails as it would on a runner without a runtime token.
 */
export interface ArtifactAnswers {
  upload?(call: UploadCall): Promise<UploadArtifactResponse>
  delete?(name: string): Promise<DeleteArtifactResponse>
}

/** Everything one run of the action gave the toolkit, and how the toolkit answers it. */
export interface ToolkitRun {
  /** The inputs as the runner passes them: action.yml's defaults, then the workflow's values. */
  inputs: Record<string, string>
  context: FakeContext
  artifact: ArtifactAnswers
  cache: CacheAnswers
  /** The cache calls, in order. */
  cacheCalls: { call: 'save' | 'restore'; key: string; restoreKeys?: string[] }[]
  /** By name, as the runner reads GITHUB_OUTPUT (the last value set wins). */
  outputs: Map<string, string>
  failures: string[]
  log: LogLine[]
  /** What `core.summary.write()` appended to the job summary. */
  summary: string
  uploads: UploadCall[]
  deletes: string[]
}

const runs = new AsyncLocalStorage<ToolkitRun>()

/** Runs `work` as one step: every toolkit call made from it, however deep, lands in `run`. */
export function asStep<T>(run: ToolkitRun, work: () => Promise<T>): Promise<T> {
  return runs.run(run, work)
}

/** The run the calling code belongs to. */
export function currentRun(): ToolkitRun {
  const run = runs.getStore()
  if (!run) throw new Error('a faked @actions/* module was used outside runAction()')
  return run
}
