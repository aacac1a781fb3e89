import type { PeriodStatus } from '../outcome.js'

/** Why a period was not started: the outcome it gets instead. */
export interface StopReason {
  status: PeriodStatus
  error: string
}

/** One period's hold on an export slot, from just before its create until it is finished. */
export interface Lease {
  /** The period has a job at Clari: the next period may now be granted a slot. */
  jobStarted(): void
  /** The job ended at Clari, so it no longer holds one of the organisation's slots. */
  jobEnded(): void
  /** The period is finished. Safe to call more than once. */
  release(): void
}

/**
 * The run's export slots as one period sees them while it waits for room at Clari: the run's
 * scheduler (run/scheduler.ts) implements it.
 */
export interface RunSlots {
  readonly limit: number
  readonly jobsRunning: number
  readonly jobsEnded: number
  readonly stopped: StopReason | undefined
  setLimit(limit: number): void
  whenJobEnded(after: number, signal: AbortSignal): Promise<void>
}

/** A period that was waiting for a slot when the run stopped granting them. */
export class NotStartedError extends Error {
  override readonly name = 'NotStartedError'
  constructor(readonly reason: StopReason) {
    super(reason.error)
  }
}
