import type { Random } from '../src/base/clock.js'
import { startHarness } from '../test/helpers/engine-harness.js'
import type { ClariSimulatorOptions } from '../test/simulators/clari/index.js'
import type { JobResult, RunResult } from './model.js'
import type { Contender } from './schedules.js'

export const PERIODS = [
  '2024_Q1',
  '2024_Q2',
  '2024_Q3',
  '2024_Q4',
  '2025_Q1',
  '2025_Q2',
  '2025_Q3',
  '2025_Q4'
]

export interface HttpRunResult extends RunResult {
  requests: number
  throttled: number
  /** 429s answered in a rate-limit window that had already answered one. */
  repeatThrottled: number
}

/**
 * One export run of the real engine (runExport, ClariClient, wait-for-job, retry layer) over real
 * loopback HTTP against the Clari simulator, on a virtual clock so hours take milliseconds.
 */
export async function httpRun(
  contender: Contender,
  durations: readonly number[],
  random: Random,
  options: { maxPollMs: number; rateLimit?: ClariSimulatorOptions['rateLimit'] }
): Promise<HttpRunResult> {
  const h = await startHarness({
    plan: req => ({ durationMs: durations[req.index] }),
    rateLimit: options.rateLimit
  })
  try {
    const periods = PERIODS.slice(0, durations.length)
    const config = h.config({
      periods,
      // The schedule under test alone: nothing learned from earlier runs, no job-list read.
      history: 'none',
      timing: {
        ...h.config().timing,
        maxPollIntervalMs: options.maxPollMs,
        jobTimeoutMs: 3 * 3_600_000
      }
    })
    const startedAt = h.clock.now()
    const { report } = await h.run(config, {
      random,
      pollSchedule: contender.factory(durations, random),
      // Without a limiter the oracle must land exactly on the finish; with one, keep the default.
      minRequestSpacingMs: options.rateLimit ? undefined : 0
    })
    if (report.failed.length > 0) {
      throw new Error(`${contender.name}: ${report.failed.map(f => f.error).join('; ')}`)
    }
    const pauses = (durations.length - 1) * contender.pauseBetweenPeriodsMs
    const jobs: JobResult[] = h.sim.jobs.map((job, period) => {
      const doneAt = job.createdAt + (job.plan.durationMs ?? 0)
      const polls = h.sim.requests.filter(
        r => r.endpoint === 'status' && r.jobId === job.jobId && r.status === 200
      )
      const seenAt = polls.find(r => r.at >= doneAt)?.at ?? NaN
      return {
        period,
        durationMs: job.plan.durationMs ?? 0,
        statusPolls: polls.length,
        delayMs: seenAt - doneAt
      }
    })
    const windowMs = options.rateLimit?.windowMs ?? 1
    const throttledWindows = h.sim.requests
      .filter(r => r.status === 429)
      .map(r => Math.floor(r.at / windowMs))
    return {
      jobs,
      wallMs: h.clock.now() - startedAt + pauses,
      requests: h.sim.requests.length,
      throttled: throttledWindows.length,
      repeatThrottled: throttledWindows.length - new Set(throttledWindows).size
    }
  } finally {
    await h.close()
  }
}
