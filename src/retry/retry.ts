import { CancelledError } from '../base/abort.js'
import {
  fullJitter,
  pollDelay,
  throttleDelay,
  throttleFallback,
  type PollIntervals
} from './backoff.js'
import type { RetryBudget } from './budget.js'
import type { Clock, Random } from '../base/clock.js'
import { errorMessage } from '../base/error-message.js'
import type { RetryAfterHint } from './retry-after.js'

/**
 * A table of retry rules gives one rule per endpoint and answer (Clari's is
 * src/clari/retry-rules.ts); the code here is what its verdicts and caps mean.
 */
export type RetryRule = Retry | Throttle | { verdict: string }

/** Try again after a backoff: a transient failure. */
export interface Retry {
  verdict: 'retry'
  /**
   * Retries of this answer within one call (layer 1), counted apart from the call's other
   * failures; each retry counts towards the call's `maxAttempts` too.
   */
  perCall?: number
  /**
   * Retries of this answer within a loop that keeps trying on its own schedule until a deadline
   * (layer 2: a status poll, a finished job's download); default: until the deadline.
   */
  perLoop?: number
}

/** Wait as the server asks (or back off without a hint); uses up no attempt. */
export interface Throttle {
  verdict: 'throttle'
}

/**
 * One failed attempt as the rules read it: the answer (caps are counted per answer), its rule,
 * and the server's Retry-After when it sent one. Any verdict but `retry` and `throttle` ends the
 * call at once with the error; its caller acts on it.
 */
export type FailedAttempt = RetryRule & { answer: string; hint?: RetryAfterHint }

/** A failed attempt that is tried again. */
export type RetriedAttempt = FailedAttempt & (Retry | Throttle)

const NO_HINT: RetryAfterHint = { kind: 'none', reason: 'absent' }

function isRetry(failure: FailedAttempt): failure is FailedAttempt & Retry {
  // Stryker disable next-line ConditionalExpression: a throttle has no perLoop cap, so counting its retries never ends a loop
  return failure.verdict === 'retry'
}

function isRetried(failure: FailedAttempt): failure is RetriedAttempt {
  return failure.verdict === 'retry' || failure.verdict === 'throttle'
}

export interface RetryLimits {
  /** Attempts per call for transient failures (the first one included). */
  maxAttempts: number
  transientBaseMs: number
  transientCapMs: number
  /** A server-requested wait above this fails at once instead of parking the runner. */
  maxRetryAfterMs: number
  /** Total throttle wait one call may spend. */
  maxThrottleMs: number
}

export const DEFAULT_RETRY_LIMITS: RetryLimits = {
  maxAttempts: 5,
  transientBaseMs: 1_000,
  transientCapMs: 20_000,
  maxRetryAfterMs: 300_000,
  maxThrottleMs: 15 * 60_000
}

export interface RetryWait {
  kind: 'throttle' | 'retry'
  waitMs: number
  error: unknown
}

export interface RetryContext {
  clock: Clock
  random: Random
  budget: RetryBudget
  limits: RetryLimits
  signal: AbortSignal
  /** Monotonic time (clock.now()) no wait may pass. */
  deadline: number
  onWait?: (wait: RetryWait) => void
}

/** Why a throttled call gave up instead of waiting. */
export type RateLimitReason = 'over-max-retry-after' | 'past-deadline' | 'throttled-too-long'

/** The server asked us to wait longer than we may; carries what it asked for. */
export class RateLimitedError extends Error {
  override readonly name = 'RateLimitedError'
  constructor(
    readonly reason: RateLimitReason,
    readonly requestedMs: number,
    readonly retryAfterHeader: string | undefined,
    limitMs: number
  ) {
    const asked =
      retryAfterHeader !== undefined ? `Retry-After: ${retryAfterHeader}` : 'no Retry-After'
    const wait = Number.isFinite(requestedMs) ? `${Math.ceil(requestedMs / 1000)} s` : 'forever'
    const limit = `${Math.round(limitMs / 1000)} s`
    super(
      reason === 'over-max-retry-after'
        ? `rate limited: the server asked to wait ${wait} (${asked}), more than max-retry-after (${limit})`
        : reason === 'past-deadline'
          ? `rate limited: the server asked to wait ${wait} (${asked}), past the job deadline (${limit} left)`
          : `rate limited: throttled for more than ${limit} on one request (${asked})`
    )
  }
}

/** Retrying stopped because too many requests of this run failed: the API looks down. */
export class RetryBudgetError extends Error {
  override readonly name = 'RetryBudgetError'
  constructor(override readonly cause: unknown) {
    super(
      `${errorMessage(cause)}; not retried: too many requests of this run failed (retry budget spent)`
    )
  }
}

/** Whether a failed attempt counts against the run's retry budget (a sign the API is unwell). */
export function chargesBudget(failure: FailedAttempt): boolean {
  return (
    failure.verdict === 'retry' ||
    (failure.verdict === 'throttle' && (failure.hint ?? NO_HINT).kind === 'none')
  )
}

/**
 * The wait a throttle answer asks for: the server's hint plus a small positive jitter, or the
 * fallback backoff after `throttles` earlier throttles when it gave none. A hint above
 * max-retry-after fails at once instead of parking the runner.
 */
