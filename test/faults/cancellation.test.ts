import { readFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { ExportEvent } from '../../src/engine/events.js'
import { startHarness, type Harness } from '../helpers/engine-harness.js'
import { expectNothingLostOrLeaked } from './row-checks.js'

const MINUTE = 60_000
const PERIODS = ['2026_Q1', '2026_Q2', '2026_Q3']

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/**
 * What the runner's SIGINT/SIGTERM becomes inside the engine: the run's AbortSignal aborts. The
 * engine must stop waiting at once, cancel the job in flight, and keep what finished.
 */
async function runAndAbort(h: Harness, abortWhen: (e: ExportEvent) => boolean) {
  const controller = new AbortController()
  const events: ExportEvent[] = []
  let abortedAt: number | undefined
  let abortedAtWall = 0
  const { report } = await h.run(h.config({ periods: PERIODS }), {
    signal: controller.signal,
    onEvent: e => {
      events.push(e)
      if (abortedAt === undefined && abortWhen(e)) {
        abortedAt = h.clock.now()
        abortedAtWall = h.clock.wallNow()
        controller.abort()
      }
    }
  })
  return { report, events, abortedAt: abortedAt!, abortedAtWall }
}

describe('cancellation (SIGINT/SIGTERM abort the run signal)', () => {
  it('stops polling at once, cancels the job in flight, keeps the finished period, marks the rest not started', async () => {
    h = await startHarness({ plan: { durationMs: 20 * MINUTE } })
    const { report, events, abortedAt, abortedAtWall } = await runAndAbort(
      h,
      e => e.type === 'status' && e.period === '2026_Q2' && e.poll === 3
    )

    expect(report.manifest.exports.map(o => o.status)).toEqual(['DONE', 'CANCELLED', 'CANCELLED'])
    const [, inFlight, notStarted] = report.manifest.exports
    expect(inFlight!.error).toBe('the run was cancelled')
    expect(notStarted!.error).toBe('not started: the run was cancelled')

    // Waiting stopped at once: no status check after the abort, and only the PATCH followed it.
    const after = h.sim.requests.filter(r => r.at > abortedAtWall)
    expect(after.map(r => [r.method, r.endpoint, r.jobId, r.body])).toEqual([
      ['PATCH', 'cancel', inFlight!.jobId, { type: 'CANCEL' }]
    ])
    expect(h.clock.now() - abortedAt).toBeLessThan(1_000)
    expect(h.sim.jobs.find(j => j.jobId === inFlight!.jobId)!.cancelled).toBe(true)
    expect(h.sim.jobs.map(j => j.period)).toEqual(['2026_Q1', '2026_Q2'])
    expect(events.filter(e => e.type === 'job-cancelled')).toEqual([
      { type: 'job-cancelled', period: '2026_Q2', jobId: inFlight!.jobId, result: 'cancelled' }
    ])

    const onDisk = JSON.parse(await readFile(report.manifestPath, 'utf8'))
    expect(onDisk.exports.map((o: { status: string }) => o.status)).toEqual([
      'DONE',
      'CANCELLED',
      'CANCELLED'
    ])
    await expectNothingLostOrLeaked(h, report, events)
  })

  it('stops a long server-requested wait at once', async () => {
    h = await startHarness({
      plan: { durationMs: 5 * MINUTE },
      faults: [
        {
          endpoint: 'status',
          period: '2026_Q1',
          skip: 1,
          fault: { kind: 'http', status: 429, headers: { 'Retry-After': '240' } }
        }
      ]
    })
    const { report, abortedAt } = await runAndAbort(
      h,
      e => e.type === 'waiting' && e.reason === 'throttled'
    )
    expect(report.manifest.exports.map(o => o.status)).toEqual([
      'CANCELLED',
      'CANCELLED',
      'CANCELLED'
    ])
    expect(h.clock.now() - abortedAt).toBeLessThan(1_000)
    expect(h.sim.jobs[0]!.cancelled).toBe(true)
  })

  it('does not send a cancel for a job that Clari itself ended', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE, outcome: 'CANCELLED' } })
    const { report } = await h.run(h.config())
    expect(report.manifest.exports[0]!.status).toBe('CANCELLED')
    expect(h.sim.requests.filter(r => r.endpoint === 'cancel')).toEqual([])
  })

  it('finds and cancels the job Clari made for a create whose answer the cancel cut off', async () => {
    h = await startHarness({
      plan: { durationMs: 20 * MINUTE },
      // Clari creates Q2's job, but its answer never comes.
      faults: [{ endpoint: 'create', period: '2026_Q2', fault: { kind: 'hang', process: true } }]
    })
    const controller = new AbortController()
    // The virtual clock stands still while the request is in flight; real time goes on.
    const watch = setInterval(() => {
      if (h!.sim.requests.some(r => r.endpoint === 'create' && r.period === '2026_Q2')) {
        controller.abort()
      }
    }, 5)
    try {
      const { report, events } = await h.run(h.config({ periods: PERIODS }), {
        signal: controller.signal
      })
      const q2Job = h.sim.jobs.find(j => j.period === '2026_Q2')!
      expect(report.manifest.exports.map(o => o.status)).toEqual(['DONE', 'CANCELLED', 'CANCELLED'])
      expect(report.manifest.exports[1]).toMatchObject({ jobId: q2Job.jobId, jobCancelled: true })
      expect(q2Job.cancelled).toBe(true)
      expect(events.filter(e => e.type === 'job-cancelled')).toEqual([
        { type: 'job-cancelled', period: '2026_Q2', jobId: q2Job.jobId, result: 'cancelled' }
      ])
      await expectNothingLostOrLeaked(h, report, events)
    } finally {
      clearInterval(watch)
    }
  })
})
