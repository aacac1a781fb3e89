import { describe, expect, it } from 'vitest'
import type { ClariClient } from '../../../src/clari/client.js'
import { ClariApiError } from '../../../src/clari/errors.js'
import type { CreateExportBody, ExportJob, ExportLimits } from '../../../src/clari/types.js'
import { VirtualClock } from '../../../src/base/virtual-clock.js'
import { ConcurrencyTimeoutError, UnprovenJobError } from '../../../src/engine/errors.js'
import type { ExportEvent } from '../../../src/engine/events.js'
import {
  findCreatedJob,
  provenance,
  startJob,
  type StartJobContext
} from '../../../src/engine/job/start-job.js'

// How a period gets its job when Clari's slots are full, and which job a lost create adopts:
// decisions on Clari's answers, on a virtual clock with a client that answers in-process (the
// engine's tests over sockets run the same paths end to end).

const SECOND = 1_000
const body = { timePeriod: '2026_Q1' } as CreateExportBody
const quotaReached = (): ClariApiError =>
  new ClariApiError(400, 'create export', { code: 'export_monthly_quota_reached' })

/** Creates are refused for a full limit until the limits show a free slot; then job-2 is made. */
function fullSlotsClient(limits: ExportLimits[]): { client: ClariClient; creates: () => number } {
  let creates = 0
  let reads = 0
  const client = {
    createExport: async () => {
      creates++
      if (reads === 0 || (limits[reads - 1]!.availableConcurrentLimit ?? 0) <= 0)
        throw quotaReached()
      return 'job-2'
    },
    getLimits: async () => limits[Math.min(reads++, limits.length - 1)]!
  } as unknown as ClariClient
  return { client, creates: () => creates }
}

function slotContext(clock: VirtualClock, deadline: number, othersRunning = 0) {
  const events: ExportEvent[] = []
  const calls = { alone: 0, waitedFor: [] as number[] }
  const ctx: StartJobContext = {
    signal: new AbortController().signal,
    deadline,
    clock,
    // Jitter at its midpoint: the first wait for a slot is exactly initialMs.
    random: () => 0.5,
    onEvent: e => events.push(e),
    slotWait: { initialMs: 5 * SECOND, factor: 2, maxMs: 60 * SECOND },
    ownedJobIds: new Set(),
    slot: {
      othersRunning: () => othersRunning,
      waitForOneOfOurs: async running => {
        calls.waitedFor.push(running)
      },
      alone: () => {
        calls.alone++
      }
    }
  }
  return { ctx, events, calls }
}

const full: ExportLimits = {
  concurrentLimit: 3,
  availableConcurrentLimit: 0,
  availableMonthlyQuota: 9
}
const free: ExportLimits = {
  concurrentLimit: 3,
  availableConcurrentLimit: 1,
  availableMonthlyQuota: 9
}

describe('startJob: every slot held by others', () => {
  it('fails at once, without waiting, when the wait for a slot would pass the deadline', async () => {
    const clock = new VirtualClock()
    const { client } = fullSlotsClient([full])
    const { ctx, events, calls } = slotContext(clock, 5 * SECOND - 1)
    const error = await startJob(client, 'net_arr', body, ctx).catch(e => e)
    expect(error).toBeInstanceOf(ConcurrencyTimeoutError)
    expect(error.message).toContain('concurrency limit (3) stayed full until job-timeout')
    expect(clock.now()).toBe(0)
    expect(events).toEqual([])
    expect(calls.alone).toBe(1)
  })

  it('waits for a slot up to the deadline exactly, says why, and creates the job once one is free', async () => {
    const clock = new VirtualClock()
    const { client, creates } = fullSlotsClient([full, free])
    const { ctx, events } = slotContext(clock, 5 * SECOND)
    expect(await startJob(client, 'net_arr', body, ctx)).toEqual({ jobId: 'job-2', adopted: false })
    expect(events).toEqual([
      {
        type: 'waiting',
        period: '2026_Q1',
        reason: 'concurrency-full',
        waitMs: 5 * SECOND,
        detail: 'all 3 export slots are busy'
      }
    ])
    expect(clock.now()).toBe(5 * SECOND)
    expect(creates()).toBe(2)
  })

  it('says "?" for a limit Clari did not give', async () => {
    const clock = new VirtualClock()
    const { client } = fullSlotsClient([{ ...full, concurrentLimit: undefined }, free])
    const { ctx, events } = slotContext(clock, 60 * SECOND)
    await startJob(client, 'net_arr', body, ctx)
    expect(events).toMatchObject([{ detail: 'all ? export slots are busy' }])
  })
})

