import { setImmediate as turnOfTheLoop } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import type { Lease, StopReason } from '../../../src/engine/job/slots.js'
import { isStopReason, PeriodScheduler, startOrder } from '../../../src/engine/run/scheduler.js'
import { VirtualClock } from '../../../src/base/virtual-clock.js'

interface Trace {
  /** Period indexes in the order their slots were granted. */
  granted: number[]
  /** Most periods in progress at once, and most jobs running at once. */
  maxActive: number
  maxRunning: number
  /** Outcome per period, in input order: 'done', or the stop reason's status. */
  results: string[]
  /** Virtual time the run took. */
  endedAt: number
}

interface Period {
  /** Time from the grant to the job existing at Clari (the create). */
  createMs?: number
  /** Time the job runs at Clari. */
  jobMs: number
  /** Time the download takes after the job ended. */
  downloadMs?: number
  /** When the period ends, do this to the scheduler (as the engine does after a failure). */
  onEnd?: (scheduler: PeriodScheduler) => void
}

/** Runs periods on a scheduler as the engine does, on a virtual clock, and traces what happened. */
async function simulate(limit: number, periods: Period[]): Promise<Trace> {
  const clock = new VirtualClock()
  const scheduler = new PeriodScheduler(limit)
  const trace: Trace = { granted: [], maxActive: 0, maxRunning: 0, results: [], endedAt: 0 }
  const observe = (): void => {
    trace.maxActive = Math.max(trace.maxActive, scheduler.active)
    trace.maxRunning = Math.max(trace.maxRunning, scheduler.jobsRunning)
  }
  const run = async (p: Period, index: number): Promise<string> => {
    const grant = await scheduler.acquire()
    if (isStopReason(grant)) return grant.status
    trace.granted.push(index)
    observe()
    await clock.sleep(p.createMs ?? 0)
    grant.jobStarted()
    observe()
    await clock.sleep(p.jobMs)
    grant.jobEnded()
    await clock.sleep(p.downloadMs ?? 0)
    p.onEnd?.(scheduler)
    grant.release()
    return 'done'
  }
  trace.results = await Promise.all(periods.map(run))
  trace.endedAt = clock.now()
  return trace
}

const STOP: StopReason = { status: 'ERROR', error: 'not started: quota gone' }

