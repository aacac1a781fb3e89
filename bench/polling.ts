import type { ClariSimulatorOptions } from '../test/simulators/clari/index.js'
import { mulberry32 } from '../test/simulators/clari/prng.js'
import { httpRun } from './http-runs.js'
import { modelRun, type RunResult } from './model.js'
import type { Contender } from './schedules.js'
import { around, fixed, mean, percentile } from './stats.js'

export const SEED = 20_261_128
export const PERIODS_PER_RUN = 8

/** Durations of the periods of one run. */
export type RunDraw = (random: () => number) => number[]

/** Every job independently uniform in ±20 % around `typicalMs`. */
export const independent =
  (typicalMs: number): RunDraw =>
  random =>
    Array.from({ length: PERIODS_PER_RUN }, () => around(typicalMs, 0.2, random))

/** One run's typical duration ±20 %, each of its periods within ±`spread` of that. */
export const similar =
  (typicalMs: number, spread: number): RunDraw =>
  random => {
    const base = around(typicalMs, 0.2, random)
    return Array.from({ length: PERIODS_PER_RUN }, () => around(base, spread, random))
  }

/** The same job durations for every contender: drawn once from the fixed seed. */
export function drawRuns(draw: RunDraw, runs: number, seed = SEED): number[][] {
  const random = mulberry32(seed)
  return Array.from({ length: runs }, () => draw(random))
}

export interface Summary {
  jobs: number
  getsPerJob: number
  delayMeanS: number
  delayP95S: number
  /** Periods 2..8 only: the ones with a history to learn from. */
  laterMeanS: number
  laterP95S: number
  /** Mean over runs of (run wall time ÷ the oracle's for the same durations). */
  wallVsOracle: number
}

export function summarize(results: readonly RunResult[], samples: readonly number[][]): Summary {
  const jobs = results.flatMap(r => r.jobs)
  const delays = jobs.map(j => j.delayMs / 1000)
  const later = jobs.filter(j => j.period > 0).map(j => j.delayMs / 1000)
  const ratios = results.map((r, i) => r.wallMs / samples[i]!.reduce((a, b) => a + b, 0))
  return {
    jobs: jobs.length,
    getsPerJob: mean(jobs.map(j => j.statusPolls)),
    delayMeanS: mean(delays),
    delayP95S: percentile(delays, 95),
    laterMeanS: mean(later),
    laterP95S: percentile(later, 95),
    wallVsOracle: mean(ratios)
  }
}

/** Every contender on the same samples, each with the same seeded jitter source. */
export function modelSummary(contender: Contender, samples: readonly number[][]): Summary {
  const random = mulberry32(SEED + 1)
  return summarize(
    samples.map(durations => modelRun(contender, durations, random)),
    samples
  )
}

export async function httpSummary(
  contender: Contender,
  samples: readonly number[][],
  options: { maxPollMs: number; rateLimit?: ClariSimulatorOptions['rateLimit'] }
): Promise<Summary & { requests: number; throttledPer100: number; repeatThrottled: number }> {
  const random = mulberry32(SEED + 1)
  const results = []
  for (const durations of samples)
    results.push(await httpRun(contender, durations, random, options))
  const requests = results.reduce((a, r) => a + r.requests, 0)
  const throttled = results.reduce((a, r) => a + r.throttled, 0)
  return {
    ...summarize(results, samples),
    requests,
    throttledPer100: (100 * throttled) / requests,
    repeatThrottled: results.reduce((a, r) => a + r.repeatThrottled, 0)
  }
}

/** "GETs · mean / p95 s · wall×", the cell format of docs/retry-policy.md#measuring-it. */
export function cell(s: Summary): string {
  return `${fixed(s.getsPerJob, 2)} · ${fixed(s.delayMeanS)} / ${fixed(s.delayP95S)} s · ${fixed(s.wallVsOracle, 2)}×`
}
