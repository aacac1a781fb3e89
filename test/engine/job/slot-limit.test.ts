import { afterEach, describe, expect, it } from 'vitest'
import { folderSource } from '../../../src/engine/reruns/earlier-files.js'
import type { ExportEvent } from '../../../src/engine/events.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'
import { mostJobsAtOnce } from '../../simulators/clari/index.js'

// What a period tells the run when Clari refuses its create for a full concurrency limit: how
// many slots the run really has, said once, in the words the log shows.

const MINUTE = 60_000
const PERIODS = ['2025_Q1', '2025_Q2', '2025_Q3', '2025_Q4']
const NOT_FOUND = { kind: 'http', status: 404 } as const
const QUOTA_REACHED = {
  kind: 'clari-error',
  status: 400,
  code: 'export_monthly_quota_reached'
} as const

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

function concurrencyEvents(events: ExportEvent[]): ExportEvent[] {
  return events.filter(e => e.type === 'concurrency' && e.detail !== 'max-concurrent-jobs')
}

describe('a create refused for a full concurrency limit', () => {
  it('while jobs of the run hold slots: runs no more at once than it got, and says so once', async () => {
    h = await startHarness({ limits: { concurrentLimit: 3 }, plan: { durationMs: 5 * MINUTE } })
    h.sim.occupySlots(1, 120 * MINUTE)
    const { report, events } = await h.run(h.config({ periods: PERIODS, concurrency: 3 }))

    expect(report.failed).toEqual([])
    expect(concurrencyEvents(events)).toEqual([
      { type: 'concurrency', limit: 2, detail: 'Clari had only 2 slots free for this run' }
    ])
    expect(mostJobsAtOnce(h.sim.jobs)).toBe(2)
  })

  it('while colleagues hold every slot: goes one period at a time until one is free, and says so once', async () => {
    h = await startHarness({ limits: { concurrentLimit: 2 }, plan: { durationMs: 5 * MINUTE } })
    h.sim.occupySlots(2, 10 * MINUTE)
    const { report, events } = await h.run(
      h.config({ periods: PERIODS.slice(0, 2), concurrency: 2 })
    )

    expect(report.failed).toEqual([])
    expect(concurrencyEvents(events)).toEqual([
      { type: 'concurrency', limit: 1, detail: "every Clari export slot is held by others' jobs" },
      // Once a slot came free, the run's scheduler gives the run its slots back.
      { type: 'concurrency', limit: 2, detail: "Clari has room for 2 of this run's jobs again" }
    ])
  })

  it('tries a create refused while the limits show a free slot again only after a wait and a second look, each time', async () => {
    // Clari's refusal and its limits answer out of step: taken at its word, the answer would
    // have the run send refused creates back to back.
    h = await startHarness({
      plan: { durationMs: MINUTE },
      faults: [{ endpoint: 'create', times: 2, fault: QUOTA_REACHED }]
    })
    const { report, events } = await h.run(h.config())

    expect(report.failed).toEqual([])
    const asked = h.sim.requests.filter(r => r.endpoint === 'create' || r.endpoint === 'limits')
    expect(asked.map(r => r.endpoint)).toEqual([
      ...['create', 'limits', 'limits'],
      ...['create', 'limits', 'limits'],
      'create'
    ])
    expect(events.filter(e => e.type === 'waiting')).toMatchObject([
      { reason: 'concurrency-full', waitMs: expect.any(Number) },
      { reason: 'concurrency-full', waitMs: expect.any(Number) }
    ])
  })

  it('takes a limits answer that does not say how many slots are free as room, after the wait: the create finds out', async () => {
    const unsaid = { concurrentLimit: 3, monthlyQuota: 1000, availableMonthlyQuota: 999 }
    h = await startHarness({
      plan: { durationMs: MINUTE },
      faults: [
        { endpoint: 'create', times: 1, fault: QUOTA_REACHED },
        { endpoint: 'limits', fault: { kind: 'http', status: 200, body: { jobs: unsaid } } }
      ]
    })
    const { report } = await h.run(h.config())

    expect(report.failed).toEqual([])
    const asked = h.sim.requests.filter(r => r.endpoint === 'create' || r.endpoint === 'limits')
    expect(asked.map(r => r.endpoint)).toEqual(['create', 'limits', 'limits', 'create'])
  })

  it('says once how many slots the run got, when a second create is refused with no more of its jobs running', async () => {
    // 2025_Q1's earlier job still runs; once DONE, Clari no longer serves its results, so it is
    // exported anew while 2025_Q2's and 2025_Q3's jobs run: refused as 2025_Q3's first create
    // was, with as many jobs of the run running as it was told it has slots for.
    h = await startHarness({
      plan: req => ({ durationMs: (req.timePeriod === '2025_Q1' ? 8 : 15) * MINUTE })
    })
    const first = h.config({ periods: ['2025_Q1'], cancelOnTimeout: false })
    const left = await h.run({ ...first, timing: { ...first.timing, jobTimeoutMs: 5 * MINUTE } })
    expect(left.report.manifest.exports[0]!.status).toBe('TIMED_OUT')
    h.sim.addFault({ endpoint: 'results', period: '2025_Q1', times: 1, fault: NOT_FOUND })
    h.sim.addFault({ endpoint: 'create', period: '2025_Q3', times: 1, fault: QUOTA_REACHED })
    h.sim.addFault({ endpoint: 'create', period: '2025_Q1', times: 1, fault: QUOTA_REACHED })

    const config = h.config({ periods: PERIODS.slice(0, 3), concurrency: 3 })
    const { report, events } = await h.run(config, {}, folderSource(h.dir))

    expect(report.failed).toEqual([])
    expect(report.manifest.exports[0]!.anewBecause).toBe(
      'Clari no longer serves its results (HTTP 404)'
    )
    const refused = h.sim.requests.filter(r => r.endpoint === 'create' && r.status === 400)
    expect(refused.map(r => r.period)).toEqual(['2025_Q3', '2025_Q1'])
    expect(concurrencyEvents(events)).toEqual([
      { type: 'concurrency', limit: 2, detail: 'Clari had only 2 slots free for this run' }
    ])
  })
})
