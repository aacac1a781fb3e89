import { describe, expect, it } from 'vitest'
import { RetryBudget, type RetryBudgetOptions } from '../../src/retry/budget.js'

type Event = 'fail' | 'ok'

function run(events: Event[], opts?: RetryBudgetOptions): RetryBudget {
  const budget = new RetryBudget(opts)
  for (const e of events) {
    if (e === 'fail') budget.recordFailure()
    else budget.recordSuccess()
  }
  return budget
}

const times = (n: number, e: Event): Event[] => Array<Event>(n).fill(e)

describe('RetryBudget (defaults: 10 tokens, failure -1, success +0.2, retry while > 5)', () => {
  it.each([
    // [label, events, tokens, canRetry]
    ['starts full', [], 10, true],
    ['allows retries after 4 failures', times(4, 'fail'), 6, true],
    ['stops at the threshold after 5 failures', times(5, 'fail'), 5, false],
    ['never goes below zero', times(50, 'fail'), 0, false],
    ['never refills above the start', times(20, 'ok'), 10, true],
    [
      'reopens once successes lift it above the threshold',
      [...times(5, 'fail'), ...times(5, 'ok')],
      6,
      true
    ],
    ['stays closed at exactly the threshold', [...times(6, 'fail'), ...times(5, 'ok')], 5, false],
    ['adds 0.2 refunds exactly', [...times(6, 'fail'), ...times(6, 'ok')], 5.2, true],
    ['refills from zero', [...times(50, 'fail'), ...times(3, 'ok')], 0.6, false]
  ])('%s', (_label, events, tokens, canRetry) => {
    const budget = run(events)
    expect(budget.tokens).toBe(tokens)
    expect(budget.canRetry()).toBe(canRetry)
  })

  it('cuts a retry storm against a dead API to a handful of attempts', () => {
    const budget = new RetryBudget()
    let retries = 0
    while (budget.canRetry() && retries < 1000) {
      budget.recordFailure()
      retries++
    }
    expect(retries).toBe(5)
  })

  it.each([
    [{ tokens: 3, threshold: 1 }, times(1, 'fail'), 2, true],
    [{ tokens: 3, threshold: 1 }, times(2, 'fail'), 1, false],
    [{ failureCost: 2.5 }, times(2, 'fail'), 5, false],
    [{ successRefund: 1 }, [...times(5, 'fail'), 'ok' as Event], 6, true],
    [{ threshold: 0 }, times(9, 'fail'), 1, true]
  ])('honours options %o', (opts, events, tokens, canRetry) => {
    const budget = run(events, opts)
    expect(budget.tokens).toBe(tokens)
    expect(budget.canRetry()).toBe(canRetry)
  })

  it.each<[RetryBudgetOptions, string]>([
    [{ tokens: -1 }, 'RetryBudget tokens must be a finite number >= 0, got -1'],
    [{ failureCost: Number.NaN }, 'RetryBudget failureCost must be a finite number >= 0, got NaN'],
    [{ successRefund: -0.5 }, 'RetryBudget successRefund must be a finite number >= 0, got -0.5'],
    [
      { threshold: Number.POSITIVE_INFINITY },
      'RetryBudget threshold must be a finite number >= 0, got Infinity'
    ]
  ])('rejects invalid options %o, naming the option and its value', (opts, message) => {
    expect(() => new RetryBudget(opts)).toThrow(new RangeError(message))
  })
})
