import { CancelledError } from '../base/abort.js'
import type { RetryAfterHint } from '../retry/retry-after.js'
import type { ClariErrorBody } from './types.js'
import { cleanServerText } from './untrusted-text.js'

/** A non-2xx answer from Clari, with what Clari support asks for (`code`, `errorId`). */
export class ClariApiError extends Error {
  override readonly name = 'ClariApiError'
  readonly code?: string
  readonly errorId?: string
  readonly serverMessage?: string

  constructor(
    readonly status: number,
    readonly operation: string,
    body: ClariErrorBody | undefined,
    /** The server's Retry-After, parsed; set on throttling answers (429, 503). */
    readonly retryAfter?: RetryAfterHint
  ) {
    const code = identifier(body?.code)
    const errorId = identifier(body?.errorId)
    const serverMessage = body?.message ? cleanServerText(body.message) || undefined : undefined
    const details = [code && `code ${code}`, errorId && `errorId ${errorId}`].filter(Boolean)
    super(
      `${operation} failed: HTTP ${status}` +
        (serverMessage ? `: ${serverMessage}` : '') +
        (details.length ? ` (${details.join(', ')})` : '')
    )
    this.code = code
    this.errorId = errorId
    this.serverMessage = serverMessage
  }
}

/** Clari's `code` and `errorId` are short strings; anything else is not one. */
function identifier(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  return cleanServerText(String(value), 80) || undefined
}

/** The connection failed or broke. `sent` tells whether the server may have processed the request. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError'
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly sent: boolean
  ) {
    super(message)
  }
}

/** A 2xx whose body is not what the API documents (e.g. broken JSON). */
export class InvalidResponseError extends Error {
  override readonly name = 'InvalidResponseError'
}

/**
 * The run was cancelled after a create request went out: Clari may have made the job all the
 * same. A cancellation like any other, which also says when the request was sent.
 */
export class InterruptedCreateError extends CancelledError {
  override name = 'InterruptedCreateError'
  constructor(
    /** Wall-clock time just before the request was sent. */
    readonly sentAt: number,
    options?: ErrorOptions
  ) {
    super(options)
  }
}

/**
 * The create POST may or may not have created a job (timeout after sending, reset, 500/502/504).
 * There is no idempotency key, so the caller must look for the job before creating again.
 */
export class AmbiguousCreateError extends Error {
  override readonly name = 'AmbiguousCreateError'
  constructor(
    override readonly cause: Error,
    /** Wall-clock time just before the request was sent. */
    readonly sentAt: number
  ) {
    super(`the create request may have been processed: ${cause.message}`)
  }
}
