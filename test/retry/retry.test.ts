import { describe, expect, it } from 'vitest'
import { CancelledError } from '../../src/base/abort.js'
import { throttleDelay, throttleFallback } from '../../src/retry/backoff.js'
import { RetryBudget } from '../../src/retry/budget.js'
import {
  chargesBudget,
  DEFAULT_RETRY_LIMITS,
  LoopMisses,
  missWait,
  RateLimitedError,
  RetryBudgetError,
  withRetries,
  type FailedAttempt,
  type RetriedAttempt,
  type RetryWait
} from '../../src/retry/retry.js'
import { VirtualClock } from '../../src/base/virtual-clock.js'

/** An attempt that fails as the given rules say in turn, then succeeds. */
function script(failures: FailedAttempt[]) {
  let calls = 0
  const errors = failures.map((failure, i) =>
    Object.assign(new Error(`failure ${i + 1}`), { failure })
  )
  return {
    errors,
    get calls() {
      return calls
    },
    attempt: async () => {
      const error = errors[calls++]
      if (error) throw error
      return 'ok'
    },
    classify: (error: unknown) => (error as { failure: FailedAttempt }).failure
  }
}

const throttle = (ms?: number, raw?: string): FailedAttempt => ({
  answer: '429',
  verdict: 'throttle',
  hint: ms === undefined ? undefined : { kind: 'delay', ms, raw: raw ?? String(ms / 1000) }
})
const transient: FailedAttempt = { answer: '502', verdict: 'retry' }
const fatal: FailedAttempt = { answer: '404', verdict: 'fatal' }
const sww: FailedAttempt = { answer: '400 SWW', verdict: 'retry', perCall: 2 }

function setup(
  overrides: { deadlineMs?: number; budget?: RetryBudget; signal?: AbortSignal } = {}
) {
  const clock = new VirtualClock()
  const waits: RetryWait[] = []
  const ctx = {
    clock,
    random: () => 0.5,
    budget: overrides.budget ?? new RetryBudget(),
    limits: DEFAULT_RETRY_LIMITS,
    signal: overrides.signal ?? new AbortController().signal,
    deadline: overrides.deadlineMs ?? 30 * 60_000,
    onWait: (w: RetryWait) => waits.push(w)
  }
  return { clock, waits, ctx }
}

