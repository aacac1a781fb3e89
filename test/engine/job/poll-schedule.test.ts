import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import type { PollSchedule } from '../../../src/engine/deps.js'
import {
  backoffSchedule,
  defaultPollSchedule,
  finishWindow,
  predictedSchedule,
  windowSchedule
} from '../../../src/engine/job/poll-schedule.js'
import { mulberry32 } from '../../simulators/clari/prng.js'

const SECOND = 1_000
const intervals = { initialMs: 5 * SECOND, factor: 1.5, maxMs: 30 * SECOND }

/** Check times of a schedule until one lands at or after `finishMs` (zero-latency replay). */
function checks(schedule: PollSchedule, finishMs: number): number[] {
  const at: number[] = []
  let t = 0
  while (t < finishMs && at.length < 10_000) {
    t += schedule.delayBefore(at.length, t)
    at.push(t)
  }
  return at
}

describe('finishWindow', () => {
  it.each([
    // durations, expected from/to (ms) around the median
    [[300 * SECOND], 268_000, 332_000],
    [[300 * SECOND, 310 * SECOND, 290 * SECOND], 288_000, 312_000],
    // Identical earlier jobs still get the minimum spread (±2 %) and the margin.
    [[100 * SECOND, 100 * SECOND], 96_000, 104_000]
  ])('durations %j → window [%i, %i] ms', (durations, from, to) => {
    const w = finishWindow(durations, intervals.maxMs)
    expect(w.fromMs).toBeCloseTo(from, 6)
    expect(w.toMs).toBeCloseTo(to, 6)
  })

  it.each([
    [[10 * SECOND], 2_000], // tiny window: never denser than 2 s
    [[300 * SECOND], 8_000], // 64 s window / 8 checks
    [[1800 * SECOND], 8_000] // wide window: capped at 8 s (mean delay ≤ 4 s inside)
  ])('durations %j → gap %i ms inside the window', (durations, gap) => {
    expect(finishWindow(durations, intervals.maxMs).gapMs).toBe(gap)
  })
})

describe('windowSchedule', () => {
  const window = finishWindow([300 * SECOND, 306 * SECOND, 297 * SECOND], intervals.maxMs)
  const schedule = windowSchedule(window, intervals)

  it.each([
    ['long before the expected finish', 1 * SECOND, 60 * SECOND],
    ['inside the window', 300 * SECOND, 300 * SECOND],
    ['far past the window', 2 * 3_600 * SECOND, 2 * 3_600 * SECOND + 10 * SECOND]
  ])('never waits longer than max-poll-interval (%s)', (_name, finish) => {
    const at = checks(schedule, finish)
    const gaps = at.map((t, i) => t - (at[i - 1] ?? 0))
    expect(Math.max(...gaps)).toBeLessThanOrEqual(intervals.maxMs)
    expect(Math.min(...gaps)).toBeGreaterThan(0)
  })

  it('lands one check on the window start, then checks densely until its end', () => {
    const at = checks(schedule, 400 * SECOND)
    expect(at).toContain(window.fromMs)
    const inside = at.filter(t => t > window.fromMs && t <= window.toMs)
    const gaps = inside.map((t, i) => t - (inside[i - 1] ?? window.fromMs))
    for (const gap of gaps) expect(gap).toBeCloseTo(window.gapMs, 6)
    // Before the window: sparse (here 30 s apart or slightly less, evenly spread).
    const before = at.filter(t => t <= window.fromMs)
    expect(before.length).toBe(Math.ceil(window.fromMs / intervals.maxMs))
  })

  it('backs off geometrically past the window, up to max-poll-interval', () => {
    const at = checks(schedule, 3_600 * SECOND).filter(t => t > window.toMs)
    const gaps = at.slice(1).map((t, i) => t - at[i]!)
    for (let i = 1; i < gaps.length; i++)
      expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! - 1e-6)
    expect(gaps[gaps.length - 1]).toBe(intervals.maxMs)
  })
})

