import { describe, expect, it } from 'vitest'
import { errorMessage } from '../../src/base/error-message.js'

describe('errorMessage', () => {
  class NamedError extends Error {
    override name = 'NamedError'
  }
  it.each([
    ['an Error', new Error('socket hang up'), 'socket hang up'],
    ['a subclass, without its name', new NamedError('bad answer'), 'bad answer'],
    ['a thrown string', 'plain text', 'plain text'],
    ['a thrown number', 42, '42'],
    ['undefined', undefined, 'undefined'],
    ['an object', { code: 'x' }, '[object Object]']
  ])('shows %s as its message', (_, thrown, shown) => {
    expect(errorMessage(thrown)).toBe(shown)
  })
})
