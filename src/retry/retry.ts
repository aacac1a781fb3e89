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

/** What one failed attempt calls for. */
export type Verdict =
  | { kind: 'throttle'; hint: RetryAfterHint }
  | { kind: 'transient'; maxRetries?: number }
  | { kind: 'fatal' }

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
  kind: 'throttle' | 'transient'
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
export function chargesBudget(verdict: Verdict): boolean {
  return (
    verdict.kind === 'transient' || (verdict.kind === 'throttle' && verdict.hint.kind === 'none')
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
  verdict: Exclude<Verdict, { kind: 'fatal' }>,
  misses: number,
  plannedMs: number,
  intervals: PollIntervals,
  limits: Pick<RetryLimits, 'maxRetryAfterMs'>,
  random: Random
): number {
  const backoff = Math.max(plannedMs, pollDelay(misses - 1, intervals, random))
  if (verdict.kind !== 'throttle') return Math.min(intervals.maxMs, backoff)
  const asked = throttleWait(verdict.hint, misses - 1, limits, random).waitMs
  const wait = Math.max(asked, backoff)
  return verdict.hint.kind === 'delay' ? wait : Math.min(intervals.maxMs, wait)
}

/**
 * Runs `attempt` under layer 1 of the retry policy (docs/retry-policy.md#layer-1-per-call-retries):
 * throttle waits honour the server's hint plus a small positive jitter and never consume transient
 * attempts; transient failures (and throttles without a hint) back off with full jitter while the
 * per-run budget allows; nothing waits past the deadline.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  classify: (error: unknown) => Verdict,
  ctx: RetryContext
): Promise<T> {
  const { clock, random, budget, limits, signal } = ctx
  let failures = 0
  // Failures whose kind carries its own, smaller cap (Clari's 400 SWW); counted apart so that
  // an unrelated earlier 502 does not use up that cap.
  let capped = 0
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
      const verdict = classify(error)
      if (verdict.kind === 'fatal') throw error
      const timeLeft = ctx.deadline - clock.now()
      let waitMs: number
      if (verdict.kind === 'throttle') {
        const { raw } = verdict.hint
        const asked = throttleWait(verdict.hint, throttles, limits, random)
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
        if (chargesBudget(verdict)) {
          budget.recordFailure()
          if (!budget.canRetry()) throw new RetryBudgetError(error)
        }
        throttles++
        throttledMs += waitMs
      } else {
        failures++
        if (verdict.maxRetries !== undefined) capped++
        budget.recordFailure()
        if (failures >= limits.maxAttempts || capped > (verdict.maxRetries ?? Infinity)) throw error
        if (!budget.canRetry()) throw new RetryBudgetError(error)
        waitMs = fullJitter(failures - 1, limits.transientBaseMs, limits.transientCapMs, random)
        if (waitMs >= timeLeft) throw error
      }
      ctx.onWait?.({ kind: verdict.kind, waitMs, error })
      await clock.sleep(waitMs, signal).catch(() => {
        throw new CancelledError()
      })
    }
  }
}
