import { pollDelay, type PollIntervals } from '../../retry/backoff.js'
import type { Random } from '../../base/clock.js'
import type { PollSchedule, PollScheduleFactory } from '../deps.js'
import type { DurationPrediction } from '../durations.js'
import { median } from '../history/duration-model.js'

/**
 * The backoff schedule (docs/retry-policy.md#the-adaptive-schedule): first check after the
 * initial interval, then ×factor up to the cap, jittered.
 */
export function backoffSchedule(intervals: PollIntervals, random: Random): PollSchedule {
  return { delayBefore: k => pollDelay(k, intervals, random) }
}

// Tuned with `npm run bench` (README, Performance): see there for the trade-off they buy.
/** Relative half-width of the window assumed when only one earlier job is known. */
const PRIOR_SPREAD = 0.1
/** Never trust earlier jobs to predict the next one closer than this (relative half-width). */
const MIN_SPREAD = 0.02
/** Added on both sides of the window: request latency and Clari's own timer granularity. */
const MARGIN_MS = 2_000
/** Checks spread over the expected-finish window, unless that makes them denser than MIN_GAP. */
const WINDOW_POLLS = 4
const MIN_GAP_MS = 2_000
/** Bounds the mean detection delay inside the window to half of this. */
const MAX_DENSE_GAP_MS = 8_000
/**
 * The first job of a run has no history to aim with: for its first minutes a tighter cap halves
 * its detection delay, for a few more checks on that one job; a long job then relaxes to the cap.
 */
const FIRST_JOB_MAX_GAP_MS = 15_000
const FIRST_JOB_DENSE_FOR_MS = 10 * 60_000
/**
 * A job whose finish earlier runs predict checks sparsely before its window: gaps up to this
 * share of the expected duration, between max-poll-interval and this many times it.
 */
const SPARSE_SHARE = 0.25
const SPARSE_MAX_FACTOR = 4
/** At most this many checks across a predicted window; a wider one gets wider gaps. */
const MAX_WINDOW_POLLS = 120

/** Where the next job of this run is expected to finish, from how long earlier ones took. */
export interface FinishWindow {
  fromMs: number
  toMs: number
  /** Gap between checks inside the window. */
  gapMs: number
}

export function finishWindow(durations: readonly number[], maxGapMs: number): FinishWindow {
  const expected = median(durations)
  const observed = Math.max(...durations.map(d => Math.abs(d - expected))) / expected
  const spread = durations.length === 1 ? PRIOR_SPREAD : Math.max(MIN_SPREAD, observed)
  return windowAround(expected, spread, maxGapMs)
}

/** The window of an expected finish ± a relative spread, widened by the margin on both sides. */
function windowAround(expected: number, spread: number, maxGapMs: number): FinishWindow {
  const fromMs = Math.max(0, expected * (1 - spread) - MARGIN_MS)
  const toMs = expected * (1 + spread) + MARGIN_MS
  const gapMs = clamp(
    (toMs - fromMs) / WINDOW_POLLS,
    MIN_GAP_MS,
    Math.min(MAX_DENSE_GAP_MS, maxGapMs)
  )
  return { fromMs, toMs, gapMs }
}

/**
 * Polls sparsely (every gap at most `maxMs`, evenly spaced so one check lands on the window's
 * start) until the job is expected to be nearly done, densely across the window, then backs off
 * by `factor` towards `maxMs` if the job overruns. Every gap stays within `maxMs`, so a job that
 * ends early, fails, or runs long is still noticed within the promised interval.
 */
export function windowSchedule(window: FinishWindow, intervals: PollIntervals): PollSchedule {
  const { fromMs, toMs, gapMs } = window
  const maxMs = intervals.maxMs
  return {
    delayBefore(_k, elapsedMs) {
      if (elapsedMs < fromMs - 1) {
        const left = fromMs - elapsedMs
        return left / Math.ceil(left / maxMs)
      }
      if (elapsedMs < toMs) return Math.min(gapMs, maxMs)
      // Overrun: the gap grows geometrically with the time past the window.
      const overdue = elapsedMs - toMs
      return clamp(overdue * (intervals.factor - 1), gapMs, maxMs)
    }
  }
}

