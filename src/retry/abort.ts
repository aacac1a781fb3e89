/** Thrown when the run's AbortSignal fires (SIGINT/SIGTERM from a cancelled workflow). */
export class CancelledError extends Error {
  override name = 'CancelledError'

  constructor(options?: ErrorOptions) {
    super('The run was cancelled', options)
  }
}

export interface BoundedSignal {
  /** Aborts when the parent does (with its reason), or after the bound (with a TimeoutError). */
  signal: AbortSignal
  /** Whether the bound itself fired. */
  timedOut(): boolean
  /** Stops the timer and lets go of the parent; call it when the bounded work ends. */
  release(): void
}

/**
 * A signal bounded in time by a plain timer that Node's timer list holds until it fires or is
 * released. Not `AbortSignal.any([parent, AbortSignal.timeout(ms)])`: there the timeout signal is
 * held only weakly and can be garbage-collected before it fires, so the bound silently never
 * triggers (nodejs/node#57736, Node 20). The timer is unref'd: a bound never keeps the process up.
 */
export function boundedSignal(ms: number, parent?: AbortSignal): BoundedSignal {
  const controller = new AbortController()
  let timedOut = false
  const onParentAbort = (): void => controller.abort(parent?.reason)
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))
  }, ms).unref()
  const release = (): void => {
    clearTimeout(timer)
    parent?.removeEventListener('abort', onParentAbort)
  }
  if (parent?.aborted) onParentAbort()
  else parent?.addEventListener('abort', onParentAbort, { once: true })
  controller.signal.addEventListener('abort', release, { once: true })
  return { signal: controller.signal, timedOut: () => timedOut, release }
}
