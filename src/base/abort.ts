import type { Clock } from './clock.js'

/** Thrown when the run's AbortSignal fires (SIGINT/SIGTERM from a cancelled workflow). */
export class CancelledError extends Error {
  override name = 'CancelledError'

  constructor(options?: ErrorOptions) {
    super('The run was cancelled', options)
  }
}

/** The reason a deadline signal aborts with: time ran out, nobody cancelled. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError'
  constructor() {
    super('the deadline passed')
  }
}

export interface LinkedAbort {
  controller: AbortController
  /** Unlinks from the parent and stops the deadline timer; call when the work is over. */
  dispose(): void
}

/**
 * A controller that aborts with the parent's reason when the parent aborts, and, when a
 * deadline is given, with DeadlineError once `clock` reaches it. The deadline is an explicit
 * sleep on the clock (a timer the event loop holds until dispose), never AbortSignal.timeout,
 * which Node may collect before it fires (nodejs/node#57736).
 */
export function linkedAbort(
  parent: AbortSignal,
  deadline?: { clock: Clock; at: number }
): LinkedAbort {
  const controller = new AbortController()
  const follow = (): void => controller.abort(parent.reason)
  if (parent.aborted) {
    follow()
  } else {
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: an AbortSignal fires once at most, so a listener kept after it fired never runs again
    parent.addEventListener('abort', follow, { once: true })
  }
  const timer = new AbortController()
  if (deadline && !controller.signal.aborted) {
    const { clock, at } = deadline
    clock.sleep(Math.max(0, at - clock.now()), timer.signal).then(
      () => controller.abort(new DeadlineError()),
      () => {}
    )
  }
  return {
    controller,
    dispose() {
      parent.removeEventListener('abort', follow)
      timer.abort()
    }
  }
}
