import { describe, expect, it } from 'vitest'
import { parseHttpDate } from '../../src/retry/http-date.js'

const NOV_6_1994 = Date.UTC(1994, 10, 6, 8, 49, 37)
const NOW_2026 = Date.UTC(2026, 0, 15)

describe('parseHttpDate', () => {
  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT', NOV_6_1994],
    ['RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT', NOV_6_1994],
    ['asctime, space-padded day', 'Sun Nov  6 08:49:37 1994', NOV_6_1994],
    ['asctime, two-digit day', 'Sun Nov 16 08:49:37 1994', Date.UTC(1994, 10, 16, 8, 49, 37)],
    ['IMF-fixdate at midnight', 'Thu, 01 Jan 2026 00:00:00 GMT', Date.UTC(2026, 0, 1)],
    ['IMF-fixdate end of day', 'Thu, 31 Dec 2026 23:59:59 GMT', Date.UTC(2026, 11, 31, 23, 59, 59)],
    ['leap second', 'Sat, 31 Dec 2016 23:59:60 GMT', Date.UTC(2017, 0, 1)],
    ['29 Feb in a leap year', 'Thu, 29 Feb 2024 12:00:00 GMT', Date.UTC(2024, 1, 29, 12)],
    ['29 Feb 2000 (divisible by 400)', 'Tue, 29 Feb 2000 00:00:00 GMT', Date.UTC(2000, 1, 29)],
    ['asctime 29 Feb in a leap year', 'Thu Feb 29 12:00:00 2024', Date.UTC(2024, 1, 29, 12)],
    ['RFC 850 29 Feb 2024', 'Thursday, 29-Feb-24 12:00:00 GMT', Date.UTC(2024, 1, 29, 12)],
    [
      'a year below 100 is not moved to 19xx',
      'Fri, 01 Jan 0094 00:00:00 GMT',
      Date.parse('0094-01-01T00:00:00Z')
    ]
  ])('parses %s', (_label, value, expected) => {
    expect(parseHttpDate(value, NOW_2026)).toBe(expected)
  })

  it.each(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'])(
    'reads the month %s, in each of the three formats',
    month => {
      const at = Date.UTC(2026, new Date(`${month} 1, 2026`).getMonth(), 10, 6, 30)
      expect(parseHttpDate(`Sat, 10 ${month} 2026 06:30:00 GMT`, NOW_2026)).toBe(at)
      expect(parseHttpDate(`Saturday, 10-${month}-26 06:30:00 GMT`, NOW_2026)).toBe(at)
      expect(parseHttpDate(`Sat ${month} 10 06:30:00 2026`, NOW_2026)).toBe(at)
    }
  )

  it('reads asctime as UTC whatever the process time zone', () => {
    // Date.parse would give local time here; the expected value is built from UTC fields.
    expect(parseHttpDate('Wed Jul  1 12:00:00 2026')).toBe(Date.UTC(2026, 6, 1, 12))
    expect(parseHttpDate('Wed Jul  1 12:00:00 2026')).toBe(
      parseHttpDate('Wed, 01 Jul 2026 12:00:00 GMT')
    )
  })

  it.each([
    ['delay-seconds', '120'],
    ['decimal seconds', '1.5'],
    ['negative number', '-1'],
    ['empty', ''],
    ['ISO 8601', '2026-01-15T10:00:00Z'],
    ['ISO 8601 date only', '2026-01-15'],
    ['lower-case month', 'Sun, 06 nov 1994 08:49:37 GMT'],
    ['upper-case day name', 'SUN, 06 Nov 1994 08:49:37 GMT'],
    ['lower-case GMT', 'Sun, 06 Nov 1994 08:49:37 gmt'],
    ['UTC instead of GMT', 'Sun, 06 Nov 1994 08:49:37 UTC'],
    ['numeric offset', 'Sun, 06 Nov 1994 08:49:37 +0000'],
    ['missing zone', 'Sun, 06 Nov 1994 08:49:37'],
    ['one-digit day in IMF-fixdate', 'Sun, 6 Nov 1994 08:49:37 GMT'],
    ['two-digit year in IMF-fixdate', 'Sun, 06 Nov 94 08:49:37 GMT'],
    ['long day name in IMF-fixdate', 'Sunday, 06 Nov 1994 08:49:37 GMT'],
    ['short day name in RFC 850', 'Sun, 06-Nov-94 08:49:37 GMT'],
    ['four-digit year in RFC 850', 'Sunday, 06-Nov-1994 08:49:37 GMT'],
    ['asctime with a zone', 'Sun Nov  6 08:49:37 1994 GMT'],
    ['asctime with a single-space day', 'Sun Nov 6 08:49:37 1994'],
    ['leading whitespace', ' Sun, 06 Nov 1994 08:49:37 GMT'],
    ['trailing text', 'Sun, 06 Nov 1994 08:49:37 GMT x'],
    ['unknown month', 'Sun, 06 Noe 1994 08:49:37 GMT'],
    ['day 00', 'Sun, 00 Nov 1994 08:49:37 GMT'],
    ['31 November', 'Sun, 31 Nov 1994 08:49:37 GMT'],
    ['30 February', 'Sun, 30 Feb 2024 08:49:37 GMT'],
    ['29 Feb in a non-leap year', 'Wed, 29 Feb 2023 12:00:00 GMT'],
    ['29 Feb 1900 (century, not leap)', 'Thu, 29 Feb 1900 12:00:00 GMT'],
    ['asctime 29 Feb in a non-leap year', 'Wed Feb 29 12:00:00 2023'],
    ['RFC 850 29 Feb 2023', 'Wednesday, 29-Feb-23 12:00:00 GMT'],
    ['hour 24', 'Sun, 06 Nov 1994 24:00:00 GMT'],
    ['minute 60', 'Sun, 06 Nov 1994 08:60:00 GMT'],
    ['second 61', 'Sun, 06 Nov 1994 08:49:61 GMT'],
    ['asctime day 32', 'Sun Nov 32 08:49:37 1994']
  ])('rejects %s', (_label, value) => {
    expect(parseHttpDate(value, NOW_2026)).toBeUndefined()
  })

  describe('RFC 850 two-digit year', () => {
    it.each([
      // [now, value, expected year]
      [
        'in the near future stays in this century',
        NOW_2026,
        'Monday, 15-Jan-46 00:00:00 GMT',
        2046
      ],
      [
        'exactly 50 years ahead stays in this century',
        NOW_2026,
        'Thursday, 15-Jan-76 00:00:00 GMT',
        2076
      ],
      [
        'more than 50 years ahead moves back 100 years',
        NOW_2026,
        'Friday, 16-Jan-76 00:00:00 GMT',
        1976
      ],
      ['far ahead moves back 100 years', NOW_2026, 'Sunday, 06-Nov-94 08:49:37 GMT', 1994],
      [
        'in the recent past stays in this century',
        NOW_2026,
        'Friday, 01-Jan-21 00:00:00 GMT',
        2021
      ],
      [
        'depends on the reference date',
        Date.UTC(2080, 0, 1),
        'Thursday, 01-Jan-99 00:00:00 GMT',
        2099
      ],
      [
        '29 Feb 00 is valid (2000 is a leap year)',
        NOW_2026,
        'Tuesday, 29-Feb-00 00:00:00 GMT',
        2000
      ]
    ])('%s', (_label, now, value, year) => {
      const parsed = parseHttpDate(value, now)
      expect(parsed).toBeDefined()
      expect(new Date(parsed ?? NaN).getUTCFullYear()).toBe(year)
    })

    it('uses the current date by default', () => {
      const nextYear = new Date().getUTCFullYear() + 1
      const value = `Monday, 01-Jan-${String(nextYear % 100).padStart(2, '0')} 00:00:00 GMT`
      expect(parseHttpDate(value)).toBe(Date.UTC(nextYear, 0, 1))
    })
  })
})
