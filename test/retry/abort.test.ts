import { describe, expect, it } from 'vitest'
import { CancelledError, isAbortError } from '../../src/retry/abort.js'

function named(name: string): Error {
  const e = new Error('x')
  e.name = name
  return e
}

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

describe('isAbortError', () => {
  it('recognises the reasons of aborted and timed-out signals', async () => {
    const controller = new AbortController()
    controller.abort()
    const timedOut = AbortSignal.timeout(1)
    await new Promise(resolve => timedOut.addEventListener('abort', resolve))
    expect(isAbortError(controller.signal.reason)).toBe(true)
    expect(isAbortError(timedOut.reason)).toBe(true)
  })

  it.each([
    ['DOMException AbortError', new DOMException('aborted', 'AbortError'), true],
    ['DOMException TimeoutError', new DOMException('timed out', 'TimeoutError'), true],
    ['Error named AbortError', named('AbortError'), true],
    ['Error named TimeoutError', named('TimeoutError'), true],
    ['CancelledError', new CancelledError(), true],
    ['other DOMException', new DOMException('bad', 'SyntaxError'), false],
    ['plain Error', new Error('boom'), false],
    ['ECONNRESET', Object.assign(new Error('reset'), { code: 'ECONNRESET' }), false],
    ['plain object named AbortError', { name: 'AbortError' }, false],
    ['string', 'AbortError', false],
    ['undefined', undefined, false]
  ])('%s -> %s', (_label, e, expected) => {
    expect(isAbortError(e)).toBe(expected)
  })
})
