import { describe, expect, it } from 'vitest'
import {
  addQuarters,
  compareQuarters,
  formatQuarter,
  parseQuarterLabel,
  type FiscalQuarter
} from '../../src/periods/index.js'

const q = (year: number, quarter: FiscalQuarter['quarter']): FiscalQuarter => ({ year, quarter })

describe('formatQuarter', () => {
  it.each([
    [q(2026, 1), '2026_Q1'],
    [q(2020, 3), '2020_Q3'],
    [q(2100, 4), '2100_Q4']
  ])('%o is %s', (quarter, label) => {
    expect(formatQuarter(quarter)).toBe(label)
  })
})

describe('parseQuarterLabel', () => {
  it.each([
    ['2026_Q1', q(2026, 1)],
    ['2020_Q4', q(2020, 4)],
    ['2026_q2', q(2026, 2)]
  ])('reads %s', (label, quarter) => {
    expect(parseQuarterLabel(label)).toEqual(quarter)
  })

  it.each([
    '2026_Q0',
    '2026_Q5',
    '2026-Q1',
    '2026Q1',
    '26_Q1',
    'Q1_2026',
    ' 2026_Q1',
    '2026_Q1x',
    ''
  ])('rejects %j', label => {
    expect(parseQuarterLabel(label)).toBeUndefined()
  })
})

describe('addQuarters', () => {
  it.each([
    [q(2026, 1), 0, q(2026, 1)],
    [q(2026, 1), 1, q(2026, 2)],
    [q(2026, 4), 1, q(2027, 1)],
    [q(2026, 1), -1, q(2025, 4)],
    [q(2026, 2), -3, q(2025, 3)],
    [q(2026, 2), -6, q(2024, 4)],
    [q(2025, 3), 9, q(2027, 4)],
    [q(2025, 3), 8, q(2027, 3)]
  ])('%o + %i is %o', (start, n, expected) => {
    expect(addQuarters(start, n)).toEqual(expected)
  })

  it('refuses a fractional step, naming it', () => {
    expect(() => addQuarters(q(2026, 1), 0.5)).toThrow(
      new RangeError('addQuarters needs a whole number, got 0.5')
    )
  })
})

describe('compareQuarters', () => {
  it.each([
    [q(2026, 1), q(2026, 1), 0],
    [q(2026, 2), q(2026, 1), 1],
    [q(2025, 4), q(2026, 1), -1],
    [q(2027, 1), q(2025, 3), 6]
  ])('%o against %o is %i', (a, b, expected) => {
    expect(compareQuarters(a, b)).toBe(expected)
  })

  it('sorts quarters chronologically', () => {
    const sorted = [q(2026, 1), q(2025, 4), q(2026, 3), q(2024, 2)].sort(compareQuarters)
    expect(sorted.map(formatQuarter)).toEqual(['2024_Q2', '2025_Q4', '2026_Q1', '2026_Q3'])
  })
})