describe('startJob: the slots are full with jobs of this run', () => {
  it('waits for one of them and says how many hold the slots', async () => {
    const clock = new VirtualClock()
    const { client } = fullSlotsClient([full, free])
    const { ctx, events, calls } = slotContext(clock, 60 * SECOND, 2)
    await startJob(client, 'net_arr', body, ctx)
    expect(calls.waitedFor[0]).toBe(2)
    expect(events[0]).toEqual({
      type: 'waiting',
      period: '2026_Q1',
      reason: 'concurrency-full',
      detail: "Clari's export slots are full; waiting for one of the 2 jobs of this run to finish"
    })
  })
})

const SENT_AT = Date.UTC(2026, 10, 28, 3, 0, 0)
const ourFile = 'clari_export_forecast_net_arr_2026_Q1.json'

/** `serverClock` without an offset: no answer carried a Date header. */
async function adopt(
  jobs: ExportJob[],
  serverClock: { serverClockAheadMs?: number } = { serverClockAheadMs: 0 }
): Promise<string | undefined> {
  const client = { listJobs: async () => jobs, ...serverClock } as unknown as ClariClient
  const ctx = {
    signal: new AbortController().signal,
    deadline: Infinity,
    ownedJobIds: new Set<string>()
  }
  return findCreatedJob(client, 'net_arr', '2026_Q1', SENT_AT, ctx)
}

describe('findCreatedJob: the job a lost create made', () => {
  it('adopts a job of this export started the very millisecond the create was sent', async () => {
    expect(await adopt([{ jobId: 'job-1', fileName: ourFile, startTime: SENT_AT }])).toBe('job-1')
  })

  it('adopts none of several jobs that could each be it, and names them all', async () => {
    const error = await adopt([
      { jobId: 'job-1', fileName: ourFile, startTime: SENT_AT + 10 },
      { jobId: 'job-2', fileName: ourFile, startTime: SENT_AT + 20 }
    ]).catch(e => e)
    expect(error).toBeInstanceOf(UnprovenJobError)
    expect(error.reason).toBe('several')
    expect(error.jobIds).toEqual(['job-1', 'job-2'])
    expect(error.message).toContain('2 jobs of net_arr 2026_Q1 started since (job-1, job-2)')
  })

  it('counts a listed job without an id as not ours: creating again is safe', async () => {
    expect(await adopt([{ status: 'STARTED', startTime: SENT_AT + 10 }])).toBeUndefined()
  })
})

describe("findCreatedJob: what keeps a listed job from being proven the lost create's", () => {
  const want = { forecastId: 'net_arr', period: '2026_Q1', owned: new Set<string>() }
  const dated = { ...want, notBefore: SENT_AT }
  const otherFile = 'clari_export_forecast_net_arr_2026_Q2.json'
  it.each([
    {
      name: 'ours: names this export, started since',
      job: { fileName: ourFile, startTime: SENT_AT },
      want: dated,
      is: 'ours'
    },
    {
      name: 'not ours: started before the create',
      job: { startTime: SENT_AT - 1 },
      want: dated,
      is: 'not-ours'
    },
    { name: 'not ours: another period', job: { fileName: otherFile }, want, is: 'not-ours' },
    {
      name: 'unnamed: no file name, started since',
      job: { startTime: SENT_AT },
      want: dated,
      is: { unnamed: true }
    },
    {
      name: 'undated: names this export, no start time',
      job: { fileName: ourFile },
      want: dated,
      is: { unnamed: false, undated: 'no-start-time' }
    },
    {
      name: 'undated: names this export, no Date header',
      job: { fileName: ourFile, startTime: SENT_AT },
      want,
      is: { unnamed: false, undated: 'no-date-header' }
    },
    {
      name: 'undated: no Date header, and no start time either',
      job: { fileName: ourFile },
      want,
      is: { unnamed: false, undated: 'no-date-header' }
    },
    {
      name: 'unnamed and undated: no file name, no start time',
      job: {},
      want: dated,
      is: { unnamed: true, undated: 'no-start-time' }
    },
    {
      name: 'unnamed and undated: no file name, no Date header',
      job: { startTime: SENT_AT },
      want,
      is: { unnamed: true, undated: 'no-date-header' }
    }
  ])('$name', ({ job, want, is }) => {
    expect(provenance({ jobId: 'job-1', ...job }, want)).toEqual(is)
  })

  it('without a Date header, says the job exports this period and its start is what is unknown', async () => {
    const error = await adopt(
      [{ jobId: 'job-1', fileName: ourFile, startTime: SENT_AT }],
      {}
    ).catch(e => e)
    expect(error).toBeInstanceOf(UnprovenJobError)
    expect(error.doubts).toEqual([{ jobId: 'job-1', unnamed: false, undated: 'no-date-header' }])
    expect(error.message).toContain(
      'job(s) job-1 export net_arr 2026_Q1 and may be it, but no answer from Clari carried a readable Date header'
    )
    expect(error.message).toContain("(2026-11-28T03:00:00.000Z by the runner's clock)")
  })
})
