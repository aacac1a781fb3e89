import { afterEach, describe, expect, it } from 'vitest'
import type { Clock } from '../../../src/base/clock.js'
import { VirtualClock } from '../../../src/base/virtual-clock.js'
import type { ExportEvent } from '../../../src/engine/events.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'
import type { RecordedRequest } from '../../simulators/clari/types.js'

// A job given up on is cancelled within a short grace that counts from the cancel, so a cancel
// Clari throttles for a moment is still tried again, and one Clari does not answer holds the run
// no longer than the grace. The grace runs in real time in production (the run's virtual clock
// stands still while a request hangs); here it runs out when the test says.

const MINUTE = 60_000
// Long enough that only the grace can end a request Clari does not answer.
const PATIENT_MS = 10 * MINUTE

let h: Harness | undefined
let watch: NodeJS.Timeout | undefined
afterEach(async () => {
  clearInterval(watch)
  await h?.close()
  h = undefined
})

/**
 * The grace's clock for a test: time stands still until `runOut`, which lets the grace's 5 s
 * pass at once; `timersSet` counts the grace timers not yet fired or stopped.
 */
function graceClock() {
  const time = new VirtualClock()
  const runOut = time.busy()
  let set = 0
  const clock: Clock = {
    now: () => time.now(),
    wallNow: () => time.wallNow(),
    async sleep(ms, signal) {
      set++
      try {
        await time.sleep(ms, signal)
      } finally {
        set--
      }
    }
  }
  return { clock, runOut, timersSet: () => set }
}

/** Calls `then` once `sent` holds of the simulator's requests, looking every 5 ms of real time. */
function once(sent: (requests: RecordedRequest[]) => boolean, then: () => void): void {
  watch = setInterval(() => {
    if (!sent(h!.sim.requests)) return
    clearInterval(watch)
    then()
  }, 5)
}

function cancelResults(events: ExportEvent[]): string[] {
  return events.flatMap(e => (e.type === 'job-cancelled' ? [e.result] : []))
}

describe('cancelling a job that timed out', () => {
  it('tries the cancel again after a short throttle within the grace, records it cancelled, and leaves no grace timer set', async () => {
    h = await startHarness({
      plan: { durationMs: 60 * MINUTE },
      faults: [
        {
          endpoint: 'cancel',
          times: 1,
          fault: { kind: 'http', status: 503, headers: { 'retry-after': '1' } }
        }
      ]
    })
    const grace = graceClock()
    const base = h.config()
    const { report, events } = await h.run(
      { ...base, timing: { ...base.timing, jobTimeoutMs: 5 * MINUTE } },
      { graceClock: grace.clock }
    )

    const outcome = report.manifest.exports[0]!
    expect(outcome.status).toBe('TIMED_OUT')
    expect(outcome.jobCancelled).toBe(true)
    expect(h.sim.requests.filter(r => r.endpoint === 'cancel').map(r => r.status)).toEqual([
      503, 200
    ])
    expect(cancelResults(events)).toEqual(['cancelled'])
    // A grace timer left running would keep the process up for the rest of its 5 s.
    expect(grace.timersSet()).toBe(0)
  })

  it('gives up a cancel Clari does not answer when the grace runs out, records the job not cancelled, and goes on', async () => {
    h = await startHarness({
      plan: req => ({ durationMs: (req.timePeriod === '2026_Q1' ? 60 : 1) * MINUTE }),
      faults: [{ endpoint: 'cancel', fault: { kind: 'hang' } }]
    })
    const grace = graceClock()
    once(requests => requests.some(r => r.endpoint === 'cancel'), grace.runOut)
    const base = h.config({ periods: ['2026_Q1', '2026_Q2'] })
    const { report, events } = await h.run(
      {
        ...base,
        clari: { ...base.clari, requestTimeoutMs: PATIENT_MS },
        timing: { ...base.timing, jobTimeoutMs: 5 * MINUTE }
      },
      { graceClock: grace.clock }
    )

    expect(report.manifest.exports.map(o => o.status)).toEqual(['TIMED_OUT', 'DONE'])
    expect(report.manifest.exports[0]!.jobCancelled).toBe(false)
    expect(cancelResults(events)).toEqual(['cancel failed: no answer within the grace'])
    expect(h.sim.requests.filter(r => r.endpoint === 'cancel')).toHaveLength(1)
  })
})

describe('a run cancelled while a create request was on its way', () => {
  it('warns that Clari may have made a job all the same when its job list does not answer within the grace', async () => {
    // Clari makes the job, but the create's answer never comes.
    h = await startHarness({
      plan: { durationMs: 20 * MINUTE },
      faults: [{ endpoint: 'create', fault: { kind: 'hang', process: true } }]
    })
    const grace = graceClock()
    const controller = new AbortController()
    once(
      requests => requests.some(r => r.endpoint === 'create'),
      () => {
        // From now on the job list does not answer either.
        h!.sim.addFault({ endpoint: 'list', fault: { kind: 'hang' } })
        const before = h!.sim.requests.length
        controller.abort()
        once(requests => requests.slice(before).some(r => r.endpoint === 'list'), grace.runOut)
      }
    )
    const base = h.config()
    const { report, events } = await h.run(
      { ...base, clari: { ...base.clari, requestTimeoutMs: PATIENT_MS } },
      { signal: controller.signal, graceClock: grace.clock }
    )

    const outcome = report.manifest.exports[0]!
    expect(outcome.status).toBe('CANCELLED')
    expect(outcome.jobId).toBeUndefined()
    expect(outcome.jobCancelled).toBeUndefined()
    expect(events.filter(e => e.type === 'warning')).toEqual([
      {
        type: 'warning',
        period: '2026_Q1',
        message:
          'the run was cancelled while its create request was on its way; Clari may have made a job all the same, which could not be found in its job list (no answer within the grace)'
      }
    ])
    expect(h.sim.jobs).toMatchObject([{ period: '2026_Q1', cancelled: false }])
    expect(grace.timersSet()).toBe(0)
  })
})