/**
 * Aims at the finish that earlier runs predict for this period's job
 * (docs/retry-policy.md#the-schedule-with-history). Before the window, checks are sparse: gaps
 * up to a quarter of the expected duration (never above 4 × max-poll-interval), each at most
 * half the distance left to the window, so a job that ends early is seen within about how early
 * it was. A job too short for gaps above max-poll-interval is checked before its window as
 * `windowSchedule` does. Across the window and after it, as `windowSchedule`: dense, then
 * backing off to max-poll-interval at most.
 */
export function predictedSchedule(
  prediction: DurationPrediction,
  intervals: PollIntervals
): PollSchedule {
  const { expectedMs, spreadMs } = prediction
  const maxMs = intervals.maxMs
  const window = windowAround(expectedMs, spreadMs / expectedMs, maxMs)
  // A wide window (a scattered history) gets wider gaps rather than ever more checks.
  const gapMs = Math.min(
    maxMs,
    Math.max(window.gapMs, (window.toMs - window.fromMs) / MAX_WINDOW_POLLS)
  )
  const around = windowSchedule({ ...window, gapMs }, intervals)
  const sparseMs = clamp(expectedMs * SPARSE_SHARE, maxMs, SPARSE_MAX_FACTOR * maxMs)
  return {
    delayBefore(k, elapsedMs) {
      const left = window.fromMs - elapsedMs
      if (left <= 1 || sparseMs <= maxMs) return around.delayBefore(k, elapsedMs)
      const step = Math.min(sparseMs, Math.max(gapMs, left / 2))
      // Land on the window's start rather than a moment before it.
      return left - step < gapMs ? left : step
    }
  }
}

/**
 * The action's default (docs/retry-policy.md#the-adaptive-schedule). A job with nothing to learn
 * from yet polls by the backoff schedule with a tighter cap; one that starts while such a job
 * polls checks only every max-poll-interval, since the first of them to finish will tell it when
 * to look. From the first finished job on, every job polls around the finish time the run's
 * finished jobs predict, and is woken to plan again whenever one more finishes, so concurrent
 * jobs learn from each other mid-flight.
 */
export function defaultPollSchedule(intervals: PollIntervals, random: Random): PollScheduleFactory {
  const learned: number[] = []
  const listeners = new Set<() => void>()
  const jobDone = (durationMs: number): void => {
    if (durationMs <= 0) return
    learned.push(durationMs)
    for (const wake of [...listeners]) wake()
  }
  return (history, othersPolling = 0, predicted) => {
    // The period's own earlier jobs know better than the run's other periods: no lesson moves it.
    if (predicted)
      return { delayBefore: predictedSchedule(predicted, intervals).delayBefore, jobDone }
    const sparse: PollSchedule = { delayBefore: () => pollDelay(Infinity, intervals, random) }
    const first = othersPolling > 0 ? sparse : firstJobSchedule(intervals, random)
    return {
      delayBefore(k, elapsedMs) {
        const durations = learned.length > 0 ? learned : history.filter(d => d > 0)
        if (durations.length === 0) return first.delayBefore(k, elapsedMs)
        // Aimed anew at each check (a few durations, cheap): a window kept by the count of
        // durations would miss the switch from `history` to as many learned ones.
        const window = finishWindow(durations, intervals.maxMs)
        return windowSchedule(window, intervals).delayBefore(k, elapsedMs)
      },
      jobDone,
      nextLesson: signal =>
        new Promise((resolve, reject) => {
          if (signal.aborted) return reject(signal.reason)
          const wake = (): void => {
            listeners.delete(wake)
            signal.removeEventListener('abort', stop)
            resolve()
          }
          const stop = (): void => {
            listeners.delete(wake)
            reject(signal.reason)
          }
          listeners.add(wake)
          // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts once
          signal.addEventListener('abort', stop, { once: true })
        })
    }
  }
}

function firstJobSchedule(intervals: PollIntervals, random: Random): PollSchedule {
  const dense = backoffSchedule(
    { ...intervals, maxMs: Math.min(intervals.maxMs, FIRST_JOB_MAX_GAP_MS) },
    random
  )
  const relaxed = backoffSchedule(intervals, random)
  return {
    delayBefore: (k, elapsedMs) =>
      (elapsedMs < FIRST_JOB_DENSE_FOR_MS ? dense : relaxed).delayBefore(k, elapsedMs)
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
