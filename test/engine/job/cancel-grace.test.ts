import { afterEach, describe, expect, it } from 'vitest'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'

// A job given up on is cancelled within a short grace that counts from the cancel, so a cancel
// Clari throttles for a moment is still tried again.

const MINUTE = 60_000

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('cancelling a job that timed out', () => {
  it('tries the cancel again after a short throttle within the grace, and records it cancelled', async () => {
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
    const base = h.config()
    const { report, events } = await h.run({
      ...base,
      timing: { ...base.timing, jobTimeoutMs: 5 * MINUTE }
    })

    const outcome = report.manifest.exports[0]!
    expect(outcome.status).toBe('TIMED_OUT')
    expect(outcome.jobCancelled).toBe(true)
    expect(h.sim.requests.filter(r => r.endpoint === 'cancel').map(r => r.status)).toEqual([
      503, 200
    ])
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'job-cancelled', result: 'cancelled' })
    )
  })
})
