import { afterEach, describe, expect, it } from 'vitest'
import { KeyRejectedError } from '../../../src/engine/errors.js'
import { planLines } from '../../../src/engine/run/format.js'
import { planExport, type ExportPlan } from '../../../src/engine/run/plan.js'
import { mulberry32 } from '../../simulators/clari/prng.js'
import { watchClientEnds } from '../../helpers/client-ends.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'

let h: Harness
afterEach(async () => h?.close())

function plan(periods: string[]): Promise<ExportPlan> {
  return planExport(h.config({ periods }), { clock: h.clock, random: mulberry32(3) })
}

describe('planExport (dry run) against the Clari simulator', () => {
  it('reports the quota and concurrency left and creates no job', async () => {
    h = await startHarness({ limits: { monthlyQuota: 30, concurrentLimit: 2 } })
    h.sim.setMonthlyQuotaLeft(7)
    h.sim.occupySlots(1, 60_000)

    const result = await plan(['2026_Q1', '2026_Q2'])

    expect(result.problem).toBeUndefined()
    expect(result).toMatchObject({
      forecastId: 'net_arr',
      periods: ['2026_Q1', '2026_Q2'],
      limits: {
        monthlyQuota: 30,
        availableMonthlyQuota: 7,
        concurrentLimit: 2,
        availableConcurrentLimit: 1
      }
    })
    expect(h.sim.jobs).toEqual([])
    expect(h.sim.requests.map(r => `${r.method} ${r.path}`)).toEqual(['GET /v4/admin/limits'])
  })

  it.each([
    { left: 2, periods: 2, problem: undefined },
    {
      left: 1,
      periods: 2,
      problem: "the run needs 2 export jobs but Clari's quota has 1 left (of 1000 per 30 days)"
    },
    {
      left: 0,
      periods: 1,
      problem: "the run needs 1 export job but Clari's quota has 0 left (of 1000 per 30 days)"
    },
    {
      // Clari's answer names what is left, not the quota it is left of.
      left: 0,
      periods: 1,
      quotaUnnamed: true,
      problem: "the run needs 1 export job but Clari's quota has 0 left (of ? per 30 days)"
    }
  ])(
    'with $left left, $periods periods: $problem',
    async ({ left, periods, quotaUnnamed, problem }) => {
      const body = { jobs: { availableMonthlyQuota: left } }
      const fault = { kind: 'http' as const, status: 200, body }
      h = await startHarness(quotaUnnamed ? { faults: [{ endpoint: 'limits', fault }] } : {})
      h.sim.setMonthlyQuotaLeft(left)
      const all = ['2026_Q1', '2026_Q2', '2026_Q3']
      expect((await plan(all.slice(0, periods))).problem).toBe(problem)
      expect(h.sim.jobs).toEqual([])
    }
  )

  // Behind a proxy, a connection left open (its tunnel) would keep the dry run's process waiting.
  it('ends its connection to Clari once it has the answer', async () => {
    h = await startHarness()
    const watch = await watchClientEnds(h.sim.url)
    try {
      const config = h.config()
      await planExport(
        { ...config, clari: { ...config.clari, apiUrl: watch.url } },
        { clock: h.clock }
      )
      expect(h.sim.requests.map(r => r.endpoint)).toEqual(['limits'])
      expect(watch.ends).toHaveLength(1)
      await Promise.all(watch.ends)
    } finally {
      await watch.close()
    }
  })

  it('waits out a throttled limits request as the server asks', async () => {
    h = await startHarness({
      faults: [
        {
          endpoint: 'limits',
          times: 1,
          fault: { kind: 'http', status: 429, headers: { 'Retry-After': '20' } }
        }
      ]
    })
    const result = await plan(['2026_Q1'])
    expect(result.limits.availableMonthlyQuota).toBe(1000)
    const [throttled, answered] = h.sim.requests
    expect(throttled!.status).toBe(429)
    expect(answered!.at - throttled!.at).toBeGreaterThanOrEqual(20_000)
  })

  it.each([
    { keySource: undefined, check: 'the api-key secret' },
    { keySource: 'CLARI_API_KEY', check: 'CLARI_API_KEY' }
  ])('a refused key says what to check: $check', async ({ keySource, check }) => {
    h = await startHarness()
    const config = {
      ...h.config({ clari: { ...h.config().clari, apiKey: 'wrong-key' } }),
      keySource
    }
    const error = await planExport(config, { clock: h.clock }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeyRejectedError)
    expect((error as Error).message).toBe(
      `Clari rejected the API key (HTTP 401: Invalid authentication credentials): check ${check}; the key may be mistyped, expired or revoked`
    )
    expect(h.sim.jobs).toEqual([])
  })
})

