import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ExportEvent } from '../../../src/engine/events.js'
import { folderSource } from '../../../src/engine/reruns/earlier-files.js'
import { earlierManifest } from '../../helpers/earlier-manifests.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'
import { mostJobsAtOnce, sha256 } from '../../simulators/clari/index.js'
import type { FaultRule } from '../../simulators/clari/types.js'

const MINUTE = 60_000
const PERIODS = [
  '2025_Q1',
  '2025_Q2',
  '2025_Q3',
  '2025_Q4',
  '2026_Q1',
  '2026_Q2',
  '2026_Q3',
  '2026_Q4'
]
// Out of step with the input order, so periods finish in another order than they started.
const MINUTES = [9, 4, 7, 3, 8, 5, 6, 4]

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

function durations(req: { timePeriod?: string }): { durationMs: number } {
  return { durationMs: MINUTES[PERIODS.indexOf(req.timePeriod ?? '')]! * MINUTE }
}

/** The most of our jobs in flight at once, as the engine reported them. */
function maxInFlight(events: ExportEvent[]): number {
  return Math.max(0, ...events.map(e => (e.type === 'jobs-in-flight' ? e.inFlight.length : 0)))
}

function refusedCreates(h: Harness): number {
  return h.sim.requests.filter(r => r.endpoint === 'create' && r.status === 400).length
}

function concurrencyChanges(events: ExportEvent[]): number[] {
  return events.flatMap(e => (e.type === 'concurrency' ? [e.limit] : []))
}

