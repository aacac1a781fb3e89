// RFC 9110 §5.6.7: recipients MUST accept all three HTTP-date formats, and the names are
// case-sensitive. Date.parse is not used: it reads asctime as local time and accepts far too much.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const MONTH = `(?<month>${MONTHS.join('|')})`
const DAY_NAME = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const DAY_NAME_LONG = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)'
const TIME = '(?<hour>\\d{2}):(?<minute>\\d{2}):(?<second>\\d{2})'

// The weekday is redundant, so it is checked for spelling only, not for agreeing with the date.
const FORMATS = [
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  new RegExp(`^${DAY_NAME}, (?<day>\\d{2}) ${MONTH} (?<year>\\d{4}) ${TIME} GMT$`),
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
  new RegExp(`^${DAY_NAME_LONG}, (?<day>\\d{2})-${MONTH}-(?<yy>\\d{2}) ${TIME} GMT$`),
  // asctime pads a one-digit day with a space: Sun Nov  6 08:49:37 1994
  new RegExp(`^${DAY_NAME} ${MONTH} (?<day>\\d{2}| \\d) ${TIME} (?<year>\\d{4})$`)
]

interface DayAndTime {
  month: number // 0-based
  day: number
  hour: number
  minute: number
  second: number
}

/**
 * Epoch milliseconds of an HTTP-date in any of the three RFC 9110 formats (all UTC), or
 * undefined if `value` is not one of them or names an impossible date. `nowMs` resolves the
 * two-digit year of the obsolete RFC 850 format.
 */
export function parseHttpDate(value: string, nowMs: number = Date.now()): number | undefined {
  for (const format of FORMATS) {
    const g = format.exec(value)?.groups
    if (!g) continue
    const fields: DayAndTime = {
      // Stryker disable next-line StringLiteral: every format's pattern captures one of MONTHS; the default is for the type checker
      month: MONTHS.indexOf(g.month ?? ''),
      day: Number(g.day),
      hour: Number(g.hour),
      minute: Number(g.minute),
      second: Number(g.second)
    }
    const year = g.yy === undefined ? Number(g.year) : rfc850Year(Number(g.yy), fields, nowMs)
    return toEpochMs(year, fields)
  }
  return undefined
}

/**
 * RFC 9110: a two-digit year that appears more than 50 years in the future means the most
 * recent past year with the same last two digits.
 */
function rfc850Year(yy: number, fields: DayAndTime, nowMs: number): number {
  const nowYear = new Date(nowMs).getUTCFullYear()
  const sameCentury = nowYear - (nowYear % 100) + yy
  const fiftyYearsAhead = new Date(nowMs)
  fiftyYearsAhead.setUTCFullYear(nowYear + 50)
  // An impossible date (29 Feb in a non-leap year) yields undefined and is rejected by the caller.
  const candidate = toEpochMs(sameCentury, fields)
  return candidate !== undefined && candidate > fiftyYearsAhead.getTime()
    ? sameCentury - 100
    : sameCentury
}

function toEpochMs(year: number, f: DayAndTime): number | undefined {
  if (!(f.day >= 1 && f.day <= daysInMonth(year, f.month))) return undefined
  // 60 is a leap second (RFC 5322 time-of-day); it lands on the next minute's first second.
  if (!(f.hour <= 23 && f.minute <= 59 && f.second <= 60)) return undefined
  const date = new Date(0)
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  date.setUTCFullYear(year, f.month, f.day)
  date.setUTCHours(f.hour, f.minute, f.second, 0)
  return date.getTime()
}

function daysInMonth(year: number, month: number): number {
  if (month === 1) return isLeapYear(year) ? 29 : 28
  return [3, 5, 8, 10].includes(month) ? 30 : 31
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}
