import { describe, expect, it } from 'vitest'
import type { DurationObservation } from '../../../src/engine/durations.js'
import {
  isDuration,
  predictDuration,
  predictDurations,
  type HistoryWanted
} from '../../../src/engine/history/duration-model.js'

const S = 1_000
const DAY = 86_400 * S

describe('isDuration: what an untrusted value must be to count', () => {
  it.each([
    [300 * S, true],
    [1, true],
    [DAY - 1, true],
    [0, false],
    [-5 * S, false],
    [DAY, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
    ['300000', false],
    [null, false],
    [undefined, false],
    [{ valueOf: () => 300 * S }, false],
    [300_000n, false]
  ])('%s → %s', (value, expected) => {
    expect(isDuration(value)).toBe(expected)
  })
})

describe('predictDuration', () => {
  it.each([
    // values, expected, spread (relative), samples
    ['nothing', [], undefined],
    ['only values that are not durations', [0, -1, Number.NaN, DAY, '60000'], undefined],
    // One job: ±10 % assumed.
    ['one job', [1800 * S], { expectedMs: 1800 * S, spreadMs: 180 * S, samples: 1 }],
    // Three jobs: median 1800 s, largest deviation 100 s, × (3 + 1) / (3 − 1) = 200 s.
    [
      'three jobs',
      [1700 * S, 1800 * S, 1850 * S],
      { expectedMs: 1800 * S, spreadMs: 200 * S, samples: 3 }
    ],
    // Identical jobs still get ±2 %.
    ['identical jobs', [600 * S, 600 * S], { expectedMs: 600 * S, spreadMs: 12 * S, samples: 2 }],
    // A job stuck in a queue for hours is left out: it moves neither the centre nor the spread.
    [
      'one outlier among three',
      [1800 * S, 1810 * S, 9 * 3600 * S],
      { expectedMs: 1805 * S, spreadMs: 36.1 * S, samples: 2 }
    ],
    // Values that are not durations never count, even beside good ones.
    [
      'hostile values beside good ones',
      [Number.NaN, 300 * S, -300 * S, Number.POSITIVE_INFINITY, 300 * S, 2 * DAY, 300 * S],
      { expectedMs: 300 * S, spreadMs: 6 * S, samples: 3 }
    ],
    // Within half the median and three MADs: a legitimately slower job is kept, widening the spread.
    [
      'a slower job within bounds',
      [1000 * S, 1020 * S, 1200 * S],
      { expectedMs: 1020 * S, spreadMs: 360 * S, samples: 3 }
    ],
    // Two jobs far apart: nothing to aim at (the spread would be above ±50 %).
    ['two jobs far apart', [1000 * S, 2000 * S], undefined],
    // Median 1000 s, largest deviation 250 s, × (3 + 1) / (3 − 1): ±50 % exactly, still aimed at.
    [
      'a spread of exactly ±50 %',
      [750 * S, 1000 * S, 1250 * S],
      { expectedMs: 1000 * S, spreadMs: 500 * S, samples: 3 }
    ],
    // 1500 s is exactly half the median (1000 s) away: not further, so kept, and too wide to aim at.
    ['a job exactly half the median away', [1000 * S, 1000 * S, 1000 * S, 1500 * S], undefined],
    // Median 1100 s, MAD 250 s: 1800 s is beyond half the median but within three (scaled) MADs,
    // so it is no outlier; kept, it spreads the jobs too widely to aim at.
    [
      'widely spread jobs: a slow one within three MADs',
      [700 * S, 800 * S, 1000 * S, 1200 * S, 1300 * S, 1800 * S],
      undefined
    ]
  ])('%s', (_name, values, expected) => {
    const p = predictDuration(values as unknown[])
    if (expected === undefined) return expect(p).toBeUndefined()
    expect(p?.samples).toBe(expected.samples)
    expect(p?.expectedMs).toBeCloseTo(expected.expectedMs, 6)
    expect(p?.spreadMs).toBeCloseTo(expected.spreadMs, 6)
  })

  it('is moved by less than one value by any single value, however large', () => {
    const base = [290 * S, 300 * S, 310 * S, 305 * S, 295 * S]
    const clean = predictDuration(base)!
    for (const poison of [1, 10 * S, 10 * 3600 * S, DAY - 1]) {
      const p = predictDuration([...base, poison])!
      expect(Math.abs(p.expectedMs - clean.expectedMs)).toBeLessThanOrEqual(5 * S)
      expect(p.spreadMs).toBeLessThanOrEqual(clean.spreadMs * 1.5)
    }
  })
})

describe('predictDurations', () => {
  const same = { typesToExport: ['forecast'], exportFormat: 'JSON' }
  const wanted: HistoryWanted = {
    forecastId: 'net_arr',
    periods: ['2026_Q1', '2026_Q2', '2026_Q3'],
    exportFormat: 'JSON',
    sameRequest: request => JSON.stringify(request) === JSON.stringify(same)
  }
  const obs = (o: Partial<DurationObservation> & { durationMs: number }): DurationObservation =>
    ({ forecastId: 'net_arr', period: '2026_Q1', request: same, ...o }) as DurationObservation
  // As Clari's job list gives them: no parameters, only the file type.
  const listed = (o: Partial<DurationObservation> & { durationMs: number }): DurationObservation =>
    ({ forecastId: 'net_arr', period: '2026_Q1', fileType: 'JSON', ...o }) as DurationObservation
  const expected = (observations: DurationObservation[]): Record<string, number> =>
    Object.fromEntries(
      [...predictDurations(observations, wanted)].map(([p, d]) => [p, d.expectedMs / S])
    )

  it.each<[string, DurationObservation[], Record<string, number>]>([
    ['nothing known', [], {}],
    [
      'one prediction per period',
      [
        obs({ durationMs: 300 * S }),
        obs({ period: '2026_Q2', durationMs: 600 * S }),
        obs({ period: '2026_Q2', durationMs: 620 * S })
      ],
      { '2026_Q1': 300, '2026_Q2': 610 }
    ],
    [
      'other forecasts, periods, parameters and formats do not count',
      [
        obs({ forecastId: 'renewals', durationMs: 100 * S }),
        obs({ period: '2025_Q4', durationMs: 100 * S }),
        obs({ request: { ...same, includeHistorical: true } as never, durationMs: 100 * S }),
        listed({ fileType: 'CSV', durationMs: 100 * S }),
        listed({ fileType: undefined, durationMs: 100 * S })
      ],
      {}
    ],
    [
      'the job list counts for a period without exact records',
      [listed({ durationMs: 400 * S }), listed({ period: '2026_Q2', durationMs: 500 * S })],
      { '2026_Q1': 400, '2026_Q2': 500 }
    ],
    [
      'exact records win over the job list for their period',
      [
        listed({ durationMs: 900 * S }),
        listed({ durationMs: 950 * S }),
        obs({ durationMs: 300 * S }),
        listed({ period: '2026_Q2', durationMs: 500 * S })
      ],
      { '2026_Q1': 300, '2026_Q2': 500 }
    ],
    [
      'a job the job list reports after its exact record counts once, as the exact record',
      [
        obs({ jobId: 'job-1', durationMs: 300 * S }),
        listed({ jobId: 'job-1', durationMs: 300 * S }),
        listed({ jobId: 'job-9', durationMs: 900 * S })
      ],
      { '2026_Q1': 300 }
    ],
    [
      'an exact record without a duration leaves the period to the job list',
      [obs({ durationMs: Number.NaN }), listed({ durationMs: 400 * S })],
      { '2026_Q1': 400 }
    ],
    [
      'a job two sources report counts once',
      [
        listed({ jobId: 'job-1', durationMs: 350 * S }),
        obs({ jobId: 'job-1', durationMs: 350 * S }),
        obs({ jobId: 'job-1', durationMs: 350 * S }),
        obs({ jobId: 'job-2', durationMs: 400 * S }),
        obs({ jobId: 'job-3', durationMs: 410 * S })
      ],
      // 350, 400, 410: median 400; job-1 counted twice would make it 375.
      { '2026_Q1': 400 }
    ],
    [
      'the newest eight count',
      [
        ...Array.from({ length: 8 }, (_, i) =>
          obs({ durationMs: 600 * S + i * S, endedAt: 2_000_000 + i })
        ),
        ...Array.from({ length: 9 }, (_, i) =>
          obs({ durationMs: 300 * S, endedAt: 1_000_000 + i })
        ),
        obs({ durationMs: 300 * S })
      ],
      { '2026_Q1': 603.5 }
    ],
    [
      'the newest eight count, in whatever order they are given',
      [
        ...Array.from({ length: 9 }, (_, i) =>
          obs({ durationMs: 300 * S, endedAt: 1_000_000 + i })
        ),
        ...Array.from({ length: 8 }, (_, i) =>
          obs({ durationMs: 600 * S + i * S, endedAt: 2_000_000 + i })
        )
      ],
      { '2026_Q1': 603.5 }
    ],
    // Of unknown age, beyond the eighth: the first given count (300, 300, 300, 300, 310, 310, 310, 310).
    [
      'records of unknown age: the first eight given count',
      [
        ...Array.from({ length: 4 }, () => obs({ durationMs: 300 * S })),
        ...Array.from({ length: 5 }, () => obs({ durationMs: 310 * S }))
      ],
      { '2026_Q1': 305 }
    ],
    [
      'a record of unknown age counts once',
      [
        obs({ durationMs: 300 * S, endedAt: 1 }),
        obs({ durationMs: 300 * S, endedAt: 2 }),
        obs({ durationMs: 320 * S })
      ],
      { '2026_Q1': 300 }
    ],
    // Seven dated records (300 s × 4, 400 s × 3) leave room for one more: the eighth given after
    // them is the median's other half (300 + eighth) / 2.
    [
      'a stamp before 1970 is no time: the record counts as of unknown age, as given',
      [
        obs({ durationMs: 320 * S }),
        obs({ durationMs: 310 * S, endedAt: -5 }),
        ...Array.from({ length: 4 }, (_, i) => obs({ durationMs: 300 * S, endedAt: 1000 + i })),
        ...Array.from({ length: 3 }, (_, i) => obs({ durationMs: 400 * S, endedAt: 2000 + i }))
      ],
      { '2026_Q1': 310 }
    ],
    [
      'a stamp of 1970-01-01 is a time: that record comes before those of unknown age',
      [
        obs({ durationMs: 320 * S }),
        obs({ durationMs: 310 * S, endedAt: 0 }),
        ...Array.from({ length: 4 }, (_, i) => obs({ durationMs: 300 * S, endedAt: 1000 + i })),
        ...Array.from({ length: 3 }, (_, i) => obs({ durationMs: 400 * S, endedAt: 2000 + i }))
      ],
      { '2026_Q1': 305 }
    ],
    [
      'hostile observations are ignored, not thrown on',
      [
        null as never,
        undefined as never,
        'text' as never,
        obs({ durationMs: Number.NaN }),
        obs({ durationMs: '300000' as never }),
        obs({ period: { toString: () => '2026_Q1' } as never, durationMs: 300 * S }),
        obs({ durationMs: 300 * S, endedAt: Number.NaN, jobId: '../../etc' }),
        obs({ durationMs: 310 * S, endedAt: 'yesterday' as never, jobId: 42 as never })
      ],
      { '2026_Q1': 305 }
    ]
  ])('%s', (_name, observations, want) => {
    expect(expected(observations)).toEqual(want)
  })
})
