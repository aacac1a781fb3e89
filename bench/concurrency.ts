import type { Random } from '../src/base/clock.js'
import { requestParameters } from '../src/engine/reruns/resume.js'
import { startHarness } from '../test/helpers/engine-harness.js'
import { mostJobsAtOnce } from '../test/simulators/clari/index.js'
import { mulberry32 } from '../test/simulators/clari/prng.js'
import { PERIODS } from './http-runs.js'
import { httpRun } from './http-runs.js'
import type { Contender } from './schedules.js'
import { around } from './stats.js'

/** One export run of the real engine with periods in parallel, on Clari's limit of `slots`. */
export interface ParallelRun {
  wallMs: number
  statusPerJob: number
  refusedCreates: number
  /** Most of our jobs running at Clari at once. */
  mostAtOnce: number
}

export interface ParallelSetup {
  /** Clari's concurrency limit for the organisation. */
  slots: number
  /** The action's max-concurrent-jobs. */
  setting: number | 'auto'
  /** Another user's job holds one slot from the start for this long (ms). */
  foreignMs?: number
  /**
   * Earlier durations of each period (ms), handed to the run through the ledger's port
   * (`EngineDeps.history`); without them the run learns nothing (`history: none`).
   */
  earlier?: readonly number[][]
}

/**
 * runExport + ClariClient + the scheduler against the Clari simulator on a virtual clock, with
 * the action's default poll schedule: the same code path as the action, hours in milliseconds.
 */
export async function parallelRun(
  durations: readonly number[],
  setup: ParallelSetup,
  random: Random
): Promise<ParallelRun> {
  const h = await startHarness({
    limits: { concurrentLimit: setup.slots },
    plan: req => ({ durationMs: durations[PERIODS.indexOf(req.timePeriod ?? '')] })
  })
  try {
    if (setup.foreignMs) h.sim.occupySlots(1, setup.foreignMs)
    const base = h.config()
    const config = h.config({
      periods: PERIODS.slice(0, durations.length),
      concurrency: setup.setting,
      history: setup.earlier ? base.history : 'none',
      timing: { ...base.timing, jobTimeoutMs: 3 * 3_600_000 }
    })
    const history = (setup.earlier ?? []).flatMap((earlier, i) =>
      earlier.map(durationMs => ({
        forecastId: config.forecastId,
        period: PERIODS[i]!,
        request: requestParameters(config),
        durationMs
      }))
    )
    const startedAt = h.clock.now()
    const { report } = await h.run(config, { random, history })
    if (report.failed.length > 0) {
      throw new Error(`parallel run: ${report.failed.map(f => f.error).join('; ')}`)
    }
    return {
      wallMs: h.clock.now() - startedAt,
      statusPerJob: h.sim.requests.filter(r => r.endpoint === 'status').length / durations.length,
      refusedCreates: h.sim.requests.filter(r => r.endpoint === 'create' && r.status === 400)
        .length,
      mostAtOnce: mostJobsAtOnce(h.sim.jobs)
    }
  } finally {
    await h.close()
  }
}

/** A sequential peer's wall time on the same jobs (its schedule replayed through our engine). */
export async function peerWall(
  peer: Contender,
  durations: readonly number[],
  seed: number
): Promise<number> {
  const random = mulberry32(seed)
  const run = await httpRun(peer, durations, random, { maxPollMs: 60_000 })
  return run.wallMs
}

/**
 * The best any client could do: the shortest makespan of these jobs on `slots` slots, with zero
 * detection delay, where `busyUntil` says when each slot is first free (another user's job).
 * Exact: list scheduling in the best of all orders (8! orders), which reaches the optimum.
 */
export function oracleMakespan(
  durations: readonly number[],
  slots: number,
  busyUntil: readonly number[] = []
): number {
  const free0 = Array.from({ length: slots }, (_, i) => busyUntil[i] ?? 0)
  let best = Infinity
  const order = durations.map((_, i) => i)
  const permute = (k: number): void => {
    if (k === order.length) {
      const free = [...free0]
      let makespan = 0
      for (const i of order) {
        let slot = 0
        for (let s = 1; s < free.length; s++) if (free[s]! < free[slot]!) slot = s
        free[slot]! += durations[i]!
        makespan = Math.max(makespan, free[slot]!)
        if (makespan >= best) return
      }
      best = makespan
      return
    }
    for (let i = k; i < order.length; i++) {
      ;[order[k], order[i]] = [order[i]!, order[k]!]
      permute(k + 1)
      ;[order[k], order[i]] = [order[i]!, order[k]!]
    }
  }
  permute(0)
  return best
}

/**
 * What a client that starts periods in input order (it cannot know their durations) would take
 * with zero detection delay: the oracle's knowledge of durations taken away, so the rest of the
 * gap to the oracle is what detection and requests cost.
 */
export function inOrderMakespan(
  durations: readonly number[],
  slots: number,
  busyUntil: readonly number[] = []
): number {
  const free = Array.from({ length: slots }, (_, i) => busyUntil[i] ?? 0)
  for (const d of durations) {
    const slot = free.indexOf(Math.min(...free))
    free[slot]! += d
  }
  return Math.max(...free)
}

/** `runs` runs of 8 jobs of about `typicalMs` (±spread), seeded. */
export function drawParallelRuns(
  typicalMs: number,
  spread: number,
  runs: number,
  seed: number
): number[][] {
  const random = mulberry32(seed)
  return Array.from({ length: runs }, () =>
    PERIODS.map(() => Math.round(around(typicalMs, spread, random)))
  )
}
