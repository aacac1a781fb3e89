import type { FiscalQuarter } from './fiscal-quarter.js'

/** How a customer's fiscal year is laid out, and where "now" is measured. */
export interface FiscalCalendar {
  /** Calendar month (1-12) in which the fiscal year starts. */
  startMonth: number
  /** Which calendar year names a fiscal year that spans two: the one it ends in, or starts in. */
  label: 'end' | 'start'
  /** IANA time zone that decides the local date of an instant. */
  timeZone: string
}

export const DEFAULT_CALENDAR: FiscalCalendar = { startMonth: 1, label: 'end', timeZone: 'UTC' }

/** The fiscal quarter containing the local date of `instant` in `cal.timeZone`. */
export function fiscalQuarterAt(instant: Date, cal: FiscalCalendar): FiscalQuarter {
  if (!Number.isInteger(cal.startMonth) || cal.startMonth < 1 || cal.startMonth > 12) {
    throw new RangeError(`fiscal year start month must be 1-12, got ${cal.startMonth}`)
  }
  const { year, month } = localYearMonth(instant, cal.timeZone)
  const monthsIntoFiscalYear = (month - cal.startMonth + 12) % 12
  const startYear = month >= cal.startMonth ? year : year - 1
  // A January start keeps the whole fiscal year inside one calendar year, so both labels agree.
  const spansTwoYears = cal.startMonth !== 1
  const fiscalYear = cal.label === 'end' && spansTwoYears ? startYear + 1 : startYear
  return {
    year: fiscalYear,
    quarter: (Math.floor(monthsIntoFiscalYear / 3) + 1) as FiscalQuarter['quarter']
  }
}

/**
 * True when `tz` is a time zone name this runtime knows. Offsets such as `+05:00` are refused:
 * the input is documented as an IANA name, and only newer Node versions accept offsets.
 */
export function isValidTimeZone(tz: string): boolean {
  // Stryker disable next-line ConditionalExpression,Regex: Node 20, which runs the tests, refuses offsets itself (on Node 24 "rejects +05:00" fails without this), and no offset has a letter
  if (!/^[A-Za-z]/.test(tz)) return false
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

function localYearMonth(instant: Date, timeZone: string): { year: number; month: number } {
  // Gregorian calendar and Latin digits pinned so the parts parse as numbers on any ICU build.
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    calendar: 'gregory',
    numberingSystem: 'latn',
    year: 'numeric',
    month: 'numeric'
  }).formatToParts(instant)
  const part = (type: 'year' | 'month'): number => Number(parts.find(p => p.type === type)?.value)
  return { year: part('year'), month: part('month') }
}
