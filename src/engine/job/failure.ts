import { ClariApiError } from '../../clari/errors.js'
import { CancelledError } from '../../base/abort.js'
import { errorMessage } from '../../base/error-message.js'
import { RetryBudgetError } from '../../retry/retry.js'
import {
  DEFAULT_KEY_SOURCE,
  isKeyRejected,
  JobFailedError,
  JobTimeoutError,
  KeyRejectedError,
  QuotaError
} from '../errors.js'
import type { PeriodStatus } from '../outcome.js'
import { NotStartedError, type StopReason } from './slots.js'

/** The run's in-flight periods are being cancelled because fail-fast saw `period` fail. */
export class FailFastError extends CancelledError {
  constructor(period: string) {
    super()
    this.message = `cancelled: fail-fast after ${period} failed`
  }
}

/** What the run does after a period failed. */
export type RunAction =
  | { kind: 'continue' }
  /** Start no further period; cancel the ones in flight too, or let them finish. */
  | { kind: 'stop'; notStarted: StopReason; cancelInFlight: boolean }

export interface FailureVerdict {
  status: PeriodStatus
  error: string
  errorCode?: string
  errorId?: string
  /** The job may still run at Clari and is being abandoned: cancel it to free quota and a slot. */
  cancelJob: boolean
  run: RunAction
}

export interface FailureContext {
  period: string
  /** The reason the period's signal aborted with, if it did. */
  abortReason?: unknown
  cancelOnTimeout: boolean
  failFast: boolean
  /** Whether the period's job was still running at Clari when it failed. */
  jobRunning: boolean
  /** Where the user set the key (input keySource of the config). */
  keySource?: string
}

const CONTINUE: RunAction = { kind: 'continue' }

/**
 * Turns why a period ended early into its outcome and what the run must do next. Pure: the
 * caller carries out the cancel and the stop, and cleans the text before anyone sees it.
 */
export function classifyFailure(error: unknown, ctx: FailureContext): FailureVerdict {
  if (error instanceof NotStartedError) return { ...error.reason, cancelJob: false, run: CONTINUE }
  if (ctx.abortReason !== undefined || error instanceof CancelledError) {
    const reason = ctx.abortReason ?? error
    const message = reason instanceof FailFastError ? reason.message : 'the run was cancelled'
    return { status: 'CANCELLED', error: message, cancelJob: true, run: CONTINUE }
  }
  const failFast: RunAction = ctx.failFast
    ? {
        kind: 'stop',
        notStarted: {
          status: 'CANCELLED',
          error: `not started: fail-fast after ${ctx.period} failed`
        },
        cancelInFlight: true
      }
    : CONTINUE
  if (error instanceof JobFailedError) {
    const status = KNOWN_FAILURES.includes(error.status) ? (error.status as PeriodStatus) : 'FAILED'
    return { status, error: error.message, cancelJob: false, run: failFast }
  }
  if (error instanceof JobTimeoutError) {
    // A job that is DONE and only its download ran out of time has nothing left to cancel.
    const cancelJob = ctx.cancelOnTimeout && error.phase === 'job'
    return { status: 'TIMED_OUT', error: error.message, cancelJob, run: failFast }
  }
  const runWide = runWideReason(error)
  const run: RunAction = runWide
    ? {
        kind: 'stop',
        notStarted: { status: 'ERROR', error: `not started: ${runWide}` },
        cancelInFlight: ctx.failFast
      }
    : failFast
  const api = error instanceof RetryBudgetError ? error.cause : error
  // Giving up on a job Clari still runs (a throttle asking too long, a refused status check)
  // abandons it as a timeout does: cancel it, as cancel-on-timeout says, to free quota and slot.
  const cancelJob = ctx.jobRunning && ctx.cancelOnTimeout
  // The first period the key fails says what to check; the periods not started then say why.
  const message = isKeyRejected(error)
    ? new KeyRejectedError(ctx.keySource ?? DEFAULT_KEY_SOURCE, error).message
    : errorMessage(error)
  const verdict: FailureVerdict = { status: 'ERROR', error: message, cancelJob, run }
  if (api instanceof ClariApiError) return { ...verdict, errorCode: api.code, errorId: api.errorId }
  return verdict
}

const KNOWN_FAILURES: readonly string[] = ['FAILED', 'CANCELLED', 'ABORTED']

/** Failures that no later period can escape: creating more jobs would fail the same way. */
function runWideReason(error: unknown): string | undefined {
  if (error instanceof QuotaError) return error.message
  if (isKeyRejected(error)) return 'Clari rejected the API key'
  return undefined
}