describe('defaultPollSchedule', () => {
  it('polls the first job by policy R, capped at 15 s for 10 minutes, then at max-poll-interval', () => {
    const ours = defaultPollSchedule(intervals, mulberry32(3))([])
    const r = backoffSchedule(intervals, mulberry32(3))
    const at = checks(ours, 3_600 * SECOND)
    // Same start as the backoff schedule of docs/retry-policy.md#the-adaptive-schedule (no check
    // at t = 0), while its own gaps are below 15 s.
    expect(at.slice(0, 3)).toEqual(checks(r, 24 * SECOND).slice(0, 3))
    const gaps = at.map((t, i) => t - (at[i - 1] ?? 0))
    expect(gaps[0]).toBeGreaterThan(0)
    const early = gaps.filter((_, i) => at[i]! - gaps[i]! < 600 * SECOND)
    const late = gaps.filter((_, i) => at[i]! - gaps[i]! >= 600 * SECOND)
    expect(Math.max(...early)).toBeLessThanOrEqual(15 * SECOND)
    expect(Math.max(...late)).toBeGreaterThan(15 * SECOND)
    expect(Math.max(...late)).toBeLessThanOrEqual(intervals.maxMs)
  })

  it.each([
    ['the job timestamps it was told', [600 * SECOND], [999 * SECOND]],
    ['the run history when told nothing', [], [600 * SECOND]]
  ])('predicts the next finish from %s', (_name, told, history) => {
    const factory = defaultPollSchedule(intervals, mulberry32(3))
    const first = factory([])
    for (const d of told) first.jobDone?.(d)
    const second = factory(history)
    // No check at t = 0; sparse before the window, a check at its start (600 s − 10 % − 2 s).
    expect(second.delayBefore(0, 0)).toBeGreaterThan(0)
    const at = checks(second, 600 * SECOND)
    expect(at).toContain(538_000)
    expect(at.length).toBeLessThan(30)
  })

  it('notices a job far shorter than predicted within max-poll-interval', () => {
    const factory = defaultPollSchedule(intervals, mulberry32(3))
    factory([]).jobDone?.(1800 * SECOND)
    const at = checks(factory([1800 * SECOND]), 20 * SECOND)
    expect(at[at.length - 1]! - 20 * SECOND).toBeLessThanOrEqual(intervals.maxMs)
  })

  it('polls a job started alongside one with no history every max-poll-interval, until taught', async () => {
    const factory = defaultPollSchedule(intervals, mulberry32(5))
    const pioneer = factory([], 0)
    const alongside = factory([], 1)
    const gaps = Array.from({ length: 10 }, (_, k) => alongside.delayBefore(k, k * 30 * SECOND))
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(0.8 * intervals.maxMs)
      expect(gap).toBeLessThanOrEqual(intervals.maxMs)
    }
    // The pioneer finishes: the other is woken and now aims at the same finish time.
    const lesson = alongside.nextLesson!(new AbortController().signal)
    pioneer.jobDone?.(300 * SECOND)
    await lesson
    expect(alongside.delayBefore(10, 290 * SECOND)).toBeLessThanOrEqual(8 * SECOND)
  })

  it('re-aims when the run learns its first job duration, though the history it was given held as many', async () => {
    const factory = defaultPollSchedule(intervals, mulberry32(5))
    // Aimed at the history's 600 s: 248 s before that window, checks about 28 s apart.
    const schedule = factory([600 * SECOND], 1)
    expect(schedule.delayBefore(5, 290 * SECOND)).toBeGreaterThan(20 * SECOND)
    const lesson = schedule.nextLesson!(new AbortController().signal)
    factory([]).jobDone?.(300 * SECOND)
    await lesson
    // Now inside the window around 300 s: 8 s apart.
    expect(schedule.delayBefore(6, 290 * SECOND)).toBe(8 * SECOND)
  })

  it('refuses at once to wait for a lesson once the run is cancelled', async () => {
    const schedule = defaultPollSchedule(intervals, mulberry32(5))([], 1)
    const controller = new AbortController()
    controller.abort(new Error('cancelled'))
    const lesson = schedule.nextLesson!(controller.signal).then(
      () => 'taught',
      (error: Error) => error.message
    )
    const pending = new Promise(resolve => setImmediate(() => resolve('still waiting')))
    expect(await Promise.race([lesson, pending])).toBe('cancelled')
  })

  it('leaves no listener on the signal it was given once a lesson came', async () => {
    const factory = defaultPollSchedule(intervals, mulberry32(5))
    const schedule = factory([], 1)
    const signal = new AbortController().signal
    const lesson = schedule.nextLesson!(signal)
    expect(getEventListeners(signal, 'abort')).toHaveLength(1)
    factory([]).jobDone?.(300 * SECOND)
    await lesson
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
  })

  it('stops waiting for a lesson when the run is cancelled', async () => {
    const schedule = defaultPollSchedule(intervals, mulberry32(5))([], 1)
    const controller = new AbortController()
    const lesson = schedule.nextLesson!(controller.signal)
    controller.abort(new Error('cancelled'))
    await expect(lesson).rejects.toThrow('cancelled')
  })
})

