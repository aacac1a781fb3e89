import { describe, expect, it } from 'vitest'
import type { ExportJob } from '../../../src/clari/types.js'
import { jobListObservations } from '../../../src/engine/history/sources.js'

const PERIODS = ['2026_Q1', '2026_Q2']
const T0 = 1_760_000_000_000

/** A finished export of net_arr for 2026_Q1 as Clari lists it. */
function listed(overrides: Partial<ExportJob> = {}): ExportJob {
  return {
    jobId: 'a1',
    status: 'DONE',
    module: 'FORECAST',
    fileName: 'clari_export_forecast_net_arr_2026_Q1_20260101_010203.json',
    fileType: 'JSON',
    startTime: T0,
    endTime: T0 + 300_000,
    ...overrides
  }
}

describe('jobListObservations', () => {
  it.each<[string, ExportJob, { period: string; durationMs: number } | undefined]>([
    ['a finished export of ours', listed(), { period: '2026_Q1', durationMs: 300_000 }],
    [
      'another of the run’s periods',
      listed({ fileName: 'clari_export_forecast_net_arr_2026_Q2_x.json' }),
      { period: '2026_Q2', durationMs: 300_000 }
    ],
    ['still running', listed({ status: 'STARTED' }), undefined],
    ['failed', listed({ status: 'FAILED' }), undefined],
    [
      'another forecast',
      listed({ fileName: 'clari_export_forecast_renewals_2026_Q1_x.json' }),
      undefined
    ],
    // net_arr is a prefix of net_arr_eu: the period must follow the forecast at once.
    [
      'a forecast whose name starts with ours',
      listed({ fileName: 'clari_export_forecast_net_arr_eu_2026_Q1_x.json' }),
      undefined
    ],
    [
      'a period not in the run',
      listed({ fileName: 'clari_export_forecast_net_arr_2025_Q4_x.json' }),
      undefined
    ],
    ['no file name: not provably ours', listed({ fileName: undefined }), undefined],
    ['another module', listed({ module: 'AUDIT' }), undefined],
    ['no module given', listed({ module: undefined }), { period: '2026_Q1', durationMs: 300_000 }],
    ['no end time', listed({ endTime: undefined }), undefined],
    ['ending before it started', listed({ endTime: T0 - 1 }), undefined]
  ])('%s', (_name, job, expected) => {
    const [o] = jobListObservations([job], 'net_arr', PERIODS)
    if (!expected) return expect(o).toBeUndefined()
    expect(o).toEqual({
      forecastId: 'net_arr',
      ...expected,
      fileType: 'JSON',
      endedAt: job.endTime,
      jobId: 'a1'
    })
  })
})
