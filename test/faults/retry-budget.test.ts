import { afterEach, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from '../helpers/engine-harness.js'
import type { FaultRule } from '../simulators/clari/index.js'
import { freePort } from './forwarder.js'
import { expectNothingLostOrLeaked } from './row-checks.js'

const PERIODS = ['2026_Q1', '2026_Q2', '2026_Q3', '2026_Q4']
/**
 * A dead API costs the run its one job-list read (history), the first period its per-call
 * attempts until the per-run retry budget is spent (4), and every later period a single
 * request: 1 + 4 + 3 requests for 4 periods.
 */
const MAX_REQUESTS = 5 + (PERIODS.length - 1)

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** A 200 ms request-timeout: short, because the hang case waits it out on the real clock. */
async function runDead(
  faults: FaultRule[],
  clari: { apiUrl?: string; requestTimeoutMs?: number } = {}
) {
  h = await startHarness({ faults })
  const base = h.config()
  const config = h.config({
    periods: PERIODS,
    clari: { ...h.config().clari, requestTimeoutMs: 200, ...clari }
  })
  const events: Parameters<NonNullable<Parameters<Harness['run']>[1]>['onEvent'] & object>[0][] = []
  const { report } = await h.run(config, { onEvent: e => events.push(e) })
  await expectNothingLostOrLeaked(h, report, events)
  expect(base.clari.apiUrl).toBe(h.sim.url)
  return report
}

describe('a dead API fails promptly and clearly, without a retry storm', () => {
  it('every request 503 without Retry-After', async () => {
    // A timeout long enough for a busy machine: a request timed out before the simulator saw
    // it would count for the run and not for the simulator.
    const report = await runDead([{ fault: { kind: 'http', status: 503 } }], {
      requestTimeoutMs: 10_000
    })
    expect(report.manifest.exports.map(o => o.status)).toEqual(PERIODS.map(() => 'ERROR'))
    expect(report.requestCount).toBe(h!.sim.requests.length)
    expect(report.requestCount).toBeLessThanOrEqual(MAX_REQUESTS)
    for (const outcome of report.failed) {
      expect(outcome.error).toMatch(
        /^create export failed: HTTP 503; not retried: too many requests of this run failed/
      )
    }
    expect(h!.clock.now()).toBeLessThan(3 * 60_000)
  })

  it('connection refused (nothing listens on the port)', async () => {
    const port = await freePort()
    const report = await runDead([], { apiUrl: `http://127.0.0.1:${port}/v4` })
    expect(report.manifest.exports.map(o => o.status)).toEqual(PERIODS.map(() => 'ERROR'))
    expect(report.requestCount).toBeLessThanOrEqual(MAX_REQUESTS)
    for (const outcome of report.failed) {
      expect(outcome.error).toMatch(
        /^create export: connect ECONNREFUSED 127\.0\.0\.1:\d+; .*retry budget spent/
      )
    }
    expect(h!.sim.requests).toEqual([])
    expect(h!.clock.now()).toBeLessThan(3 * 60_000)
  })

  it('every request hangs (200 ms request-timeout)', async () => {
    const report = await runDead([{ fault: { kind: 'hang' } }])
    expect(report.manifest.exports.map(o => o.status)).toEqual(PERIODS.map(() => 'ERROR'))
    // A create that timed out is ambiguous, so each period also asks the job list; the list
    // calls share the same budget: 1 + 5 for the first period, then 1 + 1 per period.
    expect(report.requestCount).toBeLessThanOrEqual(6 + 2 * (PERIODS.length - 1))
    for (const outcome of report.failed) expect(outcome.error).toMatch(/^list export jobs: /)
  })
})
