import type { Clock, Random } from '../base/clock.js'
import type { EventSink } from './events.js'
import type { PollScheduleFactory } from './poll-schedule.js'

/** What a run takes from its surroundings; every field has a production default. */
export interface EngineDeps {
  clock?: Clock
  random?: Random
  /** Aborted on SIGINT/SIGTERM: every wait and request stops, the jobs in flight are cancelled. */
  signal?: AbortSignal
  onEvent?: EventSink
  pollSchedule?: PollScheduleFactory
  /** Pause between requests; tests on a virtual clock may set 0. */
  minRequestSpacingMs?: number
  /** Wait before the first request (scheduled runs spread the top-of-the-hour herd). */
  startDelayMs?: number
}
