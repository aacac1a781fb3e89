import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../src/base/virtual-clock.js'

/** Lets the clock's scheduler (setImmediate) take a few turns. */
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve))
}

/** Starts sleeps in the given order and records the time and order in which they wake. */
async function wakeOrder(clock: VirtualClock, sleeps: number[]): Promise<[number, number][]> {
  const woke: [number, number][] = []
  await Promise.all(
    sleeps.map((ms, i) => clock.sleep(ms).then(() => void woke.push([i, clock.now()])))
  )
  return woke
}

describe('VirtualClock', () => {
  it('starts at 0 and at the default epoch, or at the epoch it is given', () => {
    expect(new VirtualClock().now()).toBe(0)
    expect(new VirtualClock().wallNow()).toBe(Date.UTC(2026, 10, 28, 3, 0, 0))
    expect(new VirtualClock(1_000).wallNow()).toBe(1_000)
  })

  it.each([
    ['forward', [250, 750], 1_000],
    ['never backward', [500, -200], 500],
    ['by nothing', [0], 0]
  ])('advance moves time %s', (_, steps, after) => {
    const clock = new VirtualClock(10_000)
    for (const ms of steps) clock.advance(ms)
    expect(clock.now()).toBe(after)
    expect(clock.wallNow()).toBe(10_000 + after)
  })

  it.each([
    [
      'wake in time order, whatever order they started in',
      [300, 100, 200],
      [
        [1, 100],
        [2, 200],
        [0, 300]
      ]
    ],
    [
      'of the same length wake in the order they started',
      [50, 50, 50],
      [
        [0, 50],
        [1, 50],
        [2, 50]
      ]
    ],
    [
      'of no or negative length wake at once, time standing still',
      [0, -40],
      [
        [0, 0],
        [1, 0]
      ]
    ]
  ])('sleeps %s', async (_, sleeps, woke) => {
    expect(await wakeOrder(new VirtualClock(), sleeps)).toEqual(woke)
  })

  it('counts a sleep from the time it starts', async () => {
    const clock = new VirtualClock()
    await clock.sleep(100)
    await clock.sleep(40)
    expect(clock.now()).toBe(140)
  })

  it('never moves time back for a sleep that came due while time was advanced', async () => {
    const clock = new VirtualClock()
    const sleep = clock.sleep(10)
    clock.advance(50)
    await sleep
    expect(clock.now()).toBe(50)
  })

  it('rejects at once with the reason of a signal that already fired, and keeps no timer', async () => {
    const clock = new VirtualClock()
    const reason = new Error('cancelled before')
    await expect(clock.sleep(100, AbortSignal.abort(reason))).rejects.toBe(reason)
    await clock.sleep(5)
    expect(clock.now()).toBe(5)
  })

  it('rejects a sleep with the reason its signal fires with, and drops its timer', async () => {
    const clock = new VirtualClock()
    const controller = new AbortController()
    const reason = new Error('cancelled')
    const aborted = clock.sleep(1_000, controller.signal)
    const other = clock.sleep(2_000)
    controller.abort(reason)
    await expect(aborted).rejects.toBe(reason)
    await other
    expect(clock.now()).toBe(2_000)
    // A third sleep is not held up by the cancelled one's timer.
    await clock.sleep(1)
    expect(clock.now()).toBe(2_001)
  })

  it('cancelling one sleep leaves the other sleepers on the same signal their timers', async () => {
    const clock = new VirtualClock()
    const controller = new AbortController()
    const first = clock.sleep(100, controller.signal)
    const second = clock.sleep(100)
    const third = clock.sleep(300, controller.signal)
    await first
    await second
    controller.abort(new Error('late'))
    await expect(third).rejects.toThrow('late')
    await clock.sleep(1)
    expect(clock.now()).toBe(101)
  })

  it('never moves time for a cancelled sleep, even one due before all the others', async () => {
    const clock = new VirtualClock()
    const controller = new AbortController()
    const cancelled = clock.sleep(1_000, controller.signal)
    controller.abort(new Error('cancelled'))
    await expect(cancelled).rejects.toThrow('cancelled')
    await clock.sleep(10)
    await turns()
    expect(clock.now()).toBe(10)
  })

  it('lets a release or a cancel with no sleep left pass, and sleeps on after it', async () => {
    const clock = new VirtualClock()
    clock.busy()()
    const controller = new AbortController()
    const cancelled = clock.sleep(100, controller.signal)
    controller.abort(new Error('cancelled'))
    await expect(cancelled).rejects.toThrow('cancelled')
    await turns()
    await clock.sleep(30)
    expect(clock.now()).toBe(30)
  })

  it('leaves no listener on the signal once a sleep has woken', async () => {
    const clock = new VirtualClock()
    const { signal } = new AbortController()
    for (let i = 0; i < 3; i++) await clock.sleep(10, signal)
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
  })

  it('while busy, wakes only sleeps already due; the rest wake after the release', async () => {
    const clock = new VirtualClock()
    const release = clock.busy()
    const woke: string[] = []
    void clock.sleep(0).then(() => woke.push('due'))
    void clock.sleep(100).then(() => woke.push('later'))
    await turns()
    expect(woke).toEqual(['due'])
    expect(clock.now()).toBe(0)
    release()
    await turns()
    expect(woke).toEqual(['due', 'later'])
    expect(clock.now()).toBe(100)
  })

  it('waits for every busy holder, and a release called twice counts once', async () => {
    const clock = new VirtualClock()
    const first = clock.busy()
    const second = clock.busy()
    let woke = false
    void clock.sleep(100).then(() => (woke = true))
    first()
    first()
    await turns()
    expect(woke).toBe(false)
    second()
    await turns()
    expect(woke).toBe(true)
  })
})
