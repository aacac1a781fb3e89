import { getEventListeners } from 'node:events'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { systemClock, whileBusy, type Clock } from '../../src/base/clock.js'

// Node's setTimeout fires after 1 ms for anything longer; fake timers do the same.
const MAX_TIMER_MS = 2 ** 31 - 1

/** A clock that records when it is marked busy and released. */
function recordingClock(): { clock: Clock; events: string[] } {
  const events: string[] = []
  const clock: Clock = {
    now: () => 0,
    wallNow: () => 0,
    sleep: () => Promise.resolve(),
    busy: () => {
      events.push('busy')
      return () => events.push('released')
    }
  }
  return { clock, events }
}

describe('whileBusy', () => {
  it('marks the clock busy for the work and returns its result', async () => {
    const { clock, events } = recordingClock()
    const result = await whileBusy(clock, async () => {
      events.push('work')
      return 42
    })
    expect(result).toBe(42)
    expect(events).toEqual(['busy', 'work', 'released'])
  })

  it('releases the clock when the work fails, and passes the failure on', async () => {
    const { clock, events } = recordingClock()
    const failure = new Error('socket hang up')
    await expect(whileBusy(clock, () => Promise.reject(failure))).rejects.toBe(failure)
    expect(events).toEqual(['busy', 'released'])
  })

  it('runs the work on a clock that has no busy marking', async () => {
    expect(await whileBusy(systemClock, async () => 'done')).toBe('done')
  })
})

describe('systemClock', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  /** Starts a sleep and reports whether it has resolved. */
  function track(ms: number, signal?: AbortSignal): { done: () => boolean; sleep: Promise<void> } {
    let resolved = false
    const sleep = systemClock.sleep(ms, signal).then(() => void (resolved = true))
    return { done: () => resolved, sleep }
  }

  it('reads the monotonic clock and the wall clock', () => {
    vi.setSystemTime(Date.UTC(2026, 0, 2, 3, 4, 5))
    expect(systemClock.wallNow()).toBe(Date.UTC(2026, 0, 2, 3, 4, 5))
    const before = systemClock.now()
    vi.advanceTimersByTime(1_500)
    expect(systemClock.now() - before).toBe(1_500)
  })

  it.each([
    ['a short wait', 1_000],
    ['a wait longer than one timer can hold', MAX_TIMER_MS + 1_000],
    ['a wait of several timers', 3 * MAX_TIMER_MS + 7]
  ])('resolves %s when it is over, not before', async (_, ms) => {
    const { done, sleep } = track(ms)
    await vi.advanceTimersByTimeAsync(ms - 1)
    expect(done()).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    await sleep
    expect(done()).toBe(true)
  })

  it('resolves a wait of no or negative length on the next timer turn', async () => {
    const { done, sleep } = track(-50)
    await vi.advanceTimersByTimeAsync(0)
    await sleep
    expect(done()).toBe(true)
  })

  it('rejects at once with the reason of a signal that already fired, and sets no timer', async () => {
    const reason = new Error('cancelled before')
    await expect(systemClock.sleep(1_000, AbortSignal.abort(reason))).rejects.toBe(reason)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('rejects with the signal reason when it fires mid-wait, and clears the timer', async () => {
    const controller = new AbortController()
    const reason = new Error('cancelled')
    const sleep = systemClock.sleep(MAX_TIMER_MS + 1_000, controller.signal)
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 10)
    controller.abort(reason)
    await expect(sleep).rejects.toBe(reason)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('leaves no listener on the signal once it has resolved', async () => {
    const { signal } = new AbortController()
    const sleep = systemClock.sleep(10, signal)
    expect(getEventListeners(signal, 'abort')).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(10)
    await sleep
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
  })
})
