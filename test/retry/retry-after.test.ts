import { describe, expect, it } from 'vitest'
import { parseRetryAfter } from '../../src/retry/retry-after.js'

// Every date below is relative to this receipt time.
const RECEIVED_AT = Date.UTC(2015, 9, 21, 7, 27, 0)

describe('parseRetryAfter', () => {
  it.each([
    // The rows of docs/retry-policy.md#reading-retry-after, then the edges around them.
    ['IMF-fixdate', 'Wed, 21 Oct 2015 07:28:00 GMT', 60_000],
    ['RFC 850 date', 'Wednesday, 21-Oct-15 07:28:00 GMT', 60_000],
    ['asctime date, as UTC not local time', 'Wed Oct 21 07:28:00 2015', 60_000],
    ['120 as seconds, not the year 120', '120', 120_000],
    ['1.5 as seconds (lenient)', '1.5', 1_500],
    ['zero', '0', 0],
    ['leading zeros', '007', 7_000],
    ['surrounding whitespace', '  30\t', 30_000],
    ['1.1 without float error', '1.1', 1_100],
    ['a fraction below 1 ms, rounded up', '0.0001', 1],
    ['fractional ms, rounded up', '2.0005', 2_001],
    ['trailing zero fraction', '3.000000', 3_000]
  ])('reads %s', (_label, raw, ms) => {
    expect(parseRetryAfter(raw, { receivedAt: RECEIVED_AT })).toEqual({ kind: 'delay', ms, raw })
  })

  it.each([
    ['empty string, not zero delay', ''],
    ['blank string, not zero delay', '   '],
    ['negative seconds', '-1'],
    ['trailing garbage', '120abc'],
    ['explicit plus sign', '+5'],
    ['hex', '0x10'],
    ['exponent', '1e3'],
    ['bare dot fraction', '.5'],
    ['trailing dot', '5.'],
    ['digit groups', '1,000'],
    ['ISO 8601', '2015-10-21T07:28:00Z'],
    ['a date with the wrong case', 'wed, 21 oct 2015 07:28:00 gmt'],
    ['a word', 'soon']
  ])('rejects %s as invalid', (_label, raw) => {
    expect(parseRetryAfter(raw, { receivedAt: RECEIVED_AT })).toEqual({
      kind: 'none',
      reason: 'invalid',
      raw
    })
  })

  it.each([null, undefined])('reports %s as absent', raw => {
    expect(parseRetryAfter(raw, { receivedAt: RECEIVED_AT })).toEqual({
      kind: 'none',
      reason: 'absent'
    })
  })

  it.each([
    ['20 digits', '9'.repeat(20)],
    ['400 digits (Number gives Infinity)', '9'.repeat(400)],
    ['a huge decimal', `${'9'.repeat(30)}.5`]
  ])('reports %s of seconds as an infinite delay', (_label, raw) => {
    expect(parseRetryAfter(raw, { receivedAt: RECEIVED_AT })).toMatchObject({
      kind: 'delay',
      ms: Number.POSITIVE_INFINITY
    })
  })

  it.each([
    ['the last exact millisecond count but one', '9007199254740.990', 9_007_199_254_740_990],
    ['the first count past exact (2^53 - 1 ms)', '9007199254740.991', Number.POSITIVE_INFINITY]
  ])('at %s gives %d ms', (_label, raw, ms) => {
    expect(parseRetryAfter(raw, { receivedAt: RECEIVED_AT })).toMatchObject({ kind: 'delay', ms })
  })

  it('keeps a long but exact delay exact', () => {
    expect(parseRetryAfter('1000000', { receivedAt: RECEIVED_AT })).toMatchObject({
      ms: 1_000_000_000
    })
  })

  describe('HTTP-date delays', () => {
    const retryAt = 'Wed, 21 Oct 2015 07:28:00 GMT'

    it.each([
      // [label, Date header, expected ms]
      [
        'counts from the Date header, cancelling clock skew',
        'Wed, 21 Oct 2015 07:27:50 GMT',
        10_000
      ],
      ['accepts a Date header in asctime form', 'Wed Oct 21 07:27:30 2015', 30_000],
      [
        'accepts a Date header with surrounding whitespace',
        ' Wed, 21 Oct 2015 07:27:50 GMT ',
        10_000
      ],
      ['falls back to receivedAt for an invalid Date header', 'yesterday', 60_000],
      ['falls back to receivedAt for an empty Date header', '', 60_000],
      ['falls back to receivedAt for a null Date header', null, 60_000],
      ['falls back to receivedAt without a Date header', undefined, 60_000],
      ['gives 0 for a date before the Date header', 'Wed, 21 Oct 2015 07:29:00 GMT', 0],
      ['gives 0 for a date equal to the Date header', retryAt, 0]
    ])('%s', (_label, dateHeader, ms) => {
      expect(parseRetryAfter(retryAt, { receivedAt: RECEIVED_AT, dateHeader })).toEqual({
        kind: 'delay',
        ms,
        raw: retryAt
      })
    })

    it('gives 0 for a date before receipt when there is no Date header', () => {
      const hint = parseRetryAfter('Wed, 21 Oct 2015 07:00:00 GMT', { receivedAt: RECEIVED_AT })
      expect(hint).toMatchObject({ kind: 'delay', ms: 0 })
    })
  })
})
