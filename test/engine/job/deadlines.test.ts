import { describe, expect, it } from 'vitest'
import type { ClariClient } from '../../../src/clari/client.js'
import { ClariApiError, NetworkError } from '../../../src/clari/errors.js'
import { CancelledError } from '../../../src/base/abort.js'
import type { ExportJob } from '../../../src/clari/types.js'
import { VirtualClock } from '../../../src/base/virtual-clock.js'
import type { PollSchedule } from '../../../src/engine/deps.js'
import { JobTimeoutError } from '../../../src/engine/errors.js'
import type { ExportEvent } from '../../../src/engine/events.js'
import { downloadPayload } from '../../../src/engine/job/download.js'
import { waitForJob, type WaitContext } from '../../../src/engine/job/wait-for-job.js'

// The deadline arithmetic of the job's waits (polling, downloading; waiting for a slot is in
// start-job.test.ts), on a virtual clock and a client that answers in-process: what is under test
// is when each loop sleeps, checks and gives up, not HTTP (the client's own tests and the
// engine's run that over sockets).

const SECOND = 1_000
const intervals = { initialMs: 5 * SECOND, factor: 1.5, maxMs: 30 * SECOND }
/** Jitter at its midpoint: pollDelay(k) is then exactly initialMs × factor^k. */
const midRandom = (): number => 0.5

/** A clock already 100 s into the run, so "since the job started" differs from "since 0". */
function clockAt100s(): VirtualClock {
  const clock = new VirtualClock()
  clock.advance(100 * SECOND)
  return clock
}

function waitContext(clock: VirtualClock, startedAt: number, deadline: number): WaitContext {
  return {
    clock,
    random: midRandom,
    signal: new AbortController().signal,
    deadline,
    onWait: () => {},
    onEvent: () => {},
    stats: { statusPolls: 0 },
    startedAt,
    intervals,
    limits: { maxRetryAfterMs: 600 * SECOND },
    describe: error => String(error)
  }
}

/** A job that answers `status` to every check, and the clock times of those checks. */
function statusClient(
  clock: VirtualClock,
  status: string
): { client: ClariClient; checks: number[] } {
  const checks: number[] = []
  const job: ExportJob = { jobId: 'job-1', status }
  const client = {
    getJob: async () => {
      checks.push(clock.now())
      return { job }
    }
  } as unknown as ClariClient
  return { client, checks }
}

describe('waitForJob: job-timeout', () => {
  it('plans each check by the time since the job started, and checks once more at the deadline', async () => {
    const clock = clockAt100s()
    const { client, checks } = statusClient(clock, 'STARTED')
    const asked: [number, number][] = []
    const schedule: PollSchedule = {
      delayBefore: (k, elapsedMs) => {
        asked.push([k, elapsedMs])
        return 10 * SECOND
      }
    }
    const ctx = waitContext(clock, 90 * SECOND, 125 * SECOND)
    const error = await waitForJob(client, 'job-1', '2026_Q1', schedule, ctx).catch(e => e)
    expect(error).toBeInstanceOf(JobTimeoutError)
    expect(error.elapsedMs).toBe(35 * SECOND)
    expect(checks).toEqual([110 * SECOND, 120 * SECOND, 125 * SECOND])
    expect(asked).toEqual([
      [0, 10 * SECOND],
      [1, 20 * SECOND],
      [2, 30 * SECOND]
    ])
  })

  it('makes a check that lands exactly on the deadline the last one', async () => {
    const clock = clockAt100s()
    const { client, checks } = statusClient(clock, 'STARTED')
    const schedule: PollSchedule = { delayBefore: () => 10 * SECOND }
    const ctx = waitContext(clock, 100 * SECOND, 120 * SECOND)
    const error = await waitForJob(client, 'job-1', '2026_Q1', schedule, ctx).catch(e => e)
    expect(error).toBeInstanceOf(JobTimeoutError)
    expect(checks).toEqual([110 * SECOND, 120 * SECOND])
  })
})

/**
 * A schedule that polls every 30 s until a job of the run finishes 5 s into the first sleep, and
 * every 8 s after that lesson; it records the elapsed times it was asked about.
 */
