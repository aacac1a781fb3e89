import { describe, expect, it } from 'vitest'
import {
  DEFAULT_CALENDAR,
  fiscalQuarterAt,
  formatQuarter,
  isValidTimeZone,
  type FiscalCalendar
} from '../../src/periods/index.js'

function labelAt(iso: string, cal: Partial<FiscalCalendar>): string {
  return formatQuarter(fiscalQuarterAt(new Date(iso), { ...DEFAULT_CALENDAR, ...cal }))
}

describe('DEFAULT_CALENDAR', () => {
  it('is a January fiscal year named by its end, measured in UTC', () => {
    expect(DEFAULT_CALENDAR).toEqual({ startMonth: 1, label: 'end', timeZone: 'UTC' })
  })
})

describe('fiscalQuarterAt for every fiscal-year start month', () => {
  // Columns: start month, then the expected labels on Jan 15, Jun 15 and Dec 15 2026,
  // first with the fiscal year named by its end year, then by its start year.
  it.each([
    [1, '2026_Q1', '2026_Q2', '2026_Q4', '2026_Q1', '2026_Q2', '2026_Q4'],
    [2, '2026_Q4', '2027_Q2', '2027_Q4', '2025_Q4', '2026_Q2', '2026_Q4'],
    [3, '2026_Q4', '2027_Q2', '2027_Q4', '2025_Q4', '2026_Q2', '2026_Q4'],
    [4, '2026_Q4', '2027_Q1', '2027_Q3', '2025_Q4', '2026_Q1', '2026_Q3'],
    [5, '2026_Q3', '2027_Q1', '2027_Q3', '2025_Q3', '2026_Q1', '2026_Q3'],
    [6, '2026_Q3', '2027_Q1', '2027_Q3', '2025_Q3', '2026_Q1', '2026_Q3'],
    [7, '2026_Q3', '2026_Q4', '2027_Q2', '2025_Q3', '2025_Q4', '2026_Q2'],
    [8, '2026_Q2', '2026_Q4', '2027_Q2', '2025_Q2', '2025_Q4', '2026_Q2'],
    [9, '2026_Q2', '2026_Q4', '2027_Q2', '2025_Q2', '2025_Q4', '2026_Q2'],
    [10, '2026_Q2', '2026_Q3', '2027_Q1', '2025_Q2', '2025_Q3', '2026_Q1'],
    [11, '2026_Q1', '2026_Q3', '2027_Q1', '2025_Q1', '2025_Q3', '2026_Q1'],
    [12, '2026_Q1', '2026_Q3', '2027_Q1', '2025_Q1', '2025_Q3', '2026_Q1']
  ])('start month %i', (startMonth, janEnd, junEnd, decEnd, janStart, junStart, decStart) => {
    const at = (label: FiscalCalendar['label']) =>
      ['2026-01-15T12:00:00Z', '2026-06-15T12:00:00Z', '2026-12-15T12:00:00Z'].map(iso =>
        labelAt(iso, { startMonth, label })
      )
    expect(at('end')).toEqual([janEnd, junEnd, decEnd])
    expect(at('start')).toEqual([janStart, junStart, decStart])
  })

  it.each([
    // Clari's example: a February fiscal year maps Feb-Apr 2023 to 2024_Q1, January to the prior Q4.
    ['2023-02-01T00:00:00Z', 'end', '2024_Q1'],
    ['2023-04-30T23:59:59Z', 'end', '2024_Q1'],
    ['2023-05-01T00:00:00Z', 'end', '2024_Q2'],
    ['2023-01-31T23:59:59Z', 'end', '2023_Q4'],
    ['2023-02-01T00:00:00Z', 'start', '2023_Q1'],
    ['2023-01-31T23:59:59Z', 'start', '2022_Q4']
  ] as const)('start month 2: %s labelled by %s year is %s', (iso, label, expected) => {
    expect(labelAt(iso, { startMonth: 2, label })).toBe(expected)
  })
})

