import type { Random } from '../base/clock.js'

/** Poll schedule: nominal wait before poll k is min(initialMs * factor^k, maxMs). */
export interface PollIntervals {
  initialMs: number
  factor: number
  maxMs: number
}

/** AWS "full jitter": uniform in [0, min(cap, base * 2^attempt)); `attempt` is 0-based. */
export function fullJitter(attempt: number, baseMs: number, capMs: number, random: Random): number {
  return random() * cappedGrowth(baseMs, 2, attempt, capMs)
}

/**
 * Wait before status poll k (0-based): the nominal interval times U[0.8, 1.2], so that jobs
 * started together drift apart; capped again so no wait ever exceeds `maxMs`.
 */
export function pollDelay(k: number, p: PollIntervals, random: Random): number {
  const jittered = cappedGrowth(p.initialMs, p.factor, k, p.maxMs) * (0.8 + 0.4 * random())
  return Math.max(0, Math.min(p.maxMs, jittered))
}

/**
 * Wait for a server-requested delay (Retry-After or a rate-limit reset). Jitter is only added,
 * so the client never returns earlier than asked, yet throttled clients do not return together.
 */
export function throttleDelay(requestedMs: number, random: Random): number {
  const wait = Math.max(requestedMs, 1000)
  return wait + random() * Math.min(1000, 0.1 * wait)
}

/** Throttle wait when the server gave no usable hint: full jitter, base 5 s, cap 60 s. */
export function throttleFallback(k: number, random: Random): number {
  return fullJitter(k, 5_000, 60_000, random)
}

/** min(cap, start * factor^n) that stays finite and never NaN for huge n (0 * Infinity). */
function cappedGrowth(start: number, factor: number, n: number, cap: number): number {
  return start === 0 ? 0 : Math.min(cap, start * factor ** n)
}
