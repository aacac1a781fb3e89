export interface RetryBudgetOptions {
  /** Starting and maximum token count (default 10). */
  tokens?: number
  /** Tokens taken by each failed attempt (default 1). */
  failureCost?: number
  /**
   * Tokens given back by each success (default 0.2). The design's first 0.1 drains the budget at a
   * steady 10 % failure rate (−1 · 0.1 + 0.1 · 0.9 < 0), so a long run on a flaky network would
   * stop retrying; 0.2 sustains up to ~17 % failures, while a dead API still stops after 5
   * attempts (docs/retry-policy.md#transient-failures-and-the-retry-budget).
   */
  successRefund?: number
  /** Retries are allowed only while tokens exceed this (default 5). */
  threshold?: number
}

// Counted in thousandths, as gRPC does, so repeated 0.2 refunds add up exactly.
const SCALE = 1000

/**
 * Per-run retry budget in the style of gRPC A6 `retryThrottling`: once failures outweigh
 * successes, retries stop, so a dead API gives a prompt clear failure instead of a retry storm.
 */
export class RetryBudget {
  private readonly max: number
  private readonly cost: number
  private readonly refund: number
  private readonly threshold: number
  private current: number

  constructor(opts: RetryBudgetOptions = {}) {
    this.max = toMilli('tokens', opts.tokens ?? 10)
    this.cost = toMilli('failureCost', opts.failureCost ?? 1)
    this.refund = toMilli('successRefund', opts.successRefund ?? 0.2)
    this.threshold = toMilli('threshold', opts.threshold ?? 5)
    this.current = this.max
  }

  get tokens(): number {
    return this.current / SCALE
  }

  canRetry(): boolean {
    return this.current > this.threshold
  }

  recordFailure(): void {
    this.current = Math.max(0, this.current - this.cost)
  }

  recordSuccess(): void {
    this.current = Math.min(this.max, this.current + this.refund)
  }
}

function toMilli(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`RetryBudget ${name} must be a finite number >= 0, got ${value}`)
  }
  return Math.round(value * SCALE)
}
