import { describe, expect, it } from 'vitest'
import { jobDuration, namesExport } from '../../src/engine/clari-job.js'

describe('namesExport: whether a listed job exports this forecast and period', () => {
  it.each<{ name: string; fileName?: string; title?: string; expected: string }>([
    {
      name: 'Clari’s own file name for this forecast and period',
      fileName: 'clari_export_forecast_net_arr_2026_Q1_1767592800.json',
      expected: 'yes'
    },
    {
      name: 'Clari’s own file name for another period',
      fileName: 'clari_export_forecast_net_arr_2026_Q2_1767592800.json',
      expected: 'no'
    },
    {
      name: 'Clari’s own file name for a forecast this one’s ID begins',
      fileName: 'clari_export_forecast_net_arr_eu_2026_Q1_1767592800.json',
      expected: 'no'
    },
    {
      name: 'Clari’s own file name for a forecast whose ID ends in this one’s',
      fileName: 'clari_export_forecast_eu_net_arr_2026_Q1_1767592800.json',
      expected: 'no'
    },
    {
      name: 'another file name, the title naming the forecast and the name the period',
      fileName: 'forecast_2026_Q1.json',
      title: 'net_arr',
      expected: 'yes'
    },
    {
      name: 'another file name, the title naming another forecast',
      fileName: 'forecast_2026_Q1.json',
      title: 'gross_arr',
      expected: 'unknown'
    },
    {
      name: 'another file name without the period',
      fileName: 'forecast_2026_Q2.json',
      title: 'net_arr',
      expected: 'unknown'
    },
    { name: 'no file name', title: 'net_arr', expected: 'unknown' }
  ])('$name: $expected', ({ fileName, title, expected }) => {
    expect(namesExport({ fileName, title }, 'net_arr', '2026_Q1')).toBe(expected)
  })
})

describe('jobDuration: how long Clari took, only when its two times make sense', () => {
  it('is the end time less the start time', () => {
    expect(jobDuration({ startTime: 1_000, endTime: 61_000 })).toBe(60_000)
  })

  it.each<[string, { startTime?: number; endTime?: number }]>([
    ['no start time', { endTime: 61_000 }],
    ['no end time', { startTime: 1_000 }],
    ['an end at the start', { startTime: 1_000, endTime: 1_000 }],
    ['an end before the start', { startTime: 61_000, endTime: 1_000 }],
    ['an end time not a number', { startTime: 1_000, endTime: Number.NaN }],
    ['an endless end time', { startTime: 1_000, endTime: Number.POSITIVE_INFINITY }]
  ])('none for %s', (_, job) => {
    expect(jobDuration(job)).toBeUndefined()
  })
})
