/** Time source for every wait: injected so tests and the benchmark can run hours of polling in milliseconds. */
export interface Clock {
  /** Monotonic milliseconds; only differences are meaningful. */
  now(): number
  /** Wall-clock epoch milliseconds (for HTTP dates and the manifest). */
  wallNow(): number
  /** Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /**
   * Marks real I/O in progress until the returned release is called. A virtual clock does not
   * move meanwhile, so one job's request cannot take the time another job sleeps; real time
   * needs no such care, so the system clock has none.
   */
  busy?(): () => void
}

/** Runs real I/O (a request, a file write) with the clock marked busy until it settles. */
export async function whileBusy<T>(clock: Clock, work: () => Promise<T>): Promise<T> {
  const release = clock.busy?.()
  try {
    return await work()
  } finally {
    release?.()
  }
}

/** Uniform random number in [0, 1). */
export type Random = () => number

// setTimeout fires after ~1 ms for delays above 2^31-1 ms, so long waits are chained in slices.
const MAX_TIMER_MS = 2_147_483_647

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      let timer: NodeJS.Timeout
      let remaining = Math.max(0, ms)
      const onAbort = (): void => {
        clearTimeout(timer)
        reject(signal?.reason)
      }
      const arm = (): void => {
        const slice = Math.min(remaining, MAX_TIMER_MS)
        remaining -= slice
        timer = setTimeout(() => {
          if (remaining > 0) return arm()
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }, slice)
      }
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: an AbortSignal fires once at most, so a listener kept after it fired never runs again
      signal?.addEventListener('abort', onAbort, { once: true })
      arm()
    })
}