describe('withRetries (docs/retry-policy.md, layer 1)', () => {
  it('waits out every throttle as asked, never earlier, without using up transient attempts', async () => {
    const s = script([...Array(8).fill(throttle(3_000)), transient, transient])
    const { clock, waits, ctx } = setup()
    await expect(withRetries(s.attempt, s.classify, ctx)).resolves.toBe('ok')
    expect(s.calls).toBe(11)
    const throttleWaits = waits.filter(w => w.kind === 'throttle')
    expect(throttleWaits).toHaveLength(8)
    for (const w of throttleWaits) {
      expect(w.waitMs).toBeGreaterThanOrEqual(3_000)
      expect(w.waitMs).toBeLessThanOrEqual(3_300) // jitter: at most 10 %
    }
    expect(clock.now()).toBeGreaterThanOrEqual(8 * 3_000)
  })

  it('gives up on a transient failure after 5 attempts with the last error', async () => {
    const s = script(Array(6).fill(transient))
    // A budget that could pay for many more: the cap of 5 attempts stops the call, not the budget.
    const { waits, ctx } = setup({ budget: new RetryBudget({ tokens: 100 }) })
    const error = await withRetries(s.attempt, s.classify, ctx).catch((e: unknown) => e)
    expect(error).toBe(s.errors[4])
    expect(s.calls).toBe(5)
    // Full jitter: each wait within min(20 s, 1 s * 2^n).
    expect(waits.map(w => w.waitMs)).toEqual([500, 1_000, 2_000, 4_000])
  })

  it('fails a transient failure at once, without sleeping, when its backoff would pass the deadline', async () => {
    const s = script([transient])
    // The first backoff is 500 ms (full jitter of 1 s at random 0.5): past a deadline 400 ms away.
    const { clock, waits, ctx } = setup({ deadlineMs: 400 })
    const error = await withRetries(s.attempt, s.classify, ctx).catch((e: unknown) => e)
    expect(error).toBe(s.errors[0])
    expect(s.calls).toBe(1)
    expect(waits).toEqual([])
    expect(clock.now()).toBe(0)
  })

  it.each([
    ['fatal', fatal],
    ["a caller's own verdict", { answer: '502', verdict: 'reconcile' }]
  ])('does not retry a %s failure', async (_name, failure) => {
    const s = script([failure])
    const { ctx } = setup()
    await expect(withRetries(s.attempt, s.classify, ctx)).rejects.toThrow('failure 1')
    expect(s.calls).toBe(1)
  })

  it('caps an answer with its own limit (SWW: 2 retries) without counting other failures', async () => {
    const recovered = script([transient, sww, sww])
    await expect(withRetries(recovered.attempt, recovered.classify, setup().ctx)).resolves.toBe(
      'ok'
    )
    const over = script([sww, sww, sww])
    await expect(withRetries(over.attempt, over.classify, setup().ctx)).rejects.toThrow('failure 3')
  })

  it.each([
    [
      'over max-retry-after',
      throttle(3_600_000, '3600'),
      /asked to wait 3600 s \(Retry-After: 3600\), more than max-retry-after \(300 s\)/,
      30 * 60_000
    ],
    ['past the job deadline', throttle(120_000, '120'), /past the job deadline/, 60_000]
  ])(
    'fails at once, saying what the server asked, when a wait is %s',
    async (_name, verdict, message, deadlineMs) => {
      const s = script([verdict])
      const { clock, ctx } = setup({ deadlineMs })
      const error = await withRetries(s.attempt, s.classify, ctx).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RateLimitedError)
      expect((error as Error).message).toMatch(message)
      expect(clock.now()).toBe(0)
    }
  )

  it('waits a hint of exactly max-retry-after', async () => {
    const s = script([throttle(300_000, '300')])
    const { clock, ctx } = setup()
    await expect(withRetries(s.attempt, s.classify, ctx)).resolves.toBe('ok')
    expect(clock.now()).toBeGreaterThanOrEqual(300_000)
  })

  it('stops after 15 minutes of throttling on one call', async () => {
    const s = script(Array(20).fill(throttle(120_000)))
    const { clock, ctx } = setup({ deadlineMs: 6 * 3_600_000 })
    await expect(withRetries(s.attempt, s.classify, ctx)).rejects.toThrow(
      /throttled for more than 900 s/
    )
    expect(clock.now()).toBeLessThanOrEqual(15 * 60_000)
  })

  it('stops retrying once the run budget is spent, shared across calls', async () => {
    const budget = new RetryBudget()
    const first = script(Array(5).fill(transient))
    await expect(withRetries(first.attempt, first.classify, setup({ budget }).ctx)).rejects.toThrow(
      'failure 5'
    )
    const second = script([transient, transient])
    const error = await withRetries(second.attempt, second.classify, setup({ budget }).ctx).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(RetryBudgetError)
    expect((error as Error).message).toMatch(/^failure 1; not retried: .*retry budget spent/)
    expect(second.calls).toBe(1)
  })

  it('draws hint-less throttles from the budget, but not throttles the server paced', async () => {
    const paced = script(Array(12).fill(throttle(1_000)))
    const budget = new RetryBudget()
    await expect(withRetries(paced.attempt, paced.classify, setup({ budget }).ctx)).resolves.toBe(
      'ok'
    )
    const blind = script(Array(12).fill(throttle()))
    const error = await withRetries(blind.attempt, blind.classify, setup({ budget }).ctx).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(RetryBudgetError)
    expect(blind.calls).toBeLessThan(12)
  })

  it('makes no attempt once the run is cancelled', async () => {
    const s = script([])
    const { ctx } = setup({ signal: AbortSignal.abort() })
    await expect(withRetries(s.attempt, s.classify, ctx)).rejects.toBeInstanceOf(CancelledError)
    expect(s.calls).toBe(0)
  })

  it('reports a failure during a cancel as the cancel', async () => {
    const controller = new AbortController()
    const s = script([fatal])
    const attempt = () => {
      controller.abort()
      return s.attempt()
    }
    const { ctx } = setup({ signal: controller.signal })
    await expect(withRetries(attempt, s.classify, ctx)).rejects.toBeInstanceOf(CancelledError)
  })

  it('counts the time left to the deadline from the clock, not from zero', async () => {
    const s = script([transient])
    // The first backoff is 500 ms; the deadline is 400 ms away when the call starts.
    const { clock, ctx } = setup({ deadlineMs: 10_400 })
    clock.advance(10_000)
    await expect(withRetries(s.attempt, s.classify, ctx)).rejects.toBe(s.errors[0])
    expect(clock.now()).toBe(10_000)
  })

  it('fails a transient failure whose backoff would end exactly at the deadline', async () => {
    const s = script([transient])
    const { clock, ctx } = setup({ deadlineMs: 500 })
    await expect(withRetries(s.attempt, s.classify, ctx)).rejects.toBe(s.errors[0])
    expect(clock.now()).toBe(0)
  })

  it('waits a throttle that ends exactly at the deadline or at the throttle limit', async () => {
    const asked = throttleDelay(2_000, () => 0.5)
    const atDeadline = script([throttle(2_000, '2')])
    const { ctx } = setup({ deadlineMs: asked })
    await expect(withRetries(atDeadline.attempt, atDeadline.classify, ctx)).resolves.toBe('ok')
    const atLimit = script([throttle(2_000, '2')])
    const limits = { ...DEFAULT_RETRY_LIMITS, maxThrottleMs: asked }
    const limited = { ...setup().ctx, limits }
    await expect(withRetries(atLimit.attempt, atLimit.classify, limited)).resolves.toBe('ok')
  })

  it('retries hint-less throttles while the budget lasts, backing off further each time', async () => {
    const s = script([throttle(), throttle(), throttle()])
    const { waits, ctx } = setup()
    await expect(withRetries(s.attempt, s.classify, ctx)).resolves.toBe('ok')
    const half = () => 0.5
    expect(waits.map(w => w.waitMs)).toEqual(
      [0, 1, 2].map(k => throttleDelay(throttleFallback(k, half), half))
    )
  })

  it('stops a wait at once when the run is cancelled', async () => {
    const controller = new AbortController()
    const s = script([throttle(200_000)])
    const { clock, ctx } = setup({ signal: controller.signal })
    const pending = withRetries(s.attempt, s.classify, { ...ctx, onWait: () => controller.abort() })
    await expect(pending).rejects.toBeInstanceOf(CancelledError)
    expect(clock.now()).toBe(0)
    expect(s.calls).toBe(1)
  })
})