describe('PeriodScheduler', () => {
  it.each([
    {
      name: 'one at a time, in input order',
      limit: 1,
      periods: [{ jobMs: 30 }, { jobMs: 10 }, { jobMs: 20 }],
      granted: [0, 1, 2],
      maxActive: 1,
      results: ['done', 'done', 'done'],
      endedAt: 60
    },
    {
      name: 'three slots for five periods: the next starts as soon as one ends',
      limit: 3,
      periods: [{ jobMs: 100 }, { jobMs: 10 }, { jobMs: 50 }, { jobMs: 30 }, { jobMs: 30 }],
      granted: [0, 1, 2, 3, 4],
      maxActive: 3,
      results: ['done', 'done', 'done', 'done', 'done'],
      // 1 ends at 10 → 3 runs 10..40 → 4 runs 40..70; 0 ends at 100.
      endedAt: 100
    },
    {
      name: 'a slot is held through the download, so a period is finished before the next starts',
      limit: 1,
      periods: [
        { jobMs: 10, downloadMs: 5 },
        { jobMs: 10, downloadMs: 5 }
      ],
      granted: [0, 1],
      maxActive: 1,
      results: ['done', 'done'],
      endedAt: 30
    },
    {
      name: 'more slots than periods',
      limit: 10,
      periods: [{ jobMs: 10 }, { jobMs: 20 }],
      granted: [0, 1],
      maxActive: 2,
      results: ['done', 'done'],
      endedAt: 20
    },
    {
      name: 'a run-wide stop: waiting periods get the reason, the ones in flight finish',
      limit: 2,
      periods: [
        { jobMs: 10, onEnd: (s: PeriodScheduler) => s.stop(STOP) },
        { jobMs: 50 },
        { jobMs: 10 },
        { jobMs: 10 }
      ],
      granted: [0, 1],
      maxActive: 2,
      results: ['done', 'done', 'ERROR', 'ERROR'],
      endedAt: 50
    },
    {
      name: 'fail-fast stops at the first failure one at a time',
      limit: 1,
      periods: [
        {
          jobMs: 10,
          onEnd: (s: PeriodScheduler) =>
            s.stop({ status: 'CANCELLED', error: 'not started: fail-fast' })
        },
        { jobMs: 10 }
      ],
      granted: [0],
      maxActive: 1,
      results: ['done', 'CANCELLED'],
      endedAt: 10
    }
  ])('$name', async ({ limit, periods, granted, maxActive, results, endedAt }) => {
    const trace = await simulate(limit, periods)
    expect(trace.granted).toEqual(granted)
    expect(trace.maxActive).toBe(maxActive)
    expect(trace.maxRunning).toBeLessThanOrEqual(maxActive)
    expect(trace.results).toEqual(results)
    expect(trace.endedAt).toBe(endedAt)
  })

  it('grants the next slot only once the previous grantee has its job (creates never race)', async () => {
    const scheduler = new PeriodScheduler(3)
    const first = scheduler.acquire()
    const second = scheduler.acquire()
    let secondGranted = false
    void second.then(() => (secondGranted = true))
    const lease = (await first) as Lease
    await Promise.resolve()
    expect(secondGranted).toBe(false)
    lease.jobStarted()
    await second
    expect(secondGranted).toBe(true)
    expect(scheduler.active).toBe(2)
  })

  it('lowering the limit holds back the waiting periods until enough finish; raising lets them in', async () => {
    const scheduler = new PeriodScheduler(3)
    const leases = [(await scheduler.acquire()) as Lease]
    leases[0]!.jobStarted()
    leases.push((await scheduler.acquire()) as Lease)
    leases[1]!.jobStarted()
    scheduler.setLimit(1)
    const third = scheduler.acquire()
    let granted = false
    void third.then(() => (granted = true))
    leases[0]!.release()
    await Promise.resolve()
    expect(granted).toBe(false) // still 1 in progress, the limit is 1
    scheduler.setLimit(2)
    await third
    expect(granted).toBe(true)
  })

  it('wakes a period waiting for one of ours to end, and no sooner', async () => {
    const scheduler = new PeriodScheduler(2)
    const lease = (await scheduler.acquire()) as Lease
    lease.jobStarted()
    const seen = scheduler.jobsEnded
    let woke = false
    const waiting = scheduler
      .whenJobEnded(seen, new AbortController().signal)
      .then(() => (woke = true))
    await Promise.resolve()
    expect(woke).toBe(false)
    lease.jobEnded()
    await waiting
    expect(woke).toBe(true)
    // A job that ended before the wait began counts: nothing is missed between check and wait.
    await expect(
      scheduler.whenJobEnded(seen, new AbortController().signal)
    ).resolves.toBeUndefined()
  })

  it('stops waiting for a job to end when the run is cancelled, also when it already was', async () => {
    const scheduler = new PeriodScheduler(1)
    const controller = new AbortController()
    const waiting = scheduler.whenJobEnded(0, controller.signal)
    controller.abort(new Error('SIGINT'))
    await expect(waiting).rejects.toThrow('SIGINT')
    await expect(scheduler.whenJobEnded(0, controller.signal)).rejects.toThrow('SIGINT')
  })

  it('a wait for the second job to end is not woken by the first', async () => {
    const scheduler = new PeriodScheduler(2)
    const first = (await scheduler.acquire()) as Lease
    first.jobStarted()
    const second = (await scheduler.acquire()) as Lease
    second.jobStarted()
    let woke = false
    const waiting = scheduler
      .whenJobEnded(1, new AbortController().signal)
      .then(() => (woke = true))
    first.jobEnded()
    await Promise.resolve()
    expect(woke).toBe(false)
    second.jobEnded()
    await waiting
    expect(woke).toBe(true)
  })

  it("a period's cancel after its wait was woken leaves another period's wait in place", async () => {
    const scheduler = new PeriodScheduler(3)
    const leases: Lease[] = []
    for (let i = 0; i < 2; i++) {
      leases.push((await scheduler.acquire()) as Lease)
      leases[i]!.jobStarted()
    }
    const early = new AbortController()
    await Promise.all([scheduler.whenJobEnded(0, early.signal), leases[0]!.jobEnded()])
    let woke = false
    const later = scheduler.whenJobEnded(1, new AbortController().signal).then(() => (woke = true))
    early.abort(new Error('SIGINT'))
    leases[1]!.jobEnded()
    await later
    expect(woke).toBe(true)
  })

  it('asks to raise the limit only when a period finishes while others wait', async () => {
    // How many periods waited at each ask.
    const asked: number[] = []
    const scheduler = new PeriodScheduler(1, () => asked.push(scheduler.waiting))
    const first = (await scheduler.acquire()) as Lease
    first.jobStarted()
    const next = scheduler.acquire()
    first.release()
    const second = (await next) as Lease
    second.jobStarted()
    second.release()
    expect(asked).toEqual([1])
  })

  it('grants a slot with a limit below one (a run never waits on a limit of 0)', async () => {
    const scheduler = new PeriodScheduler(0)
    expect(scheduler.limit).toBe(1)
    expect(isStopReason(await scheduler.acquire())).toBe(false)
  })

  it('a slot released after its job started does not let a third period create beside a second still creating', async () => {
    const scheduler = new PeriodScheduler(3)
    const first = (await scheduler.acquire()) as Lease
    first.jobStarted()
    const second = (await scheduler.acquire()) as Lease
    let thirdGranted = false
    const third = scheduler.acquire().then(grant => ((thirdGranted = true), grant as Lease))
    first.release()
    await Promise.resolve()
    expect(thirdGranted).toBe(false) // the second's create has not settled
    second.jobStarted()
    await third
    expect(thirdGranted).toBe(true)
  })

  // A period whose earlier job's results are gone creates again on the slot it holds.
  const never = new AbortController().signal
  it('lets a period create again only once no other create is unsettled, before granting a waiting period', async () => {
    const scheduler = new PeriodScheduler(3)
    const first = (await scheduler.acquire()) as Lease
    let turns = 0
    void first.createTurn(never).then(() => turns++)
    await turnOfTheLoop()
    expect(turns).toBe(1) // its first create: the grant was its turn
    first.jobStarted()
    first.jobEnded()
    const second = (await scheduler.acquire()) as Lease
    let thirdGranted = false
    const third = scheduler.acquire().then(grant => ((thirdGranted = true), grant))
    const again = first.createTurn(never).then(() => turns++)
    await turnOfTheLoop()
    expect(turns).toBe(1) // the second's create has not settled
    second.jobStarted()
    await again
    expect(turns).toBe(2)
    await turnOfTheLoop()
    expect(thirdGranted).toBe(false) // the first's new create has not settled
    first.jobStarted()
    expect(isStopReason(await third)).toBe(false)
    expect(scheduler.jobsRunning).toBe(2)
  })

  it('stops a wait to create again when the period is cancelled, leaving the turn to the others', async () => {
    const scheduler = new PeriodScheduler(3)
    const first = (await scheduler.acquire()) as Lease
    first.jobStarted()
    const second = (await scheduler.acquire()) as Lease
    const cancel = new AbortController()
    const waiting = first.createTurn(cancel.signal)
    cancel.abort(new Error('SIGINT'))
    await expect(waiting).rejects.toThrow('SIGINT')
    let thirdGranted = false
    const third = scheduler.acquire().then(grant => ((thirdGranted = true), grant))
    second.jobStarted()
    await turnOfTheLoop()
    expect(thirdGranted).toBe(true)
    // Already cancelled: no wait at all, even with no create unsettled.
    ;((await third) as Lease).jobStarted()
    await expect(first.createTurn(cancel.signal)).rejects.toThrow('SIGINT')
  })

  it("a period's cancel after its turn to create again came leaves another period's wait in place", async () => {
    const scheduler = new PeriodScheduler(3)
    const first = (await scheduler.acquire()) as Lease
    first.jobStarted()
    first.jobEnded()
    const second = (await scheduler.acquire()) as Lease
    const cancelFirst = new AbortController()
    const firstAgain = first.createTurn(cancelFirst.signal)
    second.jobStarted()
    await firstAgain
    second.jobEnded()
    let secondAgain = false
    const waiting = second.createTurn(never).then(() => (secondAgain = true))
    cancelFirst.abort(new Error('fail-fast'))
    first.jobStarted()
    await turnOfTheLoop()
    expect(secondAgain).toBe(true)
    await waiting
  })

  it('gives a period in progress its turn to create again after the run stopped granting slots', async () => {
    const scheduler = new PeriodScheduler(2)
    const first = (await scheduler.acquire()) as Lease
    first.jobStarted()
    scheduler.stop(STOP)
    await expect(first.createTurn(never)).resolves.toBeUndefined()
  })

  it.each([
    {
      name: 'a job reported started twice counts once',
      steps: (l: Lease) => (l.jobStarted(), l.jobStarted()),
      running: 1,
      ended: 0
    },
    {
      name: 'a job started after its slot was released does not count',
      steps: (l: Lease) => (l.jobStarted(), l.release(), l.jobStarted()),
      running: 0,
      ended: 1
    },
    {
      name: 'a period released with no job (create refused) ends no job',
      steps: (l: Lease) => l.release(),
      running: 0,
      ended: 0
    },
    {
      name: 'a job that ended and then released its slot ended once',
      steps: (l: Lease) => (l.jobStarted(), l.jobEnded(), l.release()),
      running: 0,
      ended: 1
    }
  ])('$name', async ({ steps, running, ended }) => {
    const scheduler = new PeriodScheduler(2)
    steps((await scheduler.acquire()) as Lease)
    expect(scheduler.jobsRunning).toBe(running)
    expect(scheduler.jobsEnded).toBe(ended)
  })

  it('gives the stop reason to every later request, and a released slot twice is one release', async () => {
    const scheduler = new PeriodScheduler(1)
    const lease = (await scheduler.acquire()) as Lease
    scheduler.stop(STOP)
    scheduler.stop({ status: 'CANCELLED', error: 'later reasons do not replace the first' })
    expect(await scheduler.acquire()).toEqual(STOP)
    lease.release()
    lease.release()
    expect(scheduler.active).toBe(0)
  })
})

