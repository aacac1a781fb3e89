import { describe, expect, it } from 'vitest'
import type { PeriodOutcome } from '../../../src/engine/outcome.js'
import { truncation } from '../../../src/engine/run/format.js'
import { periodProblems } from '../../../src/engine/run/problems.js'
import { NO_PAYLOAD, periodOutcome } from '../../helpers/period-outcome.js'

const TRUNCATED_Q2 =
  '2026_Q2: DONE but incomplete (job job2026Q2): Clari truncated this export (rows); the file net_arr_2026_Q2.json is kept. Set allow-truncated: true to accept truncated exports'

describe('periodProblems', () => {
  it.each<[string, Partial<PeriodOutcome>, boolean, string[]]>([
    ['a finished period', {}, false, []],
    ['a truncated period, by default', { rowsTruncated: true }, false, [TRUNCATED_Q2]],
    ['a truncated period with allow-truncated', { rowsTruncated: true }, true, []],
    [
      'a failed period, whatever allow-truncated says',
      { status: 'FAILED', ...NO_PAYLOAD, error: "job job2026Q2 ended FAILED on Clari's side" },
      true,
      ["2026_Q2: FAILED (job job2026Q2): job job2026Q2 ended FAILED on Clari's side"]
    ],
    [
      'a period that never got a job',
      { status: 'ERROR', jobId: undefined, ...NO_PAYLOAD, error: 'x' },
      false,
      ['2026_Q2: ERROR: x']
    ]
  ])('%s', (_name, fields, allowTruncated, expected) => {
    const exports = [
      periodOutcome('2026_Q1'),
      periodOutcome('2026_Q2', fields),
      periodOutcome('2026_Q3')
    ]
    expect(periodProblems(exports, allowTruncated)).toEqual(expected)
  })

  it('lists problems in input order', () => {
    const exports = [
      periodOutcome('2026_Q1', { cellsTruncated: true }),
      periodOutcome('2026_Q2', { status: 'TIMED_OUT', error: 't' }),
      periodOutcome('2026_Q3')
    ]
    expect(periodProblems(exports, false).map(line => line.slice(0, 7))).toEqual([
      '2026_Q1',
      '2026_Q2'
    ])
  })
})

describe('truncation', () => {
  it.each([
    [false, false, undefined],
    [true, false, 'Clari truncated this export (rows)'],
    [false, true, 'Clari truncated this export (cells)'],
    [true, true, 'Clari truncated this export (rows and cells)']
  ])('rows %s, cells %s: %s', (rowsTruncated, cellsTruncated, expected) => {
    expect(truncation(periodOutcome('2026_Q1', { rowsTruncated, cellsTruncated }))).toBe(expected)
  })
})
