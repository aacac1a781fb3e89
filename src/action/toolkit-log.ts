import { AsyncLocalStorage } from 'node:async_hooks'
import * as core from '@actions/core'

const PROBLEM_COMMAND = /^::(?:warning|error)(?: [^:]*)?::(.*)$/
/** The call whose work is running: only its own writes are demoted. */
const calls = new AsyncLocalStorage<object>()

/**
 * Runs `work` with the plain log lines written meanwhile demoted to debug lines.
 *
 * `@actions/artifact` narrates each step with `core.info` ("Artifact name is valid!", "Root
 * directory input is valid!", "Beginning upload of artifact content to blob storage",
 * "Redirecting to blob download url"…) and has no setting to quiet it; `@actions/core`'s exports
 * cannot be replaced from outside (an ES module), and `core.info` is a plain write of the line to
 * stdout. So for the duration of the call, stdout's writes go through here: a workflow command
 * (`::warning::`, `::error::`, `::add-mask::`…) passes as written, any other line becomes
 * `::debug::<line>`, which a re-run with debug logging still shows. The action prints its own
 * line about the outcome after the call. Only the writes made by `work` (its async context) are
 * demoted: anything else written meanwhile, or by work another call left behind, passes as it is.
 */
export async function withToolkitLogAsDebug<T>(
  work: () => Promise<T>,
  /**
   * Given, it takes the toolkit's `::warning::` and `::error::` lines instead of the log (the
   * caller then says what went wrong once, in its own words): `@actions/cache` warns, or even
   * errs, about every save or restore it gives up on, which must never fail or flag the step.
   */
  onProblem?: (message: string) => void
): Promise<T> {
  const stdout = process.stdout
  const write = stdout.write
  let partial = ''
  // Set while core.debug writes its own line, which goes out as it is.
  let passing = false
  const forward = (line: string): void => {
    const problem = onProblem && PROBLEM_COMMAND.exec(line)
    if (problem) {
      onProblem(problem[1] ?? '')
      return
    }
    if (line.startsWith('::')) {
      write.call(stdout, `${line}\n`)
      return
    }
    if (!line.trim()) return
    passing = true
    try {
      core.debug(line)
    } finally {
      passing = false
    }
  }
  const call = {}
  const demote = function (
    this: NodeJS.WriteStream,
    chunk: string | Uint8Array,
    ...rest: unknown[]
  ): boolean {
    if (passing || calls.getStore() !== call) {
      return write.apply(stdout, [chunk, ...rest] as Parameters<typeof write>)
    }
    const lines = (partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()))
      .replace(/\r\n/g, '\n')
      .split('\n')
    partial = lines.pop() ?? ''
    lines.forEach(forward)
    const done = rest.find(arg => typeof arg === 'function') as (() => void) | undefined
    done?.()
    return true
  } as typeof stdout.write
  stdout.write = demote
  try {
    return await calls.run(call, work)
  } finally {
    stdout.write = write
    if (partial) forward(partial)
  }
}
