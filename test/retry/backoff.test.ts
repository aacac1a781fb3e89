import { describe, expect, it } from 'vitest'
import type { Random } from '../../src/base/clock.js'
import {
  fullJitter,
  pollDelay,
  throttleDelay,
  throttleFallback,
  type PollIntervals
} from '../../src/retry/backoff.js'

const ALMOST_ONE = 1 - Number.EPSILON / 2
const fixed =
  (value: number): Random =>
  () =>
    value

const POLICY_R: PollIntervals = { initialMs: 5_000, factor: 1.5, maxMs: 30_000 }

describe('fullJitter', () => {
  it.each([
    // [attempt, random, expected]: base 1 s, cap 20 s (docs/retry-policy.md#the-numbers)
    [0, 0, 0],
    [0, 0.5, 500],
    [1, 0.5, 1_000],
    [4, 0.5, 8_000],
    [5, 0.5, 10_000], // 32 s capped at 20 s
    [40, 0.5, 10_000],
    [1000, 0.5, 10_000],
    [5000, 0.5, 10_000]
  ])('attempt %i with random %d waits %d ms', (attempt, r, expected) => {
    expect(fullJitter(attempt, 1_000, 20_000, fixed(r))).toBe(expected)
  })

  it.each([0, 3, 10, 1000])('stays below the cap at attempt %i', attempt => {
    const ms = fullJitter(attempt, 1_000, 20_000, fixed(ALMOST_ONE))
    expect(ms).toBeLessThan(20_000)
    expect(ms).toBeGreaterThan(Math.min(20_000, 1_000 * 2 ** attempt) * 0.99)
  })

  it('gives 0 (not NaN) for a zero base at a huge attempt', () => {
    expect(fullJitter(5000, 0, 20_000, fixed(0.5))).toBe(0)
  })
})

describe('pollDelay', () => {
  it.each([
    // [k, random, expected]: jitter factor 0.8 + 0.4 * random
    [0, 0, 4_000],
    [0, 0.5, 5_000],
    [1, 0.5, 7_500],
    [2, 0, 9_000],
    [4, 0.5, 25_312.5],
    [5, 0, 24_000],
    [5, 0.5, 30_000],
    [5, ALMOST_ONE, 30_000], // 36 s jittered, capped at the maximum
    [4, ALMOST_ONE, 30_000], // 30.375 s jittered, capped
    [3, ALMOST_ONE, 20_250],
    [1000, 0.5, 30_000]
  ])('poll %i with random %d waits %d ms', (k, r, expected) => {
    expect(pollDelay(k, POLICY_R, fixed(r))).toBeCloseTo(expected, 6)
  })

  it('matches the nominal schedule of policy R with jitter factor 1', () => {
    const at: number[] = []
    let t = 0
    for (let k = 0; k < 9; k++) at.push((t += pollDelay(k, POLICY_R, fixed(0.5))))
    const expectedSeconds = [5, 12.5, 23.75, 40.625, 65.9375, 95.9375, 125.9375, 155.9375, 185.9375]
    at.forEach((ms, i) => expect(ms).toBeCloseTo((expectedSeconds[i] ?? NaN) * 1000, 6))
  })

  it.each([0, 0.25, 0.5, 0.75, ALMOST_ONE])('never exceeds the maximum (random %d)', r => {
    for (let k = 0; k < 200; k++) {
      const ms = pollDelay(k, POLICY_R, fixed(r))
      expect(ms).toBeLessThanOrEqual(POLICY_R.maxMs)
      expect(ms).toBeGreaterThanOrEqual(0)
    }
  })

  it('gives 0 (not NaN) for a zero initial delay at a huge k', () => {
    expect(pollDelay(5000, { initialMs: 0, factor: 1.5, maxMs: 30_000 }, fixed(0.5))).toBe(0)
  })
})

describe('throttleDelay', () => {
  it.each([
    // [requested, random, expected]
    [0, 0, 1_000], // floored at 1 s
    [0, 0.5, 1_050], // jitter is 10 % of the floored wait
    [5_000, 0, 5_000], // never earlier than asked
    [5_000, 0.5, 5_250],
    [120_000, 0.5, 120_500], // jitter capped at 1 s
    [300_000, ALMOST_ONE, 301_000]
  ])('a request of %d ms with random %d waits %d ms', (requested, r, expected) => {
    expect(throttleDelay(requested, fixed(r))).toBeCloseTo(expected, 6)
  })

  it.each([0, 999, 1_000, 7_500, 60_000, 300_000])(
    'waits at least the request (and 1 s) but adds at most 1 s for %d ms',
    requested => {
      for (const r of [0, 0.5, ALMOST_ONE]) {
        const ms = throttleDelay(requested, fixed(r))
        expect(ms).toBeGreaterThanOrEqual(Math.max(requested, 1_000))
        expect(ms).toBeLessThanOrEqual(Math.max(requested, 1_000) + 1_000)
      }
    }
  )

  it('keeps an infinite request infinite so a cap check rejects it', () => {
    expect(throttleDelay(Number.POSITIVE_INFINITY, fixed(0.5))).toBe(Number.POSITIVE_INFINITY)
  })
})

describe('throttleFallback', () => {
  it.each([
    // [k, random, expected]: full jitter, base 5 s, cap 60 s
    [0, 0, 0],
    [0, 0.5, 2_500],
    [1, 0.5, 5_000],
    [3, 0.5, 20_000],
    [4, 0.5, 30_000], // 80 s capped at 60 s
    [1000, 0.5, 30_000]
  ])('throttle %i with random %d waits %d ms', (k, r, expected) => {
    expect(throttleFallback(k, fixed(r))).toBe(expected)
  })

  it.each([0, 2, 4, 1000])('stays below 60 s at throttle %i', k => {
    expect(throttleFallback(k, fixed(ALMOST_ONE))).toBeLessThan(60_000)
  })
})
