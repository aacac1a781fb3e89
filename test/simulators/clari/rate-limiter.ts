export interface RateLimitOptions {
  limit: number
  windowMs: number
  retryAfter?: 'seconds' | 'http-date' | 'none'
}

/** Fixed windows on the sim clock; only admitted requests count. */
export class FixedWindowLimiter {
  private window = -1
  private count = 0

  constructor(private readonly options: RateLimitOptions) {}

  /** undefined when admitted, otherwise the headers of the 429. */
  check(now: number): Record<string, string> | undefined {
    const { limit, windowMs, retryAfter = 'seconds' } = this.options
    const window = Math.floor(now / windowMs)
    if (window !== this.window) {
      this.window = window
      this.count = 0
    }
    if (this.count < limit) {
      this.count++
      return undefined
    }
    const windowEnd = (window + 1) * windowMs
    if (retryAfter === 'none') return {}
    if (retryAfter === 'http-date') {
      return { 'Retry-After': new Date(Math.ceil(windowEnd / 1000) * 1000).toUTCString() }
    }
    return { 'Retry-After': String(Math.ceil((windowEnd - now) / 1000)) }
  }
}
