import type { Lease, RunSlots, StopReason } from '../job/slots.js'

/**
 * Hands out the run's export slots: at most `limit` periods in progress at once, granted in the
 * order asked for. A slot is granted only after the previous grantee's create settled, and a
 * period that creates again on the slot it holds waits for its turn the same way, so our creates
 * never race one another for Clari's concurrency, and a refusal is known before the next period
 * tries. Once stopped, periods not yet granted get the stop reason; those in progress carry on
 * (the caller decides whether to cancel them).
 */
export class PeriodScheduler implements RunSlots {
  private readonly queue: ((grant: Lease | StopReason) => void)[] = []
  /** Periods waiting to create again on the slot they hold; they go before any new grant. */
  private readonly turns: (() => void)[] = []
  private held = 0
  private running = 0
  private settling = false
  private stopReason: StopReason | undefined
  private ended = 0
  private readonly endWaiters: { after: number; wake: () => void }[] = []

  constructor(
    private currentLimit: number,
    /** Called when a finished period gave its slot back while others still wait for one. */
    private readonly onRelease?: () => void
  ) {
    this.currentLimit = Math.max(1, currentLimit)
  }

  get limit(): number {
    return this.currentLimit
  }

  /** Slots held by periods in progress. */
  get active(): number {
    return this.held
  }

  /** Periods in progress whose job runs at Clari. */
  get jobsRunning(): number {
    return this.running
  }

  /** Jobs of ours that ended at Clari so far; pass it to whenJobEnded to wait for the next. */
  get jobsEnded(): number {
    return this.ended
  }

  /** Periods waiting for a slot. */
  get waiting(): number {
    return this.queue.length
  }

  get stopped(): StopReason | undefined {
    return this.stopReason
  }

  setLimit(limit: number): void {
    this.currentLimit = Math.max(1, limit)
    this.grant()
  }

  acquire(): Promise<Lease | StopReason> {
    if (this.stopReason) return Promise.resolve(this.stopReason)
    return new Promise(resolve => {
      this.queue.push(resolve)
      this.grant()
    })
  }

  /** No further slots are granted; waiting periods get `reason` at once. */
  stop(reason: StopReason): void {
    if (this.stopReason) return
    this.stopReason = reason
    for (const resolve of this.queue.splice(0)) resolve(reason)
  }

  /** Resolves once more than `after` jobs of ours have ended; rejects when `signal` aborts. */
  whenJobEnded(after: number, signal: AbortSignal): Promise<void> {
    if (this.ended > after) return Promise.resolve()
    if (signal.aborted) return Promise.reject(signal.reason)
    return wakeOrAbort(signal, wake => {
      const waiter = { after, wake }
      this.endWaiters.push(waiter)
      return () => this.endWaiters.splice(this.endWaiters.indexOf(waiter), 1)
    })
  }

  private grant(): void {
    // Even once stopped: a period in progress carries on.
    if (!this.settling && this.turns.length > 0) {
      this.settling = true
      this.turns.shift()!()
    }
    while (
      !this.stopReason &&
      !this.settling &&
      this.held < this.currentLimit &&
      this.queue.length > 0
    ) {
      this.held++
      this.settling = true
      this.queue.shift()!(this.lease())
    }
  }

  private lease(): Lease {
    let settled = false
    let hasJob = false
    let done = false
    const settle = (): void => {
      if (settled) return
      settled = true
      this.settling = false
    }
    const lease: Lease = {
      createTurn: signal => {
        // The grant was its first create's turn.
        if (!settled) return Promise.resolve()
        if (signal.aborted) return Promise.reject(signal.reason)
        return wakeOrAbort(signal, wake => {
          const turn = (): void => {
            settled = false
            wake()
          }
          this.turns.push(turn)
          this.grant()
          return () => this.turns.splice(this.turns.indexOf(turn), 1)
        })
      },
      jobStarted: () => {
        if (done || hasJob) return
        hasJob = true
        this.running++
        settle()
        this.grant()
      },
      jobEnded: () => {
        if (!hasJob) return
        hasJob = false
        this.running--
        this.ended++
        for (const waiter of this.endWaiters.filter(w => this.ended > w.after)) {
          this.endWaiters.splice(this.endWaiters.indexOf(waiter), 1)
          waiter.wake()
        }
      },
      release: () => {
        if (done) return
        done = true
        lease.jobEnded()
        settle()
        this.held--
        if (this.queue.length > 0) this.onRelease?.()
        this.grant()
      }
    }
    return lease
  }
}

/**
 * Resolves once the waiter `join` puts in line is woken, or rejects with the signal's reason when
 * it aborts first; `join` returns how to take the waiter out of line again.
 */
function wakeOrAbort(signal: AbortSignal, join: (wake: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      leave()
      reject(signal.reason)
    }
    // Before joining, which may wake the waiter at once.
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts once, so its listener runs once either way
    signal.addEventListener('abort', onAbort, { once: true })
    const leave = join(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    })
  })
}

export function isStopReason(grant: Lease | StopReason): grant is StopReason {
  return 'status' in grant
}

/**
 * The order the periods ask for their slots: an earlier attempt's jobs first (they run at
 * Clari already); then, when more than one period runs at once, those with an expected
 * duration, longest first (LPT: a long job started last would end the run alone); then the
 * rest, in input order. Ties keep input order.
 */
export function startOrder<T extends { period: string }>(
  todo: readonly T[],
  how: {
    resumed(item: T): boolean
    expectedMs(period: string): number | undefined
    longestFirst: boolean
  }
): T[] {
  const resumed = todo.filter(t => how.resumed(t))
  const rest = todo.filter(t => !how.resumed(t))
  if (!how.longestFirst) return [...resumed, ...rest]
  const known = rest.filter(t => how.expectedMs(t.period) !== undefined)
  known.sort((a, b) => how.expectedMs(b.period)! - how.expectedMs(a.period)!)
  return [...resumed, ...known, ...rest.filter(t => how.expectedMs(t.period) === undefined)]
}
