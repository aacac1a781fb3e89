import { parseHttpDate } from './http-date.js'

/** What a `Retry-After` header asks for; `none` means "fall back to backoff". */
export type RetryAfterHint =
  | { kind: 'delay'; ms: number; raw: string }
  | { kind: 'none'; reason: 'absent' | 'invalid'; raw?: string }

// RFC 9110 allows only integer seconds; a decimal like `1.5` is accepted as seconds too, rounded
// up, because reading it as a date or zero would retry earlier than the server asked.
const SECONDS = /^(\d+)(?:\.(\d+))?$/

/**
 * Reads a `Retry-After` value (RFC 9110 §10.2.3). An HTTP-date counts from the response's own
 * `Date` header when that is valid, which cancels clock skew, else from `receivedAt` (epoch ms).
 * A past date means no wait. Never throws: a malformed header is `invalid`, not zero delay.
 */
export function parseRetryAfter(
  raw: string | null | undefined,
  opts: { receivedAt: number; dateHeader?: string | null }
): RetryAfterHint {
  if (raw === null || raw === undefined) return { kind: 'none', reason: 'absent' }
  const value = raw.trim()

  const seconds = SECONDS.exec(value)
  // The first group is not optional: it is there whenever the pattern matched.
  if (seconds) return { kind: 'delay', ms: secondsToMs(seconds[1]!, seconds[2] ?? ''), raw }

  const retryAt = parseHttpDate(value, opts.receivedAt)
  if (retryAt === undefined) return { kind: 'none', reason: 'invalid', raw }
  const serverNow = opts.dateHeader
    ? parseHttpDate(opts.dateHeader.trim(), opts.receivedAt)
    : undefined
  return { kind: 'delay', ms: Math.max(0, retryAt - (serverNow ?? opts.receivedAt)), raw }
}

/** Exact decimal-string arithmetic, so `1.1` is 1100 ms and not 1101 from float error. */
function secondsToMs(whole: string, fraction: string): number {
  const ms = Number(whole) * 1000 + Number(fraction.padEnd(3, '0').slice(0, 3))
  const belowMs = /[1-9]/.test(fraction.slice(3))
  // Past 2^53 the digits no longer map to one number; any cap treats this as "far too long".
  if (ms + 1 > Number.MAX_SAFE_INTEGER) return Number.POSITIVE_INFINITY
  return belowMs ? ms + 1 : ms
}
