/** Thrown when the run's AbortSignal fires (SIGINT/SIGTERM from a cancelled workflow). */
export class CancelledError extends Error {
  override name = 'CancelledError'

  constructor(options?: ErrorOptions) {
    super('The run was cancelled', options)
  }
}

const ABORT_NAMES = new Set(['AbortError', 'TimeoutError'])

/**
 * True for errors that mean "stopped on purpose", which must never be retried or reported as a
 * failure of the API: fetch aborts, AbortSignal.timeout expiries and run cancellation.
 */
export function isAbortError(e: unknown): boolean {
  return e instanceof CancelledError || (e instanceof Error && ABORT_NAMES.has(e.name))
}
