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
  /**
   * Resolves when the period may send a create: at once for its first, which the grant already
   * ordered; for one sent after its job started (an earlier job exported anew), once no other
   * create of the run is unsettled, and no slot is granted until this one settles too
   * (`jobStarted`, or `release`). Rejects when `signal` aborts.
   */
  createTurn(signal: AbortSignal): Promise<void>
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