describe('fiscalQuarterAt uses the local date in the calendar time zone', () => {
  it.each([
    // Year boundaries: the local calendar date, not the UTC one, decides the quarter.
    ['2025-12-31T23:30:00Z', 'UTC', 1, '2025_Q4'],
    ['2025-12-31T23:30:00Z', 'Asia/Tokyo', 1, '2026_Q1'],
    ['2026-01-01T00:30:00Z', 'UTC', 1, '2026_Q1'],
    ['2026-01-01T00:30:00Z', 'America/Los_Angeles', 1, '2025_Q4'],
    // A fiscal year that does not start in January does not change at the calendar year end...
    ['2025-12-31T23:30:00Z', 'Asia/Tokyo', 2, '2026_Q4'],
    ['2026-01-01T00:30:00Z', 'America/Los_Angeles', 2, '2026_Q4'],
    // ...but at its own start month.
    ['2026-01-31T23:30:00Z', 'UTC', 2, '2026_Q4'],
    ['2026-01-31T23:30:00Z', 'Asia/Tokyo', 2, '2027_Q1'],
    // New York spring forward (2026-03-08 02:00 EST -> 03:00 EDT): still March 8 either side.
    ['2026-03-08T06:59:00Z', 'America/New_York', 1, '2026_Q1'],
    ['2026-03-08T07:00:00Z', 'America/New_York', 1, '2026_Q1'],
    ['2026-03-08T07:00:00Z', 'America/New_York', 4, '2026_Q4'],
    // New York fall back (2026-11-01 02:00 EDT -> 01:00 EST) with a November fiscal year:
    // 03:30Z is Oct 31 23:30 EDT (old fiscal year), 04:00Z is Nov 1 00:00 EDT (new one).
    ['2026-11-01T03:30:00Z', 'America/New_York', 11, '2026_Q4'],
    ['2026-11-01T04:00:00Z', 'America/New_York', 11, '2027_Q1'],
    ['2026-11-01T05:30:00Z', 'America/New_York', 11, '2027_Q1'],
    ['2026-11-01T06:30:00Z', 'America/New_York', 11, '2027_Q1'],
    ['2026-11-01T03:30:00Z', 'UTC', 11, '2027_Q1'],
    // London is on BST from 2026-03-29, so 23:30Z on March 31 is already April 1 locally.
    ['2026-03-31T23:30:00Z', 'UTC', 1, '2026_Q1'],
    ['2026-03-31T23:30:00Z', 'Europe/London', 1, '2026_Q2'],
    ['2026-03-31T22:59:00Z', 'Europe/London', 1, '2026_Q1'],
    // In winter London equals UTC, so the same clock time does not cross the boundary.
    ['2025-12-31T23:30:00Z', 'Europe/London', 1, '2025_Q4'],
    // Leap years: with a March fiscal year, February 29 is the last quarter of the fiscal year.
    ['2024-02-29T12:00:00Z', 'UTC', 3, '2024_Q4'],
    ['2024-03-01T00:00:00Z', 'UTC', 3, '2025_Q1'],
    ['2024-02-29T23:30:00Z', 'Asia/Tokyo', 3, '2025_Q1'],
    ['2024-03-01T00:30:00Z', 'America/Los_Angeles', 3, '2024_Q4'],
    ['2024-02-29T12:00:00Z', 'UTC', 12, '2024_Q1']
  ])('%s in %s, start month %i, is %s', (iso, timeZone, startMonth, expected) => {
    expect(labelAt(iso, { startMonth, timeZone })).toBe(expected)
  })

  it('labels a February 29 by the start year when asked', () => {
    expect(labelAt('2024-02-29T12:00:00Z', { startMonth: 3, label: 'start' })).toBe('2023_Q4')
  })
})

describe('fiscalQuarterAt refuses a calendar it cannot apply', () => {
  it.each([0, 13, 1.5, Number.NaN])('start month %s', startMonth => {
    expect(() => labelAt('2026-01-15T12:00:00Z', { startMonth })).toThrow(
      /start month must be 1-12/
    )
  })

  it('an unknown time zone', () => {
    expect(() => labelAt('2026-01-15T12:00:00Z', { timeZone: 'Mars/Olympus' })).toThrow(RangeError)
  })
})

describe('isValidTimeZone', () => {
  it.each(['UTC', 'Europe/London', 'America/New_York', 'Asia/Kolkata', 'Etc/GMT+5'])(
    'accepts %s',
    tz => {
      expect(isValidTimeZone(tz)).toBe(true)
    }
  )

  it.each(['', ' ', 'Mars/Olympus', 'Europe/Londn', '+05:00', '-0800'])('rejects %j', tz => {
    expect(isValidTimeZone(tz)).toBe(false)
  })
})
