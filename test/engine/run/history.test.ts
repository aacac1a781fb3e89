import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { DurationObservation } from '../../../src/engine/durations.js'
import type { ExportEvent } from '../../../src/engine/events.js'
import { MANIFEST_TOOL, MANIFEST_VERSION } from '../../../src/engine/outcome.js'
import { folderSource } from '../../../src/engine/reruns/earlier-files.js'
import { requestParameters } from '../../../src/engine/reruns/resume.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'

const SECOND = 1_000
const MINUTE = 60 * SECOND
const T0 = 1_760_000_000_000

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** A finished export of ours in Clari's job list, from an earlier day. */
function listedJob(period: string, durationMs: number, daysAgo: number): Record<string, unknown> {
  const startTime = T0 - daysAgo * 86_400_000
  return {
    fileName: `clari_export_forecast_net_arr_${period}_20251001_010203.json`,
    startTime,
    endTime: startTime + durationMs
  }
}

function historyEvent(events: ExportEvent[]): Extract<ExportEvent, { type: 'history' }> {
  const found = events.filter(e => e.type === 'history')
  expect(found).toHaveLength(1)
  return found[0] as Extract<ExportEvent, { type: 'history' }>
}

/** From the job's end at Clari to the status check that saw it. */
function detectionDelay(h: Harness): number {
  const job = h.sim.jobs[0]!
  const doneAt = job.createdAt + job.plan.durationMs!
  const seen = h.sim.requests.find(
    r => r.endpoint === 'status' && r.jobId === job.jobId && r.at >= doneAt
  )!
  return seen.at - doneAt
}

