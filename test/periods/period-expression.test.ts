import { describe, expect, it } from 'vitest'
import {
  ACCEPTED_PERIOD_FORMS,
  DEFAULT_CALENDAR,
  PeriodExpressionError,
  resolvePeriods,
  type FiscalCalendar
} from '../../src/periods/index.js'

// In the default calendar this instant is in 2026_Q2.
const NOW = new Date('2026-05-15T12:00:00Z')

function resolve(input: string, calendar: FiscalCalendar = DEFAULT_CALENDAR): string[] {
  return resolvePeriods(input, { now: NOW, calendar })
}

function failureOf(input: string, maxPeriods?: number): PeriodExpressionError {
  try {
    resolvePeriods(input, { now: NOW, calendar: DEFAULT_CALENDAR, maxPeriods })
  } catch (error) {
    expect(error).toBeInstanceOf(PeriodExpressionError)
    return error as PeriodExpressionError
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`)
}

describe('ACCEPTED_PERIOD_FORMS', () => {
  it('lists every accepted form on one line', () => {
    const forms = ['2026_Q1', '2025_Q3..2026_Q2', 'current', 'previous', 'next', 'current-N']
    for (const form of [...forms, 'current+N', 'current-3..current']) {
      expect(ACCEPTED_PERIOD_FORMS).toContain(`"${form}"`)
    }
    expect(ACCEPTED_PERIOD_FORMS).not.toContain('\n')
  })
})

describe('resolvePeriods', () => {
  it.each([
    ['2026_Q1', ['2026_Q1']],
    ['2026_q1', ['2026_Q1']],
    ['  2026_Q1  ', ['2026_Q1']],
    ['2025_Q3..2026_Q2', ['2025_Q3', '2025_Q4', '2026_Q1', '2026_Q2']],
    ['2025_Q3 .. 2026_Q2', ['2025_Q3', '2025_Q4', '2026_Q1', '2026_Q2']],
    ['2024_Q4..2025_Q1', ['2024_Q4', '2025_Q1']],
    ['2025_Q4..2025_Q4', ['2025_Q4']],
    ['2000_Q1', ['2000_Q1']],
    ['2100_Q4', ['2100_Q4']]
  ])('explicit %j gives %j', (input, expected) => {
    expect(resolve(input)).toEqual(expected)
  })

  it.each([
    ['current', ['2026_Q2']],
    ['CURRENT', ['2026_Q2']],
    ['previous', ['2026_Q1']],
    ['next', ['2026_Q3']],
    ['current-1', ['2026_Q1']],
    ['current-2', ['2025_Q4']],
    ['current+1', ['2026_Q3']],
    ['current+3', ['2027_Q1']],
    ['current+0', ['2026_Q2']],
    ['current - 2', ['2025_Q4']],
    ['current-3..current', ['2025_Q3', '2025_Q4', '2026_Q1', '2026_Q2']],
    ['previous..next', ['2026_Q1', '2026_Q2', '2026_Q3']],
    ['current..current', ['2026_Q2']],
    ['2025_Q4..current', ['2025_Q4', '2026_Q1', '2026_Q2']],
    ['current..2026_Q4', ['2026_Q2', '2026_Q3', '2026_Q4']]
  ])('relative %j gives %j', (input, expected) => {
    expect(resolve(input)).toEqual(expected)
  })

  it.each([
    ['2026_Q1,2025_Q3', ['2026_Q1', '2025_Q3']],
    ['2026_Q1\n2025_Q3', ['2026_Q1', '2025_Q3']],
    ['2026_Q1\r\n2025_Q3\r\n', ['2026_Q1', '2025_Q3']],
    ['2026_Q1, 2025_Q3\n\n  current ,\n, next\n', ['2026_Q1', '2025_Q3', '2026_Q2', '2026_Q3']],
    ['\n 2025_Q1..2025_Q2 ,\n\tprevious\n', ['2025_Q1', '2025_Q2', '2026_Q1']]
  ])('list %j keeps the given order: %j', (input, expected) => {
    expect(resolve(input)).toEqual(expected)
  })

  it.each([
    ['2026_Q1\n2025_Q4..2026_Q2', ['2026_Q1', '2025_Q4', '2026_Q2']],
    ['current, 2026_Q2, current+0', ['2026_Q2']],
    ['2026_q1, 2026_Q1', ['2026_Q1']],
    ['current-3..current\nprevious..next', ['2025_Q3', '2025_Q4', '2026_Q1', '2026_Q2', '2026_Q3']],
    ['next, current-1..current+1', ['2026_Q3', '2026_Q1', '2026_Q2']]
  ])('removes duplicates in %j, first occurrence wins: %j', (input, expected) => {
    expect(resolve(input)).toEqual(expected)
  })

  it.each([
    // A February fiscal year named by its end year: May 2026 is in fiscal 2027, Q2.
    [{ startMonth: 2, label: 'end', timeZone: 'UTC' }, '2027_Q2'],
    [{ startMonth: 2, label: 'start', timeZone: 'UTC' }, '2026_Q2'],
    [{ startMonth: 5, label: 'end', timeZone: 'UTC' }, '2027_Q1'],
    [{ startMonth: 6, label: 'end', timeZone: 'UTC' }, '2026_Q4'],
    // 12:00 UTC on May 15 falls in May in every time zone, so the zone cannot change the answer.
    [{ startMonth: 6, label: 'end', timeZone: 'Pacific/Kiritimati' }, '2026_Q4']
  ] as const)('"current" follows the fiscal calendar %o: %s', (calendar, expected) => {
    expect(resolve('current', calendar)).toEqual([expected])
  })

  it('"current" uses the local date in the calendar time zone', () => {
    const now = new Date('2026-03-31T23:30:00Z')
    const london = { ...DEFAULT_CALENDAR, timeZone: 'Europe/London' }
    expect(resolvePeriods('previous..current', { now, calendar: DEFAULT_CALENDAR })).toEqual([
      '2025_Q4',
      '2026_Q1'
    ])
    expect(resolvePeriods('previous..current', { now, calendar: london })).toEqual([
      '2026_Q1',
      '2026_Q2'
    ])
  })

  it('allows exactly the period limit', () => {
    expect(resolve('2020_Q1..2029_Q4')).toHaveLength(40)
    expect(
      resolvePeriods('2025_Q1..2025_Q3', { now: NOW, calendar: DEFAULT_CALENDAR, maxPeriods: 3 })
    ).toEqual(['2025_Q1', '2025_Q2', '2025_Q3'])
  })

  it('counts the limit after duplicates are removed', () => {
    const input = ['2020_Q1..2029_Q4', '2025_Q1', 'current', '2029_Q4'].join('\n')
    expect(resolve(input)).toHaveLength(40)
  })
})

describe('resolvePeriods failures', () => {
  it('are PeriodExpressionErrors by name too, as a log line shows them', () => {
    expect(failureOf('bogus').name).toBe('PeriodExpressionError')
  })

  it.each([
    ['', /periods is empty/],
    [' ', /only blanks and separators/],
    ['  \n\t\r\n ', /only blanks and separators/],
    [', ,\n,', /only blanks and separators/]
  ])('%j: %s, without an entry', (input, message) => {
    const error = failureOf(input)
    expect(error.message).toMatch(message)
    expect(error.message).toContain(ACCEPTED_PERIOD_FORMS)
    expect(error.entry).toBeUndefined()
  })

  it.each([
    ['2026-Q1', '2026-Q1'],
    ['2026Q1', '2026Q1'],
    ['Q1 2026', 'Q1 2026'],
    ['2026_Q5', '2026_Q5'],
    ['2026_Q0', '2026_Q0'],
    ['26_Q1', '26_Q1'],
    ['last', 'last'],
    ['currently', 'currently'],
    ['current-', 'current-'],
    ['current+-1', 'current+-1'],
    ['current-1.5', 'current-1.5'],
    ['notcurrent-1', 'notcurrent-1'],
    ['next+1', 'next+1'],
    ['2025_Q3..', '2025_Q3..'],
    ['..2026_Q2', '..2026_Q2'],
    ['2025_Q3...2026_Q2', '2025_Q3...2026_Q2'],
    ['2025_Q1..2025_Q2..2025_Q3', '2025_Q1..2025_Q2..2025_Q3'],
    ['2025_Q3-2026_Q2', '2025_Q3-2026_Q2'],
    ['2026_Q1; 2026_Q2', '2026_Q1; 2026_Q2'],
    ['2026_Q1, bogus, 2026_Q2', 'bogus'],
    ['current\n  2026 Q3  \nnext', '2026 Q3']
  ])('%j names the malformed entry %j', (input, entry) => {
    const error = failureOf(input)
    expect(error.entry).toBe(entry)
    expect(error.message).toContain(`period "${entry}" is not an accepted form`)
    expect(error.message).toContain(ACCEPTED_PERIOD_FORMS)
  })

  it.each([
    ['2026_Q2..2025_Q3', '2026_Q2', '2025_Q3'],
    ['2026_Q1..2025_Q4', '2026_Q1', '2025_Q4'],
    ['current..current-1', '2026_Q2', '2026_Q1'],
    ['next..previous', '2026_Q3', '2026_Q1']
  ])('reversed range %j says its start %s is after its end %s', (input, start, end) => {
    const error = failureOf(input)
    expect(error.entry).toBe(input)
    expect(error.message).toContain(`range "${input}" runs backwards`)
    expect(error.message).toContain(`start ${start} is after its end ${end}`)
    expect(error.message).toContain(ACCEPTED_PERIOD_FORMS)
  })

  it.each([
    ['2000_Q1..2099_Q4', undefined, 400, 40],
    ['2020_Q1..2030_Q1', undefined, 41, 40],
    ['2020_Q1..2029_Q4, 2030_Q1', undefined, 41, 40],
    ['2025_Q1..2025_Q4', 3, 4, 3]
  ])('%j with limit %s is too many (%i > %i)', (input, maxPeriods, count, limit) => {
    const error = failureOf(input, maxPeriods)
    expect(error.message).toContain(
      `periods resolves to ${count} periods, more than the limit of ${limit} per run ` +
        '(each period is one export job against the Clari quota); narrow the list or range'
    )
    expect(error.entry).toBeUndefined()
  })

  it.each([
    ['1999_Q4', 'period "1999_Q4" is outside the supported fiscal years 2000-2100'],
    ['2101_Q1', 'period "2101_Q1" is outside the supported fiscal years 2000-2100'],
    ['0999_q1', 'period "0999_q1" is outside the supported fiscal years 2000-2100'],
    [
      '1999_Q4..2000_Q2',
      'period "1999_Q4" in "1999_Q4..2000_Q2" is outside the supported fiscal years 2000-2100'
    ],
    [
      'current+400',
      'period "current+400" (2126_Q2) is outside the supported fiscal years 2000-2100'
    ],
    [
      'current-120..current',
      'period "current-120" (1996_Q2) in "current-120..current" is outside the supported fiscal years'
    ]
  ])('%j is out of range', (input, message) => {
    const error = failureOf(input)
    expect(error.entry).toBe(input)
    expect(error.message).toContain(message)
  })

  it('rejects a huge relative offset as out of range', () => {
    const error = failureOf('current-99999999999999999999')
    expect(error.message).toContain('outside the supported fiscal years')
  })
})