describe('several periods at once, within Clari concurrency limit', () => {
  const limitsAnswer = (jobs: Record<string, unknown>): FaultRule => ({
    endpoint: 'limits',
    fault: { kind: 'http', status: 200, body: { jobs } }
  })
  it.each([
    { name: 'one at a time, as set: no concurrency line', concurrency: 1, lines: [] },
    {
      name: 'a fixed 3 for two periods: two',
      concurrency: 3,
      lines: [{ limit: 2, detail: 'max-concurrent-jobs' }]
    },
    {
      name: 'auto: no more slots than periods, with what Clari has free',
      limits: { concurrentLimit: 10 },
      lines: [
        { limit: 2, detail: 'max-concurrent-jobs auto: Clari has 10 of 10 export slots free' }
      ]
    },
    {
      name: 'auto: a limits read Clari failed once is tried again',
      limits: { concurrentLimit: 10 },
      faults: [{ endpoint: 'limits', times: 1, fault: { kind: 'http', status: 503 } } as FaultRule],
      lines: [
        { limit: 2, detail: 'max-concurrent-jobs auto: Clari has 10 of 10 export slots free' }
      ]
    },
    {
      name: 'auto: a free count without the limit',
      faults: [limitsAnswer({ availableConcurrentLimit: 2 })],
      lines: [{ limit: 2, detail: 'max-concurrent-jobs auto: Clari has 2 of ? export slots free' }]
    },
    {
      name: 'auto: no free count, one at a time',
      faults: [limitsAnswer({ concurrentLimit: 3 })],
      lines: [
        {
          limit: 1,
          detail:
            'max-concurrent-jobs auto: one at a time, the export limits could not be read (Clari did not say how many export slots are free)'
        }
      ]
    },
    {
      name: 'auto: the key refused for the limits, one at a time',
      faults: [{ endpoint: 'limits', fault: { kind: 'http', status: 401 } } as FaultRule],
      lines: [
        {
          limit: 1,
          detail:
            'max-concurrent-jobs auto: one at a time, the export limits could not be read (Clari rejected the API key)'
        }
      ]
    }
  ] as {
    name: string
    concurrency?: number
    limits?: { concurrentLimit: number }
    faults?: FaultRule[]
    lines: object[]
  }[])(
    'says how many run at once: $name',
    async ({ concurrency = 'auto', limits, faults, lines }) => {
      h = await startHarness({
        limits: limits ?? { concurrentLimit: 3 },
        faults,
        plan: { durationMs: MINUTE }
      })
      const { report, events } = await h.run(
        h.config({ periods: PERIODS.slice(0, 2), concurrency: concurrency as number | 'auto' })
      )
      expect(report.failed).toEqual([])
      expect(
        events.flatMap(e =>
          e.type === 'concurrency' ? [{ limit: e.limit, detail: e.detail }] : []
        )
      ).toEqual(lines)
    }
  )

  it('runs at most 3 of our jobs at once with concurrentLimit 3, one create per period, results in input order', async () => {
    h = await startHarness({ limits: { concurrentLimit: 3 }, plan: durations })
    const { report, events } = await h.run(h.config({ periods: PERIODS, concurrency: 3 }))

    expect(report.manifest.exports.map(o => [o.period, o.status])).toEqual(
      PERIODS.map(p => [p, 'DONE'])
    )
    const onDisk = JSON.parse(await readFile(report.manifestPath, 'utf8'))
    expect(onDisk.exports.map((o: { period: string }) => o.period)).toEqual(PERIODS)
    for (const period of PERIODS) {
      expect(
        h.sim.requests.filter(r => r.endpoint === 'create' && r.period === period)
      ).toHaveLength(1)
    }
    expect(maxInFlight(events)).toBe(3)
    expect(mostJobsAtOnce(h.sim.jobs)).toBe(3)
    expect(refusedCreates(h)).toBe(0)
    // Finished in another order than started: the manifest still follows the input.
    const finished = events.flatMap(e => (e.type === 'period-finished' ? [e.outcome.period] : []))
    expect(finished).not.toEqual(PERIODS)
    for (const outcome of report.exported) {
      const job = h.sim.jobs.find(j => j.jobId === outcome.jobId)!
      const bytes = await readFile(path.join(h.dir, outcome.file!))
      expect(sha256(bytes)).toBe(job.payloadSha256)
    }
    // 56 minutes of jobs on 3 slots: about a third of the time in turn would take.
    expect(h.clock.now()).toBeLessThan(25 * MINUTE)
  })

  it("sends the new create of a period whose earlier job's results are gone only once another period's create has settled", async () => {
    // 2025_Q1's earlier job is DONE, but Clari no longer serves its results (it does not know the
    // job). 2025_Q2 is granted its slot once 2025_Q1 has that job, and sends its create: Clari
    // makes the job, but the answer never comes, so that create settles only after the request
    // timeout and a look at the job list, while 2025_Q1's download has long been refused.
    const jobId = 'f'.repeat(24)
    const done = {
      jobId,
      module: 'FORECAST',
      status: 'DONE',
      fileName: 'clari_export_forecast_net_arr_2025_Q1_20261128_030000.json'
    }
    h = await startHarness({
      plan: { durationMs: MINUTE },
      faults: [
        { endpoint: 'status', times: 1, fault: { kind: 'http', status: 200, body: { job: done } } },
        { endpoint: 'create', period: '2025_Q2', times: 1, fault: { kind: 'hang', process: true } }
      ]
    })
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clari-earlier-'))
    try {
      const earlier = earlierManifest({}, [{ period: '2025_Q1', status: 'TIMED_OUT', jobId }])
      await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(earlier))
      const config = h.config({ periods: PERIODS.slice(0, 2), concurrency: 2 })
      const { report } = await h.run(
        { ...config, clari: { ...config.clari, requestTimeoutMs: 500 } },
        {},
        folderSource(dir)
      )

      expect(report.failed).toEqual([])
      expect(report.manifest.exports[0]!.anewBecause).toBe(
        'Clari no longer serves its results (HTTP 404)'
      )
      // After 2025_Q2's create (the run's look at the job list for its history comes before).
      const sent = h.sim.requests.flatMap(r =>
        r.endpoint === 'create' || r.endpoint === 'list' ? [`${r.endpoint} ${r.period ?? ''}`] : []
      )
      expect(sent.slice(sent.indexOf('create 2025_Q2'))).toEqual([
        'create 2025_Q2',
        // Its answer lost: it settles once the job list shows the job Clari made for it.
        'list ',
        'create 2025_Q1'
      ])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  // Three 10-minute periods start one at a time: Clari has one slot free of three.
  const oneFree = limitsAnswer({
    concurrentLimit: 3,
    availableConcurrentLimit: 1,
    runningJobIds: ['a', 'b']
  })
  const room = (limit: number): { limit: number; detail: string } => ({
    limit,
    detail: `Clari has room for ${limit} of this run's jobs again`
  })
  it.each([
    {
      name: 'a colleague frees a slot: the second starts then, not when the first ends',
      colleague: true,
      raised: [{ limit: 2, detail: "Clari has room for 2 of this run's jobs again" }]
    },
    {
      name: 'no job lists, every slot free',
      answer: { concurrentLimit: 3, availableConcurrentLimit: 3 },
      raised: [room(3)]
    },
    {
      name: 'no job lists, yet not every slot free: Clari does not say whose',
      answer: { concurrentLimit: 3, availableConcurrentLimit: 2 },
      raised: []
    },
    {
      name: 'an empty list of queued jobs, whatever the free count says',
      answer: { concurrentLimit: 3, availableConcurrentLimit: 0, submittedJobIds: [] },
      raised: [room(3)]
    },
    {
      name: 'an empty list of running jobs, whatever the free count says',
      answer: { concurrentLimit: 3, availableConcurrentLimit: 0, runningJobIds: [] },
      raised: [room(3)]
    }
  ] as { name: string; colleague?: boolean; answer?: Record<string, unknown>; raised: object[] }[])(
    'with auto, looks for room every max-poll-interval while periods wait: $name',
    async ({ colleague, answer, raised }) => {
      h = await startHarness({
        limits: { concurrentLimit: colleague ? 2 : 3 },
        faults: answer ? [{ ...oneFree, times: 1 }, limitsAnswer(answer)] : [],
        plan: { durationMs: 10 * MINUTE }
      })
      if (colleague) h.sim.occupySlots(1, 3 * MINUTE)
      const { report, events } = await h.run(
        h.config({ periods: PERIODS.slice(0, 3), concurrency: 'auto' })
      )
      expect(report.failed).toEqual([])
      const lines = events.flatMap(e => (e.type === 'concurrency' ? [e] : []))
      expect(lines.slice(1).map(({ limit, detail }) => ({ limit, detail }))).toEqual(raised)
      // Raised by a watch read (every 30 s at most), long before the first job ends, 10 min in.
      const second = h.sim.jobs[1]!.createdAt - h.sim.jobs[0]!.createdAt
      if (raised.length > 0) expect(second).toBeLessThan((colleague ? 4 : 1) * MINUTE)
      else expect(second).toBeGreaterThanOrEqual(10 * MINUTE)
    }
  )

  it('with auto, looks for room at once when one of its jobs finishes, not only every max-poll-interval', async () => {
    // Colleagues hold two of three slots at the start only; the watch reads every 8-10 minutes.
    h = await startHarness({
      limits: { concurrentLimit: 3 },
      faults: [{ ...oneFree, times: 1 }],
      plan: { durationMs: 2 * MINUTE }
    })
    const config = h.config({ periods: PERIODS.slice(0, 3), concurrency: 'auto' })
    const { report } = await h.run({
      ...config,
      timing: { ...config.timing, maxPollIntervalMs: 10 * MINUTE }
    })
    expect(report.failed).toEqual([])
    // The first job's end frees its slot for the second and finds room for the third with it.
    const [first, second, third] = h.sim.jobs
    expect(second!.createdAt).toBeGreaterThanOrEqual(first!.createdAt + 2 * MINUTE)
    expect(third!.createdAt - second!.createdAt).toBeLessThan(MINUTE)
  })

  it('with auto, a look for room Clari fails is not retried: the watch looks again at its next turn', async () => {
    h = await startHarness({
      limits: { concurrentLimit: 3 },
      faults: [
        { ...oneFree, times: 1 },
        { endpoint: 'limits', fault: { kind: 'http', status: 503 } }
      ],
      plan: { durationMs: 10 * MINUTE }
    })
    const { report } = await h.run(h.config({ periods: PERIODS.slice(0, 2), concurrency: 'auto' }))
    expect(report.failed).toEqual([])
    // Each look while the first job runs fails, and the next comes a max-poll-interval later.
    const firstEnds = h.sim.jobs[0]!.createdAt + 10 * MINUTE
    const looks = h.sim.requests.filter(r => r.endpoint === 'limits' && r.at < firstEnds).slice(1)
    expect(looks.length).toBeGreaterThan(10)
    for (const [i, look] of looks.entries()) {
      expect(look.status).toBe(503)
      if (i > 0) expect(look.at - looks[i - 1]!.at).toBeGreaterThanOrEqual(20_000)
    }
  })

  it('with auto, starts with the slots a colleague leaves free and takes the third when it is freed', async () => {
    h = await startHarness({ limits: { concurrentLimit: 3 }, plan: durations })
    h.sim.occupySlots(1, 12 * MINUTE)
    const { report, events } = await h.run(h.config({ periods: PERIODS, concurrency: 'auto' }))

    expect(report.failed).toEqual([])
    expect(concurrencyChanges(events)).toEqual([2, 3])
    expect(refusedCreates(h)).toBe(0)
    expect(mostJobsAtOnce(h.sim.jobs)).toBe(3)
    // One read before the first create, then one per max-poll-interval (30 s, jittered down to
    // 24 s) while the colleague holds the slot, and none once the run has all Clari allows.
    const reads = h.sim.requests.filter(r => r.endpoint === 'limits')
    expect(reads.length).toBeLessThanOrEqual(1 + Math.ceil((12 * MINUTE) / 24_000) + 1)
    const start = Date.UTC(2026, 10, 28, 3, 0)
    expect(reads[reads.length - 1]!.at - start).toBeLessThanOrEqual(12 * MINUTE + 31_000)
  })

  it('with a fixed 3 and a slot held by a colleague: one refused create, then no more than it got', async () => {
    h = await startHarness({ limits: { concurrentLimit: 3 }, plan: durations })
    h.sim.occupySlots(1, 120 * MINUTE)
    const { report, events } = await h.run(h.config({ periods: PERIODS, concurrency: 3 }))

    expect(report.failed).toEqual([])
    expect(refusedCreates(h)).toBe(1)
    expect(concurrencyChanges(events)).toEqual([3, 2])
    expect(mostJobsAtOnce(h.sim.jobs)).toBe(2)
    expect(events.some(e => e.type === 'waiting' && e.reason === 'concurrency-full')).toBe(true)
  })

  it('waits for a slot, as one at a time does, when colleagues hold every slot', async () => {
    h = await startHarness({ limits: { concurrentLimit: 2 }, plan: durations })
    h.sim.occupySlots(2, 10 * MINUTE)
    const { report } = await h.run(h.config({ periods: PERIODS.slice(0, 4), concurrency: 2 }))

    expect(report.failed).toEqual([])
    expect(h.sim.jobs[0]!.createdAt).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 28, 3, 10))
    // The first create found no slot; waiting polled the limits instead of creating again.
    expect(refusedCreates(h)).toBeLessThanOrEqual(2)
  })

  it('counts job-timeout from the create, not from the wait for a slot', async () => {
    // 40 minutes for a slot, then a 30-minute job: within a 60-minute job-timeout only if it
    // counts from the create.
    h = await startHarness({ limits: { concurrentLimit: 1 }, plan: { durationMs: 30 * MINUTE } })
    h.sim.occupySlots(1, 40 * MINUTE)
    const base = h.config()
    const { report } = await h.run({
      ...base,
      timing: { ...base.timing, jobTimeoutMs: 60 * MINUTE }
    })

    expect(report.manifest.exports[0]!.status).toBe('DONE')
    expect(h.sim.jobs[0]!.createdAt).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 28, 3, 40))
  })

  it('cancels every job in flight when the run is cancelled, and keeps what finished', async () => {
    h = await startHarness({ limits: { concurrentLimit: 3 }, plan: durations })
    const controller = new AbortController()
    const { report } = await h.run(h.config({ periods: PERIODS, concurrency: 3 }), {
      signal: controller.signal,
      onEvent: e => {
        // Q2 (4 min) finished and Q4 runs with Q1 and Q3: three in flight.
        if (e.type === 'jobs-in-flight' && e.inFlight.length === 3 && e.period === '2025_Q4') {
          controller.abort()
        }
      }
    })
    const statuses = report.manifest.exports.map(o => o.status)
    expect(statuses.slice(0, 4)).toEqual(['CANCELLED', 'DONE', 'CANCELLED', 'CANCELLED'])
    // The waiting periods get no slot, and say so.
    for (const o of report.manifest.exports.slice(4)) {
      expect(o).toMatchObject({ status: 'CANCELLED', error: 'not started: the run was cancelled' })
    }
    const cancels = h.sim.requests.filter(r => r.endpoint === 'cancel')
    expect(new Set(cancels.map(r => r.period))).toEqual(new Set(['2025_Q1', '2025_Q3', '2025_Q4']))
    expect(cancels).toHaveLength(3)
    for (const outcome of report.manifest.exports.filter(o => o.jobId && o.status !== 'DONE')) {
      expect(outcome.jobCancelled).toBe(true)
    }
    expect(report.exported.map(o => o.period)).toEqual(['2025_Q2'])
  })

  it('fail-fast stops creating and cancels the other jobs in flight', async () => {
    h = await startHarness({
      limits: { concurrentLimit: 3 },
      plan: req => ({
        ...durations(req),
        outcome: req.timePeriod === '2025_Q2' ? 'FAILED' : 'DONE'
      })
    })
    const { report } = await h.run(h.config({ periods: PERIODS, concurrency: 3, failFast: true }))
    const [q1, q2, q3, ...rest] = report.manifest.exports
    expect(q2).toMatchObject({ status: 'FAILED' })
    expect([q1, q3].map(o => [o!.status, o!.error, o!.jobCancelled])).toEqual([
      ['CANCELLED', 'cancelled: fail-fast after 2025_Q2 failed', true],
      ['CANCELLED', 'cancelled: fail-fast after 2025_Q2 failed', true]
    ])
    for (const o of rest) {
      expect(o).toMatchObject({
        status: 'CANCELLED',
        error: 'not started: fail-fast after 2025_Q2 failed'
      })
    }
    expect(h.sim.jobs).toHaveLength(3)
  })

  it('a run-wide stop (quota used up) starts nothing more and lets the jobs in flight finish', async () => {
    h = await startHarness({ limits: { concurrentLimit: 3, monthlyQuota: 30 }, plan: durations })
    const { report } = await h.run(h.config({ periods: PERIODS, concurrency: 3 }), {
      onEvent: e => {
        if (e.type === 'jobs-in-flight' && e.inFlight.length === 3) h!.sim.setMonthlyQuotaLeft(0)
      }
    })
    const statuses = report.manifest.exports.map(o => o.status)
    expect(statuses.slice(0, 3)).toEqual(['DONE', 'DONE', 'DONE'])
    expect(report.manifest.exports[3]!.error).toMatch(/export quota is used up/)
    for (const o of report.manifest.exports.slice(4)) {
      expect(o.error).toMatch(/^not started: Clari's export quota is used up/)
    }
    expect(h.sim.jobs).toHaveLength(3)
  })

  it('spaces every request of the run, so concurrent polls never go out together', async () => {
    h = await startHarness({ limits: { concurrentLimit: 3 }, plan: durations })
    await h.run(h.config({ periods: PERIODS, concurrency: 3 }))
    const times = h.sim.requests.map(r => r.at).sort((a, b) => a - b)
    const gaps = times.slice(1).map((t, i) => t - times[i]!)
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(200)
  })

  it('costs no more status checks per job than one at a time: the schedule learns from every finished job', async () => {
    const checksPerJob = async (concurrency: number): Promise<number> => {
      h = await startHarness({ limits: { concurrentLimit: 3 }, plan: durations })
      await h.run(h.config({ periods: PERIODS, concurrency }))
      const checks = h.sim.requests.filter(r => r.endpoint === 'status').length
      await h.close()
      h = undefined
      return checks / PERIODS.length
    }
    const inTurn = await checksPerJob(1)
    const together = await checksPerJob(3)
    expect(together).toBeLessThanOrEqual(inTurn * 1.1)
  })

  it("holds every job's requests back while the server throttles one of them", async () => {
    h = await startHarness({
      limits: { concurrentLimit: 3 },
      plan: durations,
      faults: [
        {
          endpoint: 'status',
          period: '2025_Q1',
          skip: 2,
          times: 1,
          fault: { kind: 'http', status: 429, headers: { 'Retry-After': '20' } }
        }
      ]
    })
    await h.run(h.config({ periods: PERIODS.slice(0, 3), concurrency: 3 }))
    const throttled = h.sim.requests.find(r => r.status === 429)!
    const next = h.sim.requests.find(r => r.at > throttled.at)!
    expect(next.at - throttled.at).toBeGreaterThanOrEqual(20_000)
  })
})
