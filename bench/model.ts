import type { Random } from '../src/base/clock.js'
import type { Contender } from './schedules.js'

/** One job as a schedule saw it. */
export interface JobResult {
  period: number
  durationMs: number
  statusPolls: number
  /** From the job's finish to the check that saw it. */
  delayMs: number
}

export interface RunResult {
  jobs: JobResult[]
  wallMs: number
}

const MAX_POLLS = 100_000

/**
 * Replays one run in zero-latency time through the schedule objects the action uses: the same
 * `delayBefore(k, elapsed)` calls as wait-for-job.ts, the same `jobDone` report (Clari's
 * endTime - startTime) and the same history run-export.ts passes (time until the job was seen).
 */
export function modelRun(
  contender: Contender,
  durations: readonly number[],
  random: Random
): RunResult {
  const factory = contender.factory(durations, random)
  const history: number[] = []
  const jobs: JobResult[] = []
  let wallMs = 0
  for (const [period, durationMs] of durations.entries()) {
    const schedule = factory(history)
    let t = 0
    let statusPolls = 0
    while (statusPolls < MAX_POLLS) {
      t += Math.max(0, schedule.delayBefore(statusPolls, t))
      statusPolls++
      if (t >= durationMs) break
    }
    schedule.jobDone?.(durationMs)
    history.push(t)
    jobs.push({ period, durationMs, statusPolls, delayMs: t - durationMs })
    wallMs += t + (period < durations.length - 1 ? contender.pauseBetweenPeriodsMs : 0)
  }
  return { jobs, wallMs }
}