describe('learning job durations from earlier runs', () => {
  it("aims the first checks at the finish Clari's job list predicts: fewer checks, seen within a window gap", async () => {
    const run = async (history: 'all' | 'none') => {
      h = await startHarness({ plan: { durationMs: 25 * MINUTE } })
      for (const [d, ago] of [
        [24, 1],
        [26, 2],
        [25.5, 3]
      ] as const) {
        h.sim.listJobElsewhere(listedJob('2026_Q1', d * MINUTE, ago))
      }
      const { report, events } = await h.run(h.config({ history }))
      const result = {
        report,
        events,
        checks: h.sim.requests.filter(r => r.endpoint === 'status').length,
        delay: detectionDelay(h),
        endpoints: h.sim.requests.map(r => r.endpoint)
      }
      await h.close()
      h = undefined
      return result
    }
    const taught = await run('all')
    const blind = await run('none')

    // One read of the list, before the create; none with history: none.
    expect(taught.endpoints.slice(0, 2)).toEqual(['list', 'create'])
    expect(taught.endpoints.filter(e => e === 'list')).toHaveLength(1)
    expect(blind.endpoints).not.toContain('list')
    expect(historyEvent(taught.events)).toMatchObject({
      predicted: [{ period: '2026_Q1', expectedMs: 25.5 * MINUTE, samples: 3 }],
      unknown: [],
      jobList: 'read'
    })
    expect(blind.events.some(e => e.type === 'history')).toBe(false)
    expect(taught.checks).toBeLessThan(blind.checks * 0.7)
    expect(taught.delay).toBeLessThanOrEqual(8 * SECOND)
    // The job's own duration, by Clari's stamps, is recorded for the runs to come.
    expect(taught.report.manifest.exports[0]).toMatchObject({
      status: 'DONE',
      jobDurationMs: 25 * MINUTE
    })
  })

  it('with history: runs, never reads the job list', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    h.sim.listJobElsewhere(listedJob('2026_Q1', MINUTE, 1))
    const { report, events } = await h.run(h.config({ history: 'runs' }))
    expect(report.failed).toEqual([])
    expect(h.sim.requests.map(r => r.endpoint)).not.toContain('list')
    expect(historyEvent(events)).toMatchObject({
      predicted: [],
      unknown: ['2026_Q1'],
      jobList: 'not asked for'
    })
  })

  it('starts the longest expected period first with several slots, and keeps input order in the manifest', async () => {
    const periods = ['2026_Q1', '2026_Q2', '2026_Q3', '2026_Q4']
    const minutes: Record<string, number> = {
      '2026_Q1': 4,
      '2026_Q2': 12,
      '2026_Q3': 7,
      '2026_Q4': 2
    }
    h = await startHarness({
      limits: { concurrentLimit: 2 },
      plan: req => ({ durationMs: minutes[req.timePeriod!]! * MINUTE })
    })
    const config = h.config({ periods, concurrency: 2 })
    // The ledger's port: what earlier runs recorded, with the same parameters. 2026_Q4 unknown.
    const ledger: DurationObservation[] = ['2026_Q1', '2026_Q2', '2026_Q3'].map(period => ({
      forecastId: 'net_arr',
      period,
      request: requestParameters(config),
      durationMs: minutes[period]! * MINUTE
    }))
    const { report, events } = await h.run(config, { history: ledger })

    const created = h.sim.requests.filter(r => r.endpoint === 'create').map(r => r.period)
    expect(created).toEqual(['2026_Q2', '2026_Q3', '2026_Q1', '2026_Q4'])
    expect(report.manifest.exports.map(o => o.period)).toEqual(periods)
    expect(historyEvent(events)).toMatchObject({
      unknown: ['2026_Q4'],
      jobList: 'read',
      startOrder: ['2026_Q2', '2026_Q3', '2026_Q1', '2026_Q4']
    })
  })

  it('one slot: input order, and the job list is not read when the ledger knows every period', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    const config = h.config({ periods: ['2026_Q1', '2026_Q2'] })
    const ledger: DurationObservation[] = [
      {
        forecastId: 'net_arr',
        period: '2026_Q1',
        request: requestParameters(config),
        durationMs: MINUTE
      },
      {
        forecastId: 'net_arr',
        period: '2026_Q2',
        request: requestParameters(config),
        durationMs: 9 * MINUTE
      }
    ]
    const { events } = await h.run(config, { history: ledger })
    expect(h.sim.requests.filter(r => r.endpoint === 'create').map(r => r.period)).toEqual([
      '2026_Q1',
      '2026_Q2'
    ])
    expect(h.sim.requests.map(r => r.endpoint)).not.toContain('list')
    const event = historyEvent(events)
    expect(event.jobList).toBe('not needed')
    expect(event.startOrder).toBeUndefined()
  })

  it.each([
    { name: 'learned from the ledger', history: 'runs', currency: undefined, first: '2026_Q2' },
    {
      name: 'history: none learns nothing',
      history: 'none',
      currency: undefined,
      first: '2026_Q1'
    },
    {
      name: 'runs that asked Clari for other data teach nothing',
      history: 'runs',
      currency: 'EUR',
      first: '2026_Q1'
    }
  ] as const)(
    'with two slots, the longest first only when $name',
    async ({ history, currency, first }) => {
      h = await startHarness({ limits: { concurrentLimit: 2 }, plan: { durationMs: MINUTE } })
      const config = h.config({ periods: ['2026_Q1', '2026_Q2'], concurrency: 2, history })
      const request = { ...requestParameters(config), ...(currency ? { currency } : {}) }
      const ledger: DurationObservation[] = [
        { forecastId: 'net_arr', period: '2026_Q1', request, durationMs: MINUTE },
        { forecastId: 'net_arr', period: '2026_Q2', request, durationMs: 9 * MINUTE }
      ]
      await h.run(config, { history: ledger })
      expect(h.sim.requests.find(r => r.endpoint === 'create')!.period).toBe(first)
    }
  )

  it("learns from an earlier attempt's manifest the period it must export anew", async () => {
    h = await startHarness({ plan: { durationMs: 20 * MINUTE } })
    const config = h.config({ history: 'runs' })
    const earlierDir = await mkdtemp(path.join(os.tmpdir(), 'clari-earlier-'))
    try {
      // Attempt 1 finished the period, but its payload did not survive: exported anew.
      const manifest = {
        tool: MANIFEST_TOOL,
        manifestVersion: MANIFEST_VERSION,
        forecastId: 'net_arr',
        runAttempt: 1,
        request: requestParameters(config),
        exports: [
          {
            period: '2026_Q1',
            status: 'DONE',
            jobId: 'a1b2',
            file: 'net_arr_2026_Q1.json',
            sha256: 'a'.repeat(64),
            jobDurationMs: 20 * MINUTE,
            timeline: { doneAt: '2026-01-01T00:00:00.000Z' }
          }
        ]
      }
      await writeFile(path.join(earlierDir, 'manifest.json'), JSON.stringify(manifest))
      const { report, events } = await h.run(config, {}, folderSource(earlierDir))
      expect(report.failed).toEqual([])
      expect(historyEvent(events).predicted).toEqual([
        { period: '2026_Q1', expectedMs: 20 * MINUTE, spreadMs: 2 * MINUTE, samples: 1 }
      ])
      expect(detectionDelay(h)).toBeLessThanOrEqual(8 * SECOND)
    } finally {
      await rm(earlierDir, { recursive: true, force: true })
    }
  })

  it("checks a job taken over from an earlier attempt as a first job, not at its period's predicted finish: it started before this run did", async () => {
    h = await startHarness({ plan: { durationMs: 60 * MINUTE } })
    const short = h.config({ cancelOnTimeout: false })
    await h.run({ ...short, timing: { ...short.timing, jobTimeoutMs: 5 * MINUTE } })
    // The re-run comes 5 minutes before the job ends; earlier runs say the period takes an hour.
    await h.clock.sleep(50 * MINUTE)
    const config = h.config({ history: 'runs' })
    const ledger: DurationObservation[] = [
      {
        forecastId: 'net_arr',
        period: '2026_Q1',
        request: requestParameters(config),
        durationMs: 60 * MINUTE
      }
    ]

    const { report, events } = await h.run(config, { history: ledger }, folderSource(h.dir))

    expect(historyEvent(events).predicted).toMatchObject([
      { period: '2026_Q1', expectedMs: 60 * MINUTE }
    ])
    expect(report.manifest.exports[0]).toMatchObject({ status: 'DONE', repolledFromAttempt: 1 })
    expect(h.sim.jobs).toHaveLength(1)
    expect(detectionDelay(h)).toBeLessThanOrEqual(15 * SECOND)
  })

  it('a job list that cannot be read changes nothing else', async () => {
    h = await startHarness({
      plan: { durationMs: MINUTE },
      faults: [{ endpoint: 'list', fault: { kind: 'http', status: 502 } }]
    })
    const { report, events } = await h.run(h.config())
    expect(report.failed).toEqual([])
    // Tried once: a chance to do better, not worth retries.
    expect(h.sim.requests.filter(r => r.endpoint === 'list')).toHaveLength(1)
    expect(historyEvent(events)).toMatchObject({
      predicted: [],
      jobList: expect.stringMatching(/^not read \(.*502/)
    })
  })

  it('a cancel while the job list is read: said in the history line, and no job created', async () => {
    const cancel = new AbortController()
    // Cancelled while Clari prepares the list, before any of it arrives.
    h = await startHarness({ jobListView: job => (cancel.abort(), job) })
    h.sim.listJobElsewhere(listedJob('2026_Q1', MINUTE, 1))
    const { report, events } = await h.run(h.config(), { signal: cancel.signal })
    expect(historyEvent(events)).toMatchObject({ predicted: [], jobList: 'not read, cancelled' })
    expect(report.manifest.exports.map(o => o.status)).toEqual(['CANCELLED'])
    expect(h.sim.jobs).toEqual([])
  })

  it('learns nothing from hostile job-list entries, and no server text reaches the history line', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    const hostile: Record<string, unknown>[] = [
      { ...listedJob('2026_Q1', 2 * 86_400_000, 3) },
      { ...listedJob('2026_Q1', -MINUTE, 3) },
      { ...listedJob('2026_Q1', MINUTE, 3), startTime: '1760000000000' },
      { ...listedJob('2026_Q1', MINUTE, 3), endTime: 1e300 },
      { ...listedJob('2026_Q1', MINUTE, 3), status: 'STARTED' },
      { ...listedJob('2026_Q1', MINUTE, 3), module: '::error::x' },
      {
        ...listedJob('2026_Q1', MINUTE, 3),
        fileName: 'clari_export_forecast_net_arr_eu_2026_Q1_x.json'
      }
    ]
    for (const job of hostile) h.sim.listJobElsewhere(job)
    const { report, events } = await h.run(h.config())
    expect(report.failed).toEqual([])
    const event = historyEvent(events)
    expect(event).toMatchObject({ predicted: [], unknown: ['2026_Q1'], jobList: 'read' })
    expect(JSON.stringify(event)).not.toContain('::')
  })
})