describe('chargesBudget: which failures are signs the API is unwell', () => {
  it.each<[string, FailedAttempt, boolean]>([
    ['a transient failure', transient, true],
    ['a throttle without Retry-After', throttle(), true],
    [
      'a throttle with a Retry-After it could not read',
      { ...throttle(), hint: { kind: 'none', reason: 'invalid', raw: 'soon' } },
      true
    ],
    ['a throttle the server paced', throttle(2_000), false],
    ['a failure that is not retried', fatal, false],
    ["a caller's own verdict", { answer: '502', verdict: 'reconcile' }, false]
  ])('%s: %s', (_name, failure, charged) => {
    expect(chargesBudget(failure)).toBe(charged)
  })
})

describe('the errors a call gives up with', () => {
  it.each([
    [
      'a hint over max-retry-after',
      () => new RateLimitedError('over-max-retry-after', 400_000, '400', 300_000),
      'rate limited: the server asked to wait 400 s (Retry-After: 400), more than max-retry-after (300 s)'
    ],
    [
      'a hint past the deadline',
      () => new RateLimitedError('past-deadline', Infinity, undefined, 60_000),
      'rate limited: the server asked to wait forever (no Retry-After), past the job deadline (60 s left)'
    ],
    [
      'throttled too long',
      () => new RateLimitedError('throttled-too-long', 120_000, undefined, 900_000),
      'rate limited: throttled for more than 900 s on one request (no Retry-After)'
    ]
  ])('RateLimitedError for %s says so, under its own name', (_name, make, message) => {
    // Made inside the test, not in the table: a message built while the file loads counts
    // towards no test, so a mutation run would call its texts untested.
    const error = make()
    expect(error.name).toBe('RateLimitedError')
    expect(error.message).toBe(message)
  })

  it('RetryBudgetError keeps its cause and says so, under its own name', () => {
    const cause = new Error('502 Bad Gateway')
    const error = new RetryBudgetError(cause)
    expect(error.name).toBe('RetryBudgetError')
    expect(error.cause).toBe(cause)
    expect(error.message).toBe(
      '502 Bad Gateway; not retried: too many requests of this run failed (retry budget spent)'
    )
  })
})