describe('the concurrency a dry run reports', () => {
  it.each([
    { setting: 3 as const, free: 1, periods: 8, concurrency: 3, waves: 3 },
    { setting: 'auto' as const, free: 2, periods: 5, concurrency: 2, waves: 3 },
    { setting: 'auto' as const, free: 0, periods: 4, concurrency: 1, waves: 4 },
    { setting: 'auto' as const, free: 3, periods: 2, concurrency: 2, waves: 1 },
    { setting: 4 as const, free: 3, periods: 2, concurrency: 2, waves: 1 }
  ])(
    'max-concurrent-jobs $setting with $free slots free and $periods periods: $concurrency at once, $waves waves',
    async ({ setting, free, periods, concurrency, waves }) => {
      h = await startHarness({ limits: { concurrentLimit: 3 } })
      h.sim.occupySlots(3 - free, 60_000)
      const all = [
        '2025_Q1',
        '2025_Q2',
        '2025_Q3',
        '2025_Q4',
        '2026_Q1',
        '2026_Q2',
        '2026_Q3',
        '2026_Q4'
      ]
      const result = await planExport(
        h.config({ periods: all.slice(0, periods), concurrency: setting }),
        { clock: h.clock }
      )
      expect(result).toMatchObject({ concurrency, waves })
      expect(h.sim.jobs).toEqual([])
    }
  )
})

describe('planLines', () => {
  it.each([
    {
      limits: {
        monthlyQuota: 30,
        availableMonthlyQuota: 12,
        concurrentLimit: 1,
        availableConcurrentLimit: 1
      },
      concurrency: 1,
      lines: [
        'Plan: export net_arr for 2026_Q1, 2026_Q2 (2 export jobs; dry run: no job created)',
        'Clari export quota left: 12 of 30 per 30 days; concurrency slots free: 1 of 1',
        'Would export 1 period at once: 2 waves of jobs'
      ]
    },
    {
      limits: {
        monthlyQuota: 30,
        availableMonthlyQuota: 12,
        concurrentLimit: 1,
        availableConcurrentLimit: 0
      },
      concurrency: 1,
      lines: [
        'Plan: export net_arr for 2026_Q1, 2026_Q2 (2 export jobs; dry run: no job created)',
        'Clari export quota left: 12 of 30 per 30 days; concurrency slots free: 0 of 1',
        'Would export 1 period at once: 2 waves of jobs',
        'No concurrency slot is free now: a run would wait for one, within job-timeout'
      ]
    },
    {
      limits: {},
      concurrency: 2,
      lines: [
        'Plan: export net_arr for 2026_Q1, 2026_Q2 (2 export jobs; dry run: no job created)',
        'Clari export quota left: ? of ? per 30 days; concurrency slots free: ? of ?',
        'Would export 2 periods at once: 1 wave of jobs'
      ]
    }
  ])('$limits', ({ limits, concurrency, lines }) => {
    const periods = ['2026_Q1', '2026_Q2']
    const waves = Math.ceil(periods.length / concurrency)
    expect(planLines({ forecastId: 'net_arr', periods, limits, concurrency, waves })).toEqual(lines)
  })
})
