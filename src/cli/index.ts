#!/usr/bin/env node
import { CancelledError } from '../base/abort.js'
import { EXIT_INTERRUPTED, runCli } from './main.js'

const cancel = new AbortController()
// First Ctrl-C: stop waiting, cancel the jobs in flight, print what finished. Second: quit now.
process.on('SIGINT', () => {
  if (cancel.signal.aborted) process.exit(EXIT_INTERRUPTED)
  process.stderr.write(
    '\nInterrupted: cancelling the jobs in flight (Ctrl-C again to quit at once)\n'
  )
  cancel.abort(new CancelledError())
})

runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  signal: cancel.signal
}).then(
  code => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`clari-export: ${error instanceof Error ? error.stack : String(error)}\n`)
    process.exitCode = 1
  }
)
