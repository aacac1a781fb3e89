import type { Clock } from './clock.js'

/**
 * A clock whose time moves only when someone sleeps: each sleep jumps straight to its wake-up
 * time. Lets tests and the benchmark run the real polling code over hours of virtual time.
 * Shared by every sleeper of one run, so concurrent sleeps wake in time order, and time stands
 * still while any of them has real I/O in flight (`busy`), so concurrent jobs see one timeline.
 */
export class VirtualClock implements Clock {
  private current = 0
  private timers: { at: number; wake: () => void }[] = []
  private scheduled = false
  private inFlight = 0

  constructor(private readonly epochMs = Date.UTC(2026, 10, 28, 3, 0, 0)) {}

  now(): number {
    return this.current
  }

  wallNow(): number {
    return this.epochMs + this.current
  }

  /** Moves time forward without anyone sleeping (e.g. to model request latency). */
  advance(ms: number): void {
    this.current += Math.max(0, ms)
  }

  busy(): () => void {
    this.inFlight++
    let released = false
    return () => {
      if (released) return
      released = true
      this.inFlight--
      this.schedule()
    }
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    return new Promise<void>((resolve, reject) => {
      const timer = {
        at: this.current + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
      }
      const onAbort = (): void => {
        this.timers = this.timers.filter(other => other !== timer)
        reject(signal?.reason)
      }
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: an AbortSignal fires once at most, so a listener kept after it fired never runs again
      signal?.addEventListener('abort', onAbort, { once: true })
      this.timers.push(timer)
      this.schedule()
    })
  }

  // Fire the earliest timer only after pending I/O callbacks had their turn, so a sleeper that
  // races a real socket does not skip ahead of it. While I/O is marked busy, only timers that
  // are already due may fire: time itself waits for the release.
  private schedule(): void {
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      if (this.timers.length === 0) return
      this.timers.sort((a, b) => a.at - b.at)
      if (this.inFlight > 0 && this.timers[0]!.at > this.current) return
      const next = this.timers.shift()!
      this.current = Math.max(this.current, next.at)
      next.wake()
      this.schedule()
    })
  }
}