function throttleWait(
  hint: RetryAfterHint,
  throttles: number,
  limits: Pick<RetryLimits, 'maxRetryAfterMs'>,
  random: Random
): { requestedMs: number; waitMs: number } {
  const requestedMs = hint.kind === 'delay' ? hint.ms : throttleFallback(throttles, random)
  if (requestedMs > limits.maxRetryAfterMs) {
    throw new RateLimitedError(
      'over-max-retry-after',
      requestedMs,
      hint.raw,
      limits.maxRetryAfterMs
    )
  }
  return { requestedMs, waitMs: throttleDelay(requestedMs, random) }
}

/**
 * The wait before trying again a request that its caller keeps trying on its own schedule until
 * a deadline (a status poll, the download of a finished job), after `misses` failed tries in a
 * row: never sooner than `plannedMs` (the caller's normal next try, so an outage costs no more
 * requests than normal operation), growing by the poll factor up to the poll cap, and never
 * sooner than a server hint asks.
 */
export function missWait(
  failure: RetriedAttempt,
  misses: number,
  plannedMs: number,
  intervals: PollIntervals,
  limits: Pick<RetryLimits, 'maxRetryAfterMs'>,
  random: Random
): number {
  const backoff = Math.max(plannedMs, pollDelay(misses - 1, intervals, random))
  if (failure.verdict !== 'throttle') return Math.min(intervals.maxMs, backoff)
  const hint = failure.hint ?? NO_HINT
  const asked = throttleWait(hint, misses - 1, limits, random).waitMs
  const wait = Math.max(asked, backoff)
  return hint.kind === 'delay' ? wait : Math.min(intervals.maxMs, wait)
}

/**
 * The failed tries of a loop that keeps trying on its own schedule until a deadline (layer 2: a
 * status poll, a finished job's download): the misses in a row, for `missWait`, and each
 * answer's retries, against the rule's `perLoop` cap.
 */
export class LoopMisses {
  /** Failed tries since the last success. */
  inARow = 0
  private readonly retries = new Map<string, number>()

  /**
   * Counts a failed try. False when it ends the loop: a verdict that is not tried again, or an
   * answer whose per-loop cap is spent.
   */
  miss(failure: FailedAttempt): failure is RetriedAttempt {
    if (!isRetried(failure)) return false
    if (isRetry(failure)) {
      const retries = (this.retries.get(failure.answer) ?? 0) + 1
      this.retries.set(failure.answer, retries)
      if (retries > (failure.perLoop ?? Infinity)) return false
    }
    this.inARow++
    return true
  }

  /** A try succeeded: the next miss backs off from the start again. */
  hit(): void {
    this.inARow = 0
  }
}

/**
 * Runs `attempt` under layer 1 of the retry policy (docs/retry-policy.md#layer-1-per-call-retries),
 * as `classify` reads each failure from a table of rules: throttle waits honour the server's hint
 * plus a small positive jitter and never consume attempts; retries (and throttles without a hint)
 * back off with full jitter while the per-run budget and the caps allow; nothing waits past the
 * deadline.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  classify: (error: unknown) => FailedAttempt,
  ctx: RetryContext
): Promise<T> {
  const { clock, random, budget, limits, signal } = ctx
  let failures = 0
  // Each answer's retries, for a rule with its own, smaller cap (Clari's 400 SWW): counted apart
  // so that an unrelated earlier 502 does not use up that cap.
  const retries = new Map<string, number>()
  let throttles = 0
  let throttledMs = 0
  for (;;) {
    if (signal.aborted) throw new CancelledError()
    try {
      const result = await attempt()
      budget.recordSuccess()
      return result
    } catch (error) {
      if (signal.aborted) throw new CancelledError()
      const failure = classify(error)
      if (!isRetried(failure)) throw error
      const timeLeft = ctx.deadline - clock.now()
      let waitMs: number
      if (failure.verdict === 'throttle') {
        const hint = failure.hint ?? NO_HINT
        const { raw } = hint
        const asked = throttleWait(hint, throttles, limits, random)
        waitMs = asked.waitMs
        if (waitMs > timeLeft) {
          throw new RateLimitedError('past-deadline', asked.requestedMs, raw, timeLeft)
        }
        if (throttledMs + waitMs > limits.maxThrottleMs) {
          throw new RateLimitedError(
            'throttled-too-long',
            asked.requestedMs,
            raw,
            limits.maxThrottleMs
          )
        }
        // Without a usable hint a throttle answer is indistinguishable from an overloaded or dead
        // server, so it draws on the run's budget; a server pacing us with Retry-After does not.
        if (chargesBudget(failure)) {
          budget.recordFailure()
          if (!budget.canRetry()) throw new RetryBudgetError(error)
        }
        throttles++
        throttledMs += waitMs
      } else {
        failures++
        const own = (retries.get(failure.answer) ?? 0) + 1
        retries.set(failure.answer, own)
        budget.recordFailure()
        if (failures >= limits.maxAttempts || own > (failure.perCall ?? Infinity)) throw error
        if (!budget.canRetry()) throw new RetryBudgetError(error)
        waitMs = fullJitter(failures - 1, limits.transientBaseMs, limits.transientCapMs, random)
        if (waitMs >= timeLeft) throw error
      }
      ctx.onWait?.({ kind: failure.verdict, waitMs, error })
      // Stryker disable next-line BlockStatement: a sleep rejects only on abort, and the loop's first line throws the same CancelledError
      await clock.sleep(waitMs, signal).catch(() => {
        throw new CancelledError()
      })
    }
  }
}
