import type { TerminalOutput } from './progress.js'

/** What a `clari-export` command runs with: its process, or a test's stand-in for it. */
export interface CliContext {
  argv: readonly string[]
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  stdout: TerminalOutput
  stderr: TerminalOutput
  /** Aborted on Ctrl-C: the engine stops waiting and cancels the job in flight. */
  signal: AbortSignal
}
