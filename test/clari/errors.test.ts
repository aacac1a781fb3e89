import { describe, expect, it } from 'vitest'
import { CancelledError } from '../../src/base/abort.js'
import {
  AmbiguousCreateError,
  ClariApiError,
  InterruptedCreateError,
  InvalidResponseError,
  NetworkError
} from '../../src/clari/errors.js'
import type { ClariErrorBody } from '../../src/clari/types.js'

describe('ClariApiError: what a user reads, and what Clari support asks for', () => {
  it.each<[string, ClariErrorBody | undefined, string, string | undefined]>([
    ['no body', undefined, 'job status failed: HTTP 502', undefined],
    [
      'a message',
      { message: 'Bad gateway' },
      'job status failed: HTTP 502: Bad gateway',
      'Bad gateway'
    ],
    ['a code', { code: 'SWW' }, 'job status failed: HTTP 502 (code SWW)', undefined],
    ['an errorId', { errorId: 'e-1' }, 'job status failed: HTTP 502 (errorId e-1)', undefined],
    [
      'all three',
      { message: 'Oops', code: 'SWW', errorId: 'e-1' },
      'job status failed: HTTP 502: Oops (code SWW, errorId e-1)',
      'Oops'
    ],
    ['a message of controls', { message: '\u001b\u0007' }, 'job status failed: HTTP 502', undefined]
  ])('with %s', (_name, body, message, serverMessage) => {
    const error = new ClariApiError(502, 'job status', body)
    expect(error.message).toBe(message)
    expect(error).toMatchObject({ name: 'ClariApiError', status: 502, operation: 'job status' })
    expect(error.serverMessage).toBe(serverMessage)
  })

  it('keeps code and errorId as fields, a numeric one as text', () => {
    const error = new ClariApiError(400, 'create export', {
      code: 404 as unknown as string,
      errorId: 'e-2',
      message: 'm'
    })
    expect(error).toMatchObject({ code: '404', errorId: 'e-2', serverMessage: 'm' })
  })

  it.each<[string, unknown]>([
    ['an object', { a: 1 }],
    ['a list', ['x']],
    ['true', true],
    ['only controls', '\u001b\u001b'],
    ['empty', '']
  ])('drops a code that is %s', (_name, code) => {
    const error = new ClariApiError(400, 'op', { code: code as string, errorId: code as string })
    expect(error.code).toBeUndefined()
    expect(error.errorId).toBeUndefined()
    expect(error.message).toBe('op failed: HTTP 400')
  })

  it('cuts a code at 80 characters and cleans it', () => {
    const error = new ClariApiError(400, 'op', { code: `a\u001bb${'c'.repeat(200)}` })
    expect(error.code).toBe(`a b${'c'.repeat(77)}…`)
  })

  it('keeps the Retry-After it was given', () => {
    const hint = { kind: 'delay', ms: 2_000, raw: '2' } as const
    expect(new ClariApiError(429, 'op', undefined, hint).retryAfter).toBe(hint)
  })
})

describe('the other errors', () => {
  it('InvalidResponseError names itself', () => {
    expect(new InvalidResponseError('x')).toMatchObject({
      name: 'InvalidResponseError',
      message: 'x'
    })
  })

  it('NetworkError keeps its code and whether the request went out', () => {
    const error = new NetworkError('job status: reset', 'ECONNRESET', true)
    expect(error).toMatchObject({
      name: 'NetworkError',
      message: 'job status: reset',
      code: 'ECONNRESET',
      sent: true
    })
  })

  it('InterruptedCreateError is a cancellation that says when the create went out', () => {
    const cause = new Error('aborted')
    const error = new InterruptedCreateError(1_000, { cause })
    expect(error).toBeInstanceOf(CancelledError)
    expect(error).toMatchObject({ name: 'InterruptedCreateError', sentAt: 1_000, cause })
    expect(error.message).toBe('The run was cancelled')
  })

  it('AmbiguousCreateError quotes its cause and says when the create went out', () => {
    const cause = new NetworkError('create export: socket hang up', 'ECONNRESET', true)
    const error = new AmbiguousCreateError(cause, 2_000)
    expect(error).toMatchObject({ name: 'AmbiguousCreateError', sentAt: 2_000, cause })
    expect(error.message).toBe(
      'the create request may have been processed: create export: socket hang up'
    )
  })
})
