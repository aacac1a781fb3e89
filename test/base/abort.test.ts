import { describe, expect, it } from 'vitest'
import { CancelledError } from '../../src/base/abort.js'

describe('CancelledError', () => {
  it('has a stable name and message and keeps its cause', () => {
    const cause = new Error('SIGTERM')
    const e = new CancelledError({ cause })
    expect(e).toBeInstanceOf(Error)
    expect(e.name).toBe('CancelledError')
    expect(e.message).toBe('The run was cancelled')
    expect(e.cause).toBe(cause)
  })
})