function learningSchedule(clock: VirtualClock): { schedule: PollSchedule; asked: number[] } {
  const asked: number[] = []
  let taught = false
  let lessons = 0
  const schedule: PollSchedule = {
    delayBefore: (_k, elapsedMs) => {
      asked.push(elapsedMs)
      return taught ? 8 * SECOND : 30 * SECOND
    },
    nextLesson: async signal => {
      if (lessons++ > 0)
        return new Promise<void>((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason))
        )
      await clock.sleep(5 * SECOND, signal)
      taught = true
    }
  }
  return { schedule, asked }
}

describe('waitForJob: a lesson from another job of the run', () => {
  it('plans the check again from the time of the lesson', async () => {
    const clock = clockAt100s()
    const { client, checks } = statusClient(clock, 'DONE')
    const { schedule, asked } = learningSchedule(clock)
    const ctx = waitContext(clock, 90 * SECOND, 160 * SECOND)
    await waitForJob(client, 'job-1', '2026_Q1', schedule, ctx)
    // Lesson at 105 s (15 s after the job started): next check 8 s later, not at 130 s.
    expect(asked).toEqual([10 * SECOND, 15 * SECOND])
    expect(checks).toEqual([113 * SECOND])
  })

  it('makes the replanned check the last one when it lands on the deadline', async () => {
    const clock = clockAt100s()
    const { client, checks } = statusClient(clock, 'STARTED')
    const { schedule } = learningSchedule(clock)
    const ctx = waitContext(clock, 90 * SECOND, 113 * SECOND)
    const error = await waitForJob(client, 'job-1', '2026_Q1', schedule, ctx).catch(e => e)
    expect(error).toBeInstanceOf(JobTimeoutError)
    expect(checks).toEqual([113 * SECOND])
  })
})

/** A download whose every try fails with `fail(signal)`; counts the tries. */
function failingDownload(fail: (signal: AbortSignal) => Promise<never>): {
  client: ClariClient
  tries: () => number
} {
  let tries = 0
  const client = {
    downloadResults: async (_id: string, _write: unknown, call: { signal: AbortSignal }) => {
      tries++
      return fail(call.signal)
    }
  } as unknown as ClariClient
  return { client, tries: () => tries }
}

function downloadContext(
  clock: VirtualClock,
  deadline: number,
  signal = new AbortController().signal
) {
  const waits: number[] = []
  const ctx = {
    clock,
    random: midRandom,
    signal,
    deadline,
    startedAt: 40 * SECOND,
    intervals,
    limits: { maxRetryAfterMs: 600 * SECOND },
    onWait: (wait: { waitMs: number }) => waits.push(wait.waitMs),
    describe: (error: unknown) => (error instanceof Error ? error.message : String(error))
  }
  return { ctx, waits }
}

const target = { dir: '/nonexistent', fileName: 'payload.json', period: '2026_Q1' } as never
const serverError = (): Promise<never> =>
  Promise.reject(new ClariApiError(500, 'download results', undefined))

