import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { CancelledError, DeadlineError, linkedAbort } from '../../src/base/abort.js'
import { VirtualClock } from '../../src/base/virtual-clock.js'

/** Lets the virtual clock's scheduler (setImmediate) take a few turns. */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
}

describe('CancelledError', () => {
  it('has a stable name and message and keeps its cause', () => {
    const cause = new Error('SIGTERM')
    const e = new CancelledError({ cause })
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe('CancelledError')
    expect(e.message).toBe('The run was cancelled')
    expect(e.cause).toBe(cause)
  })
})

describe('DeadlineError', () => {
  it('says the deadline passed, under a name of its own', () => {
    const e = new DeadlineError()
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe('DeadlineError')
    expect(e.message).toBe('the deadline passed')
  })
})

describe('linkedAbort', () => {
  it('aborts with the parent reason when the parent aborts', () => {
    const parent = new AbortController()
    const { controller } = linkedAbort(parent.signal)
    expect(controller.signal.aborted).toBe(false)
    const reason = new CancelledError()
    parent.abort(reason)
    expect(controller.signal.reason).toBe(reason)
  })

  it('is aborted at once, with the parent reason, when the parent already was', async () => {
    const reason = new CancelledError()
    const clock = new VirtualClock()
    const { controller } = linkedAbort(AbortSignal.abort(reason), { clock, at: 100 })
    expect(controller.signal.reason).toBe(reason)
    // No deadline timer was set: a sleep runs alone and the reason stays the parent's.
    await clock.sleep(500)
    expect(clock.now()).toBe(500)
    expect(controller.signal.reason).toBe(reason)
  })

  it.each([
    ['ahead', 250, 250],
    ['already past', -100, 0]
  ])('aborts with DeadlineError when the clock reaches a deadline %s', async (_, at, abortedAt) => {
    const clock = new VirtualClock()
    const { controller } = linkedAbort(new AbortController().signal, { clock, at })
    const seen = new Promise<number>(resolve =>
      controller.signal.addEventListener('abort', () => resolve(clock.now()))
    )
    expect(await seen).toBe(abortedAt)
    expect(controller.signal.reason).toBeInstanceOf(DeadlineError)
  })

  it('measures the deadline on the clock, from its present time', async () => {
    const clock = new VirtualClock()
    clock.advance(1_000)
    const { controller } = linkedAbort(new AbortController().signal, { clock, at: 1_300 })
    await clock.sleep(299)
    expect(controller.signal.aborted).toBe(false)
    await clock.sleep(2)
    expect(controller.signal.reason).toBeInstanceOf(DeadlineError)
  })

  it('without a deadline, never aborts on its own', async () => {
    const clock = new VirtualClock()
    const { controller } = linkedAbort(new AbortController().signal)
    await clock.sleep(1_000_000)
    expect(controller.signal.aborted).toBe(false)
  })

  it('after dispose, follows neither the parent nor the deadline, and leaves no listener', async () => {
    const parent = new AbortController()
    const clock = new VirtualClock()
    const link = linkedAbort(parent.signal, { clock, at: 100 })
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1)
    link.dispose()
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0)
    await clock.sleep(1_000)
    parent.abort(new CancelledError())
    await turns()
    expect(link.controller.signal.aborted).toBe(false)
  })
})