describe('predictedSchedule: aimed at the finish earlier runs predict', () => {
  // 1800 s ± 90 s: window [1708 s, 1892 s] (2 s margin), 8 s apart inside (184 s / 4, at most
  // 8 s); before it, gaps up to a quarter of 1800 s, at most 4 × max-poll-interval = 120 s.
  const prediction = { expectedMs: 1800 * SECOND, spreadMs: 90 * SECOND, samples: 3 }
  const schedule = predictedSchedule(prediction, intervals)
  const fromMs = 1708 * SECOND
  const sparseMs = 120 * SECOND
  const gapMs = 8 * SECOND

  it('checks sparsely before the window, closing in on it, and lands on its start', () => {
    const at = checks(schedule, fromMs)
    expect(at[0]).toBeGreaterThan(0)
    expect(at[at.length - 1]).toBe(fromMs)
    const gaps = at.map((t, i) => t - (at[i - 1] ?? 0))
    expect(Math.max(...gaps)).toBe(sparseMs)
    // Each gap at most half the distance left (the last one, landing, at most two window gaps).
    at.slice(0, -1).forEach((t, i) => {
      const bound = Math.max(Math.min(sparseMs, (fromMs - t) / 2), 2 * gapMs)
      expect(gaps[i + 1]!).toBeLessThanOrEqual(bound + 1e-6)
    })
    // Far fewer checks than max-poll-interval would need: 1708 s / 30 s = 57.
    expect(at.length).toBeLessThan(25)
  })

  it('checks every 8 s across the window', () => {
    const inside = checks(schedule, 1892 * SECOND).filter(t => t >= fromMs)
    const gaps = inside.slice(1).map((t, i) => t - inside[i]!)
    for (const gap of gaps) expect(gap).toBeCloseTo(gapMs, 6)
  })

  it.each([1800, 1850, 1893, 1950, 2400, 3 * 3600])(
    'never leaves more than max-poll-interval between checks after the predicted end (job of %i s)',
    finishS => {
      const at = checks(schedule, finishS * SECOND)
      const after = at.filter((t, i) => i > 0 && at[i - 1]! >= prediction.expectedMs)
      for (const t of after) expect(t - at[at.indexOf(t) - 1]!).toBeLessThanOrEqual(intervals.maxMs)
      expect(at[at.length - 1]! - finishS * SECOND).toBeLessThanOrEqual(intervals.maxMs)
    }
  )

  it.each([5, 300, 1000, 1500, 1650, 1700])(
    'sees a job that ends early (at %i s) within the sparse gap, and within how early it was',
    finishS => {
      const finish = finishS * SECOND
      const at = checks(schedule, finish)
      const delay = at[at.length - 1]! - finish
      expect(delay).toBeLessThanOrEqual(sparseMs)
      expect(delay).toBeLessThanOrEqual(Math.max(2 * gapMs, Math.min(sparseMs, fromMs - finish)))
    }
  )

  it('checks a job shorter than four max-poll-intervals as the learned window does, evenly to its start', () => {
    const prediction = { expectedMs: 60 * SECOND, spreadMs: 6 * SECOND, samples: 3 }
    const short = predictedSchedule(prediction, intervals)
    // 60 s ± 6 s: the window [52 s, 68 s], checked 4 s apart; before it, 26 s and 52 s.
    const learned = windowSchedule(
      { fromMs: 52 * SECOND, toMs: 68 * SECOND, gapMs: 4 * SECOND },
      intervals
    )
    expect(checks(short, 3600 * SECOND)).toEqual(checks(learned, 3600 * SECOND))
    expect(checks(short, 60 * SECOND)).toEqual([26, 52, 56, 60].map(s => s * SECOND))
  })

  it('widens the gaps of a wide window instead of checking ever more often', () => {
    // 3600 s ± 600 s: a 1204 s window, 120 checks 10 s apart rather than 150 checks 8 s apart.
    const prediction = { expectedMs: 3600 * SECOND, spreadMs: 600 * SECOND, samples: 2 }
    const inside = checks(predictedSchedule(prediction, intervals), 4202 * SECOND).filter(
      t => t >= 2998 * SECOND
    )
    expect(inside.length).toBeLessThanOrEqual(122)
    const gaps = inside.slice(1).map((t, i) => t - inside[i]!)
    for (const gap of gaps) expect(gap).toBeCloseTo(1204_000 / 120, 6)
  })
})

