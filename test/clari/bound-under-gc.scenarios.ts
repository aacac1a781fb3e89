import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { NodeRuntime } from '../helpers/run-bundle.js'

const SCRIPT = fileURLToPath(new URL('./fixtures/bound-under-gc.ts', import.meta.url))
const BOUND_MS = 300
// Far above the bound, far below the test timeout: a bound that never fires shows as a kill.
// Counted from the script's STARTED line: starting Node and tsx may take seconds on a busy
// machine, and that is no hang.
const KILL_AFTER_MS = 8_000
const STARTED = 'started\n'

const children = new Set<ChildProcess>()

/** Runs the script under --expose-gc; resolves with its report, rejects when it hung. */
function runScript(
  nodePath: string,
  scenario: 'transport' | 'signal'
): Promise<{ outcome: string; elapsedMs: number }> {
  const args = ['--expose-gc', '--import', 'tsx', SCRIPT, scenario, String(BOUND_MS)]
  const child = spawn(nodePath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(child)
  let out = ''
  let timer: NodeJS.Timeout | undefined
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk
    if (!timer && out.includes(STARTED)) {
      timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
    }
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', code => {
      clearTimeout(timer)
      children.delete(child)
      if (code !== 0) {
        const why = `still running ${KILL_AFTER_MS} ms after it started, killed (exit ${code})`
        return reject(new Error(`the ${BOUND_MS} ms bound never fired: ${why}\n${out}`))
      }
      const report = out.slice(out.indexOf(STARTED) + STARTED.length)
      resolve(JSON.parse(report) as { outcome: string; elapsedMs: number })
    })
  })
}

/**
 * The bounds under `runtime`: bound-under-gc.machine-node.test.ts and bound-under-gc.node24.test.ts
 * run them, a file per runtime so that the two legs run side by side.
 */
export function boundUnderGcScenarios(runtime: NodeRuntime): void {
  describe(`time bounds under forced garbage collection, ${runtime.label}`, () => {
    afterEach(() => {
      for (const child of children) child.kill('SIGKILL')
      children.clear()
    })

    it('the transport ends a body that streams forever at the whole-exchange timeout', async () => {
      const { outcome, elapsedMs } = await runScript(runtime.nodePath, 'transport')
      expect(outcome).toBe('ETIMEDOUT')
      expect(elapsedMs).toBeGreaterThanOrEqual(BOUND_MS - 5)
    })

    it('a linkedAbort deadline fires though nothing but the request refers to it', async () => {
      const { outcome, elapsedMs } = await runScript(runtime.nodePath, 'signal')
      expect(outcome).toBe('DeadlineError')
      expect(elapsedMs).toBeGreaterThanOrEqual(BOUND_MS - 5)
    })
  })
}