describe('LoopMisses (docs/retry-policy.md#missed-checks)', () => {
  it('keeps a loop going on retries and throttles until its deadline, with no cap', () => {
    const misses = new LoopMisses()
    for (let i = 1; i <= 50; i++) {
      expect(misses.miss(i % 2 ? transient : throttle())).toBe(true)
      expect(misses.inARow).toBe(i)
    }
  })

  it('ends the loop on an answer it does not retry', () => {
    expect(new LoopMisses().miss(fatal)).toBe(false)
  })

  it("ends the loop once an answer's per-loop cap is spent, counting that answer only", () => {
    const capped: FailedAttempt = { answer: '502', verdict: 'retry', perLoop: 2 }
    const misses = new LoopMisses()
    expect([capped, sww, capped, throttle(), sww].map(f => misses.miss(f))).toEqual([
      true,
      true,
      true,
      true,
      true
    ])
    misses.hit()
    expect(misses.inARow).toBe(0)
    // A success in between resets the backoff, not the cap: the third 502 of the loop ends it.
    expect(misses.miss(capped)).toBe(false)
  })
})

describe('missWait: the wait after missed checks (docs/retry-policy.md#missed-checks)', () => {
  const intervals = { initialMs: 10_000, factor: 2, maxMs: 120_000 }
  // random 0.5: a poll delay is its nominal interval; a throttle adds half its jitter.
  const wait = (failure: FailedAttempt, misses: number, plannedMs: number, p = intervals) =>
    missWait(failure as RetriedAttempt, misses, plannedMs, p, DEFAULT_RETRY_LIMITS, () => 0.5)

  it.each<[string, FailedAttempt, number, number, number]>([
    ["no sooner than the schedule's own next check", transient, 1, 30_000, 30_000],
    ['backing off by the poll factor with each miss in a row', transient, 4, 5_000, 80_000],
    ['up to max-poll-interval', transient, 10, 5_000, 120_000],
    [
      'up to max-poll-interval, even when the schedule planned longer',
      transient,
      1,
      500_000,
      120_000
    ],
    ["a throttle's hint, past max-poll-interval", throttle(200_000, '200'), 1, 5_000, 200_500],
    ['a short hint, no sooner than the backoff', throttle(2_000, '2'), 4, 5_000, 80_000]
  ])('waits %s', (_name, failure, misses, plannedMs, expected) => {
    expect(wait(failure, misses, plannedMs)).toBe(expected)
  })

  it.each<[string, FailedAttempt, number]>([
    ['a transient miss on the poll schedule alone', transient, 100],
    [
      "a hint-less throttle's first miss as the first throttle fallback",
      throttle(),
      throttleDelay(
        throttleFallback(0, () => 0.5),
        () => 0.5
      )
    ]
  ])('waits %s', (_name, failure, expected) => {
    expect(wait(failure, 1, 100, { initialMs: 100, factor: 2, maxMs: 120_000 })).toBe(expected)
  })

  it('caps a throttle without a hint at max-poll-interval', () => {
    // The fallback after 4 throttles is 30.5 s; max-poll-interval is 20 s.
    expect(wait(throttle(), 5, 5_000, { initialMs: 1_000, factor: 2, maxMs: 20_000 })).toBe(20_000)
  })

  it('ends the loop at once when the hint is over max-retry-after', () => {
    expect(() => wait(throttle(400_000, '400'), 1, 5_000)).toThrow(RateLimitedError)
  })
})
