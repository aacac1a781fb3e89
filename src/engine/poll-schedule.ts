import { pollDelay, type PollIntervals } from '../retry/backoff.js'
import type { Random } from '../retry/clock.js'

/** When to check a running job next. `k` is the 0-based index of the status check to come. */
export interface PollSchedule {
  delayBefore(k: number, elapsedMs: number): number
}

/** Builds the schedule for one period; `history` holds how long earlier periods of this run took. */
export type PollScheduleFactory = (history: readonly number[]) => PollSchedule

/** Policy R: first check after the initial interval, then ×factor up to the cap, jittered. */
export function backoffSchedule(intervals: PollIntervals, random: Random): PollSchedule {
  return { delayBefore: k => pollDelay(k, intervals, random) }
}
