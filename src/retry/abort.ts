/** Thrown when the run's AbortSignal fires (SIGINT/SIGTERM from a cancelled workflow). */
export class CancelledError extends Error {
  override name = 'CancelledError'

  constructor(options?: ErrorOptions) {
    super('The run was cancelled', options)
  }
}
