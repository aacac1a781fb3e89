import { afterEach, describe, expect, it } from 'vitest'
import type { ClariSimulatorOptions } from '../../simulators/clari/index.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'

// How a period's status checks are spaced when a check fails, when job-timeout comes, and when
// another job of the run finishes meanwhile: the real engine against the Clari simulator, on a
// virtual clock. Jitter at its midpoint makes the first job's checks come 5, 7.5, 11.25 s apart,
// then every 15 s (its cap for the first ten minutes).

const SECOND = 1_000
const MINUTE = 60 * SECOND
const midRandom = (): number => 0.5

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** One period, its job running `durationMs`; status checks at seconds after the create. */
async function exportOne(
  durationMs: number,
  options: ClariSimulatorOptions = {},
  jobTimeoutMs = 30 * MINUTE
) {
  h = await startHarness({ plan: { durationMs }, ...options })
  const base = h.config()
  const { report } = await h.run(
    { ...base, timing: { ...base.timing, jobTimeoutMs } },
    { random: midRandom }
  )
  const created = h.sim.requests.find(r => r.endpoint === 'create')!.at
  const checks = h.sim.requests
    .filter(r => r.endpoint === 'status')
    .map(r => ({ s: (r.at - created) / SECOND, status: r.status }))
  const cancels = h.sim.requests.filter(r => r.endpoint === 'cancel').length
  await h.close()
  h = undefined
  return { outcome: report.manifest.exports[0]!, checks, cancels }
}

/**
 * Two periods at once: 2026_Q1's job runs a minute, 2026_Q2's `q2Ms`. 2026_Q2, started while
 * 2026_Q1 polls with nothing learned yet, checks every 30 s until 2026_Q1's finish, seen at
 * 68.75 s, tells it when to look.
 */
async function exportTwo(q2Ms: number, options: ClariSimulatorOptions = {}) {
  h = await startHarness({
    plan: req => ({ durationMs: req.timePeriod === '2026_Q1' ? MINUTE : q2Ms }),
    ...options
  })
  const { report } = await h.run(h.config({ periods: ['2026_Q1', '2026_Q2'], concurrency: 2 }), {
    random: midRandom
  })
  const checksOf = (period: string) =>
    h!.sim.requests.filter(r => r.endpoint === 'status' && r.period === period)
  return { report, checksOf }
}

describe('waitForJob: a status check that fails', () => {
  it('is tried again when the next check was due anyway: an outage costs no extra checks', async () => {
    const clean = await exportOne(MINUTE)
    const failed = await exportOne(MINUTE, {
      faults: [{ endpoint: 'status', skip: 2, times: 1, fault: { kind: 'http', status: 502 } }]
    })
    expect(failed.outcome.status).toBe('DONE')
    expect(failed.checks.map(c => c.status)).toEqual([200, 200, 502, 200, 200, 200])
    expect(failed.checks.map(c => c.s)).toEqual(clean.checks.map(c => c.s))
  })

  it('while backing off, is not tried sooner because another job of the run finished', async () => {
    // 2026_Q2's second check (60 s) fails; 2026_Q1's finish, seen moments later, would have it
    // check again within seconds: the outage's backoff (its 30 s gap) holds.
    const { report, checksOf } = await exportTwo(10 * MINUTE, {
      faults: [
        {
          endpoint: 'status',
          period: '2026_Q2',
          skip: 1,
          times: 1,
          fault: { kind: 'http', status: 502 }
        }
      ]
    })
    expect(report.failed).toEqual([])
    const q2 = checksOf('2026_Q2')
    const failed = q2.findIndex(r => r.status === 502)
    const lesson = checksOf('2026_Q1').at(-1)!.at
    expect(lesson).toBeGreaterThan(q2[failed]!.at)
    expect(lesson).toBeLessThan(q2[failed + 1]!.at)
    expect(q2[failed + 1]!.at - q2[failed]!.at).toBe(30 * SECOND)
  })

  it('near job-timeout still leaves one last check at the deadline, which sees the job DONE', async () => {
    // Checks at 5, 12.5, 23.75, 38.75 and 53.75 s; the last fails, and the next would be 15 s
    // later, past the 60 s timeout: the job, done at 55 s, is seen DONE at 60 s. Only its
    // download runs out of time, and a finished job is not cancelled.
    const { outcome, checks, cancels } = await exportOne(
      55 * SECOND,
      { faults: [{ endpoint: 'status', skip: 4, times: 1, fault: { kind: 'http', status: 502 } }] },
      MINUTE
    )
    expect(checks.map(c => c.s)).toEqual([5, 12.5, 23.75, 38.75, 53.75, 60])
    expect(outcome.error).toBe(
      'the job is DONE, but its results did not download within job-timeout (60 s)'
    )
    expect(cancels).toBe(0)
  })

  it('when throttled until exactly job-timeout, leaves one last check there', async () => {
    // Throttled at 23.75 s for 20 s (20.5 s with its jitter): quiet until 44.25 s, the deadline,
    // when the check sees the job DONE (at 40 s): not cancelled, only its download ran out of time.
    const { outcome, checks, cancels } = await exportOne(
      40 * SECOND,
      {
        faults: [
          {
            endpoint: 'status',
            skip: 2,
            times: 1,
            fault: { kind: 'http', status: 429, headers: { 'Retry-After': '20' } }
          }
        ]
      },
      44_250
    )
    expect(checks.map(c => c.s)).toEqual([5, 12.5, 23.75, 44.25])
    expect(outcome.error).toBe(
      'the job is DONE, but its results did not download within job-timeout (44 s)'
    )
    expect(cancels).toBe(0)
  })
})

describe('waitForJob: a lesson from another job of the run', () => {
  it('leaves no timer behind when it cut a wait short', async () => {
    // 2026_Q1's finish cuts 2026_Q2's 30 s wait after its 60 s check short; 2026_Q2, done at
    // 65 s, is seen done soon after, and the run ends before that wait would have.
    const { report } = await exportTwo(65 * SECOND)
    expect(report.failed).toEqual([])
    await new Promise(resolve => setTimeout(resolve, 50))
    // No wait of the run woke after the manifest's last write: time stood still since.
    expect(h!.clock.wallNow() - Date.parse(report.manifest.finishedAt)).toBeLessThan(1)
  })
})