describe('startOrder', () => {
  // Periods A..F in input order; R marks an earlier attempt's job; the number, a prediction (s).
  const order = (spec: string, longestFirst = true): string =>
    startOrder(
      spec.split(' ').map(s => ({ period: s.replace(/[R\d]/g, ''), resumed: s.includes('R'), s })),
      {
        resumed: t => t.resumed,
        expectedMs: period => {
          const digits = spec
            .split(' ')
            .find(s => s.replace(/[R\d]/g, '') === period)!
            .replace(/\D/g, '')
          return digits ? Number(digits) * 1_000 : undefined
        },
        longestFirst
      }
    )
      .map(t => t.period)
      .join(' ')

  it.each([
    ['no history: input order', 'A B C D', 'A B C D'],
    ['longest first', 'A3 B9 C5 D1', 'B C A D'],
    ['periods with no history after those with, in input order', 'A B5 C D7', 'D B A C'],
    ["an earlier attempt's jobs first, whatever their prediction", 'A9 BR1 C5 DR', 'B D A C'],
    ['equal predictions keep input order', 'A5 B5 C9 D5', 'C A B D']
  ])('%s: %s → %s', (_name, spec, expected) => {
    expect(order(spec)).toBe(expected)
  })

  it('one at a time: input order (after the earlier jobs), predictions or not', () => {
    expect(order('A3 B9 CR1 D5', false)).toBe('C A B D')
    expect(order('A3 B9 C5 D1', false)).toBe('A B C D')
  })
})