describe('defaultPollSchedule with a prediction', () => {
  const prediction = { expectedMs: 600 * SECOND, spreadMs: 30 * SECOND, samples: 3 }

  it("aims at the period's own prediction, whatever the run has learned", () => {
    const factory = defaultPollSchedule(intervals, mulberry32(3))
    factory([]).jobDone?.(100 * SECOND)
    const aimed = factory([100 * SECOND], 1, prediction)
    expect(checks(aimed, 600 * SECOND)).toEqual(
      checks(predictedSchedule(prediction, intervals), 600 * SECOND)
    )
    // Lessons of other periods do not move it.
    expect(aimed.nextLesson).toBeUndefined()
  })

  it('still teaches the run: a period without history learns from it', async () => {
    const factory = defaultPollSchedule(intervals, mulberry32(5))
    const aimed = factory([], 0, prediction)
    const blind = factory([], 1)
    const lesson = blind.nextLesson!(new AbortController().signal)
    aimed.jobDone?.(300 * SECOND)
    await lesson
    expect(blind.delayBefore(10, 290 * SECOND)).toBeLessThanOrEqual(8 * SECOND)
  })

  it('without a prediction plans exactly as before', () => {
    const a = defaultPollSchedule(intervals, mulberry32(9))([], 0)
    const b = defaultPollSchedule(intervals, mulberry32(9))([], 0, undefined)
    expect(checks(a, 1800 * SECOND)).toEqual(checks(b, 1800 * SECOND))
  })
})

describe('overruns and boundaries', () => {
  // 300 s ± 10 %: window [268 s, 332 s], checked 8 s apart.
  const window = finishWindow([300 * SECOND], intervals.maxMs)

  it('past the window, waits (factor − 1) × the time overdue, between the dense gap and the cap', () => {
    const schedule = windowSchedule(window, intervals)
    expect(schedule.delayBefore(0, window.toMs + 1 * SECOND)).toBe(window.gapMs)
    // 20 s overdue × 0.5 = 10 s; 100 s overdue × 0.5 = 50 s, capped at 30 s.
    expect(schedule.delayBefore(0, window.toMs + 20 * SECOND)).toBeCloseTo(10 * SECOND, 6)
    expect(schedule.delayBefore(0, window.toMs + 100 * SECOND)).toBe(intervals.maxMs)
  })

  it('a check a millisecond short of a predicted window is followed a dense gap later, not a millisecond', () => {
    const prediction = { expectedMs: 1800 * SECOND, spreadMs: 90 * SECOND, samples: 3 }
    // Window from 1708 s, 8 s apart inside.
    expect(predictedSchedule(prediction, intervals).delayBefore(5, 1708 * SECOND - 1)).toBe(
      8 * SECOND
    )
  })

  it('two dense gaps before a predicted window, checks halfway rather than jumping to its start', () => {
    const prediction = { expectedMs: 1800 * SECOND, spreadMs: 90 * SECOND, samples: 3 }
    const schedule = predictedSchedule(prediction, intervals)
    expect(schedule.delayBefore(5, 1692 * SECOND)).toBe(8 * SECOND)
    expect(schedule.delayBefore(6, 1700 * SECOND)).toBe(8 * SECOND)
  })

  it('leaves the first job of a run the 15 s cap for exactly its first 10 minutes', () => {
    const schedule = defaultPollSchedule(intervals, () => 0.5)([])
    expect(schedule.delayBefore(20, 600 * SECOND - 1)).toBe(15 * SECOND)
    expect(schedule.delayBefore(20, 600 * SECOND)).toBe(intervals.maxMs)
  })

  it.each([0, -5 * SECOND])('learns nothing from a job that ran %i ms', async durationMs => {
    const factory = defaultPollSchedule(intervals, () => 0.5)
    const blind = factory([], 0)
    let taught = false
    void blind.nextLesson!(new AbortController().signal).then(() => (taught = true))
    factory([]).jobDone?.(durationMs)
    await new Promise(resolve => setImmediate(resolve))
    expect(taught).toBe(false)
    // Still the first job's schedule: 5 s, as with no history at all.
    expect(factory([]).delayBefore(0, 0)).toBe(intervals.initialMs)
  })

  it('ignores durations of 0 in the run history', () => {
    const factory = defaultPollSchedule(intervals, () => 0.5)
    const plain = checks(factory([300 * SECOND]), 400 * SECOND)
    expect(checks(factory([0, 300 * SECOND]), 400 * SECOND)).toEqual(plain)
    expect(plain).toContain(window.fromMs)
  })
})
