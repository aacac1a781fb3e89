import type { Clock, Random } from '../base/clock.js'
import type { DurationObservation, DurationPrediction } from './durations.js'
import type { EventSink } from './events.js'

/** What a run takes from its surroundings; every field has a production default. */
export interface EngineDeps {
  clock?: Clock
  /**
   * Times the 5 s grace a cancel's requests get: `systemClock` unless a test passes another. Real
   * time whatever `clock` is, since a virtual clock stands still while a hung request is in flight.
   */
  graceClock?: Clock
  random?: Random
  /** Aborted on SIGINT/SIGTERM: every wait and request stops, the jobs in flight are cancelled. */
  signal?: AbortSignal
  onEvent?: EventSink
  pollSchedule?: PollScheduleFactory
  /** Pause between requests; tests on a virtual clock may set 0. */
  minRequestSpacingMs?: number
  /** Wait before the first request (scheduled runs spread the top-of-the-hour herd). */
  startDelayMs?: number
  /**
   * Durations of earlier jobs that the adapter knows (the ledger of earlier runs): the port
   * through which they reach the duration model (src/engine/history/). Untrusted: every field
   * is checked there, and observations of other forecasts, periods or parameters are ignored.
   */
  history?: readonly DurationObservation[]
}

/** When to check a running job next. `k` is the 0-based index of the status check to come. */
export interface PollSchedule {
  delayBefore(k: number, elapsedMs: number): number
  /** Told how long the job ran once it is DONE (Clari's own timestamps when it sent them). */
  jobDone?(durationMs: number): void
  /**
   * Resolves when another job of the run taught the schedule something that may move this
   * job's next check (the poll loop then plans again); rejects when `signal` aborts.
   */
  nextLesson?(signal: AbortSignal): Promise<void>
}

/**
 * Builds the schedule for one period; `history` holds how long the run's finished periods took,
 * and may grow while the period polls; `othersPolling` counts the run's other jobs in flight;
 * `predicted` is how long earlier runs say this period's job takes, when they know.
 */
export type PollScheduleFactory = (
  history: readonly number[],
  othersPolling?: number,
  predicted?: DurationPrediction
) => PollSchedule
