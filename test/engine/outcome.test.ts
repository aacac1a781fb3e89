import { describe, expect, it } from 'vitest'
import { isPeriodStatus, isSha256, PERIOD_STATUSES } from '../../src/engine/outcome.js'

describe('the checks an earlier manifest’s values must pass', () => {
  it.each(['DONE', 'FAILED', 'CANCELLED', 'ABORTED', 'TIMED_OUT', 'ERROR'])(
    'reads %s as a period status',
    status => {
      expect(isPeriodStatus(status)).toBe(true)
    }
  )

  it('knows no other period status', () => {
    expect(PERIOD_STATUSES).toHaveLength(6)
    for (const value of ['done', 'STARTED', '', undefined, 1]) {
      expect(isPeriodStatus(value)).toBe(false)
    }
  })

  it('reads a sha256 only as 64 lowercase hex digits', () => {
    expect(isSha256('0123456789abcdef'.repeat(4))).toBe(true)
    for (const value of ['A'.repeat(64), 'a'.repeat(63), 'a'.repeat(65), `${'a'.repeat(63)}g`]) {
      expect(isSha256(value)).toBe(false)
    }
    expect(isSha256(undefined)).toBe(false)
    expect(isSha256(['a'.repeat(64)])).toBe(false)
  })
})