describe('downloadPayload: job-timeout', () => {
  it('fails at once, as a download that timed out, when the retry would end at the deadline', async () => {
    const clock = clockAt100s()
    const { client, tries } = failingDownload(serverError)
    // The first retry waits initialMs (5 s): exactly up to the deadline, so nothing could follow it.
    const { ctx, waits } = downloadContext(clock, 105 * SECOND)
    const error = await downloadPayload(client, 'job-1', target, ctx).catch(e => e)
    expect(error).toBeInstanceOf(JobTimeoutError)
    expect(error.phase).toBe('download')
    // The job itself finished: only its results ran out of time.
    expect(error.lastStatus).toBe('DONE')
    expect(error.elapsedMs).toBe(60 * SECOND)
    expect(error.message).toMatch(
      /^the job is DONE, but its results did not download within job-timeout \(60 s; last error: .*500/
    )
    expect(tries()).toBe(1)
    expect(waits).toEqual([])
    expect(clock.now()).toBe(100 * SECOND)
  })

  it('retries while the deadline leaves room for another try', async () => {
    const clock = clockAt100s()
    const { client, tries } = failingDownload(serverError)
    const { ctx, waits } = downloadContext(clock, 106 * SECOND)
    const error = await downloadPayload(client, 'job-1', target, ctx).catch(e => e)
    expect(error).toBeInstanceOf(JobTimeoutError)
    expect(waits).toEqual([5 * SECOND])
    expect(tries()).toBe(2)
    expect(clock.now()).toBe(105 * SECOND)
  })

  it('ends a transfer the deadline cuts off as a download that timed out', async () => {
    const clock = clockAt100s()
    // As the transport does: a request whose signal aborts fails with the signal's reason.
    const { client } = failingDownload(async signal => {
      await clock.sleep(60 * SECOND, signal)
      throw new Error('unreachable: the deadline comes first')
    })
    const { ctx } = downloadContext(clock, 130 * SECOND)
    const error = await downloadPayload(client, 'job-1', target, ctx).catch(e => e)
    expect(error).toBeInstanceOf(JobTimeoutError)
    expect(error.phase).toBe('download')
    expect(clock.now()).toBe(130 * SECOND)
  })

  it('ends at once with the failure when the run is cancelled during a try', async () => {
    const clock = clockAt100s()
    const run = new AbortController()
    const broken = new NetworkError('socket hang up', 'ECONNRESET', true)
    const { client, tries } = failingDownload(async () => {
      run.abort(new CancelledError())
      throw broken
    })
    const { ctx, waits } = downloadContext(clock, 500 * SECOND, run.signal)
    const error = await downloadPayload(client, 'job-1', target, ctx).catch(e => e)
    expect(error).toBe(broken)
    expect(tries()).toBe(1)
    expect(waits).toEqual([])
  })
})

describe('waitForJob: what the server asks for', () => {
  it('honours a throttle that asks for quiet past the deadline, and ends the period at the deadline', async () => {
    const clock = clockAt100s()
    let checks = 0
    const client = {
      getJob: async () => {
        checks++
        throw new ClariApiError(429, 'job status', undefined, {
          kind: 'delay',
          ms: 60 * SECOND,
          raw: '60'
        })
      }
    } as unknown as ClariClient
    const schedule: PollSchedule = { delayBefore: () => 10 * SECOND }
    const ctx = waitContext(clock, 100 * SECOND, 130 * SECOND)
    const error = await waitForJob(client, 'job-1', '2026_Q1', schedule, ctx).catch(e => e)
    expect(error).toBeInstanceOf(JobTimeoutError)
    expect(error.message).toContain('last error')
    expect(checks).toBe(1)
    expect(clock.now()).toBe(130 * SECOND)
  })

  it.each([
    [500, 1 * SECOND],
    [300 * SECOND, 120 * SECOND]
  ])(
    'bounds a Retry-After of %i ms on a status answer to %i ms before the next check',
    async (hintMs, waitMs) => {
      const clock = clockAt100s()
      const checks: number[] = []
      const client = {
        getJob: async () => {
          checks.push(clock.now())
          const status = checks.length === 1 ? 'STARTED' : 'DONE'
          return {
            job: { jobId: 'job-1', status },
            retryAfter: { kind: 'delay', ms: hintMs, raw: 'x' }
          }
        }
      } as unknown as ClariClient
      const schedule: PollSchedule = { delayBefore: () => 10 * SECOND }
      await waitForJob(
        client,
        'job-1',
        '2026_Q1',
        schedule,
        waitContext(clock, 100 * SECOND, 1000 * SECOND)
      )
      expect(checks).toEqual([110 * SECOND, 110 * SECOND + waitMs])
    }
  )

  it('reports a job without a status as "unknown"', async () => {
    const clock = clockAt100s()
    const events: ExportEvent[] = []
    let checks = 0
    const client = {
      getJob: async () => ({
        job: checks++ === 0 ? { jobId: 'job-1' } : { jobId: 'job-1', status: 'DONE' }
      })
    } as unknown as ClariClient
    const ctx = {
      ...waitContext(clock, 100 * SECOND, 1000 * SECOND),
      onEvent: (e: ExportEvent) => events.push(e)
    }
    await waitForJob(client, 'job-1', '2026_Q1', { delayBefore: () => 10 * SECOND }, ctx)
    expect(events.slice(0, 2)).toMatchObject([
      { type: 'unknown-status', status: 'unknown' },
      { type: 'status', status: 'unknown', poll: 1 }
    ])
  })
})
