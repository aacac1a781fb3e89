import type { PollIntervals } from '../src/retry/backoff.js'
import type { Random } from '../src/base/clock.js'
import type { PollSchedule, PollScheduleFactory } from '../src/engine/deps.js'
import { predictDuration } from '../src/engine/history/duration-model.js'
import { backoffSchedule, defaultPollSchedule } from '../src/engine/job/poll-schedule.js'
import { around } from './stats.js'

const SECOND = 1_000

/** A schedule under test: how it polls, and what it costs between periods. */
export interface Contender {
  name: string
  /** Built afresh for every run; `durations` are the run's job durations (only the oracle may look). */
  factory(durations: readonly number[], random: Random): PollScheduleFactory
  /** Fixed sleep after each period but the last (the replaced snippet sleeps 10 s). */
  pauseBetweenPeriodsMs: number
  /** The action's own code, as opposed to a peer's schedule replayed through it. */
  ours: boolean
}

const every = (ms: number): PollSchedule => ({ delayBefore: () => ms })

export function policyIntervals(maxMs: number): PollIntervals {
  return { initialMs: 5 * SECOND, factor: 1.5, maxMs }
}

/**
 * The snippet the action replaced (docs/retry-policy.md#the-snippet-it-replaced): a check at
 * t = 0, then 5 s × 1.5^n capped at 60 s.
 */
export const snippet: Contender = {
  name: 'replaced snippet',
  factory: () => () => ({
    delayBefore: k => (k === 0 ? 0 : Math.min(5 * SECOND * 1.5 ** (k - 1), 60 * SECOND))
  }),
  pauseBetweenPeriodsMs: 10 * SECOND,
  ours: false
}

const fixedEvery = (name: string, seconds: number): Contender => ({
  name,
  factory: () => () => every(seconds * SECOND),
  pauseBetweenPeriodsMs: 0,
  ours: false
})

export const gitlab = fixedEvery('GitLab (30 s)', 30)
export const posthog = fixedEvery('PostHog (15 s)', 15)
export const fixed10 = fixedEvery('fixed 10 s', 10)

/** Knows each job's finish time: one check, at that instant. The limit. */
export const oracle: Contender = {
  name: 'oracle',
  factory: durations => {
    let period = 0
    return () => {
      const finish = durations[period++] ?? 0
      return { delayBefore: (_k, elapsedMs) => Math.max(SECOND, finish - elapsedMs) }
    }
  },
  pauseBetweenPeriodsMs: 0,
  ours: false
}

/**
 * Policy R's backoff schedule alone (docs/retry-policy.md#the-adaptive-schedule), the action's
 * schedule before the adaptive one.
 */
export function policyR(maxMs = 30 * SECOND): Contender {
  return {
    name: `policy R (cap ${maxMs / SECOND} s)`,
    factory: (_d, random) => () => backoffSchedule(policyIntervals(maxMs), random),
    pauseBetweenPeriodsMs: 0,
    ours: true
  }
}

/** The action's default: R for the first period, then the learned finish window. */
export function adaptive(maxMs = 30 * SECOND): Contender {
  return {
    name: `adaptive (cap ${maxMs / SECOND} s)`,
    factory: (_d, random) => defaultPollSchedule(policyIntervals(maxMs), random),
    pauseBetweenPeriodsMs: 0,
    ours: true
  }
}

/**
 * Earlier durations of each job of a run (what the ledger or Clari's job list would hold for a
 * period exported nightly): `count` of them, each within ±`spread` of the job's own duration;
 * or, `alike`, the job and its earlier ones all drawn within ±`spread` of one typical duration,
 * so the job is no closer to the typical one than its history is.
 */
export function earlierDurations(
  durations: readonly number[],
  count: number,
  spread: number,
  random: Random,
  alike = false
): number[][] {
  return durations.map(d => {
    const typical = alike ? d / around(1, spread, random) : d
    return Array.from({ length: count }, () => around(typical, spread, random))
  })
}

/**
 * The action's default where every period has a history: 3 earlier durations within ±10 % (see
 * `earlierDurations`), drawn from `draws` (seeded), turned into a prediction by the real model.
 */
export function withHistory(draws: Random, alike = false, maxMs = 30 * SECOND): Contender {
  return {
    name: `adaptive, with history${alike ? ', drawn alike' : ''} (cap ${maxMs / SECOND} s)`,
    factory: (durations, random) => {
      const schedules = defaultPollSchedule(policyIntervals(maxMs), random)
      const earlier = earlierDurations(durations, 3, 0.1, draws, alike)
      const predictions = earlier.map(predictDuration)
      let period = 0
      return (history, othersPolling) => schedules(history, othersPolling, predictions[period++])
    },
    pauseBetweenPeriodsMs: 0,
    ours: true
  }
}

export const peers: Contender[] = [snippet, gitlab, posthog, fixed10]
