import { describe, expect, it } from 'vitest'
import { ClariApiError, NetworkError } from '../../../src/clari/errors.js'
import { JobFailedError, JobTimeoutError, QuotaError } from '../../../src/engine/errors.js'
import {
  classifyFailure,
  FailFastError,
  type FailureContext
} from '../../../src/engine/job/failure.js'
import { NotStartedError } from '../../../src/engine/job/slots.js'
import { CancelledError } from '../../../src/base/abort.js'
import { RetryBudgetError } from '../../../src/retry/retry.js'

const BASE: FailureContext = {
  period: '2026_Q2',
  cancelOnTimeout: true,
  failFast: false,
  jobRunning: false
}
const FAIL_FAST_STOP = {
  kind: 'stop',
  notStarted: { status: 'CANCELLED', error: 'not started: fail-fast after 2026_Q2 failed' },
  cancelInFlight: true
}
const gateway401 = new ClariApiError(401, 'create export', {
  message: 'Invalid authentication credentials'
})
const KEY_ADVICE = (source: string): string =>
  `Clari rejected the API key (HTTP 401: Invalid authentication credentials): check ${source}; the key may be mistyped, expired or revoked`

const KEY_STOP = {
  kind: 'stop',
  notStarted: {
    status: 'ERROR',
    error: 'not started: Clari rejected the API key'
  },
  cancelInFlight: false
}

describe('classifyFailure: what a failed period means for the run', () => {
  it.each([
    {
      name: 'a job Clari ended FAILED: nothing left to cancel',
      error: new JobFailedError('j1', 'FAILED'),
      ctx: { jobRunning: true },
      expected: { status: 'FAILED', cancelJob: false, run: { kind: 'continue' } }
    },
    {
      name: 'a job Clari ended ABORTED, with fail-fast',
      error: new JobFailedError('j1', 'ABORTED'),
      ctx: { failFast: true },
      expected: { status: 'ABORTED', cancelJob: false, run: FAIL_FAST_STOP }
    },
    {
      name: 'an undocumented terminal status',
      error: new JobFailedError('j1', 'ERROR'),
      expected: { status: 'FAILED', cancelJob: false }
    },
    {
      name: 'a job that did not finish in time: cancelled to free its slot',
      error: new JobTimeoutError('j1', 'STARTED', 600_000),
      expected: { status: 'TIMED_OUT', cancelJob: true, run: { kind: 'continue' } }
    },
    {
      name: 'a job that did not finish in time, cancel-on-timeout false',
      error: new JobTimeoutError('j1', 'STARTED', 600_000),
      ctx: { cancelOnTimeout: false },
      expected: { status: 'TIMED_OUT', cancelJob: false }
    },
    {
      name: 'a DONE job whose download ran out of time: nothing to cancel',
      error: new JobTimeoutError('j1', 'DONE', 600_000, 'download'),
      expected: { status: 'TIMED_OUT', cancelJob: false }
    },
    {
      name: 'the quota is used up: no later period can start, those in flight finish',
      error: new QuotaError(30),
      expected: {
        status: 'ERROR',
        cancelJob: false,
        run: {
          kind: 'stop',
          notStarted: { status: 'ERROR', error: `not started: ${new QuotaError(30).message}` },
          cancelInFlight: false
        }
      }
    },
    {
      // The first period the key fails says what to check; the periods not started, why.
      name: 'the gateway rejects the key',
      error: gateway401,
      expected: { status: 'ERROR', error: KEY_ADVICE('the api-key secret'), run: KEY_STOP }
    },
    {
      name: 'the gateway rejects the key, after retries ran out',
      error: new RetryBudgetError(gateway401),
      expected: { status: 'ERROR', error: KEY_ADVICE('the api-key secret'), run: KEY_STOP }
    },
    {
      name: 'the gateway rejects the key of clari-export',
      error: gateway401,
      ctx: { keySource: 'CLARI_API_KEY' },
      expected: { status: 'ERROR', error: KEY_ADVICE('CLARI_API_KEY'), run: KEY_STOP }
    },
    {
      name: "a 401 no_optin concerns one scope, not the key, and carries Clari's code",
      error: new ClariApiError(401, 'create export', { code: 'no_optin', errorId: 'e-1' }),
      expected: {
        status: 'ERROR',
        errorCode: 'no_optin',
        errorId: 'e-1',
        run: { kind: 'continue' }
      }
    },
    {
      name: 'a network failure, with fail-fast',
      error: new NetworkError('job status: socket hang up', 'ECONNRESET', true),
      ctx: { failFast: true },
      expected: { status: 'ERROR', error: 'job status: socket hang up', run: FAIL_FAST_STOP }
    },
    {
      name: 'a running job given up on (a throttle asking too long): cancelled like a timeout',
      error: new ClariApiError(403, 'job status', { code: 'SWW', errorId: 'e-2' }),
      ctx: { jobRunning: true },
      expected: { status: 'ERROR', errorCode: 'SWW', errorId: 'e-2', cancelJob: true }
    },
    {
      name: 'a running job given up on, cancel-on-timeout false: left to run and recorded',
      error: new NetworkError('job status: socket hang up', 'ECONNRESET', true),
      ctx: { jobRunning: true, cancelOnTimeout: false },
      expected: { status: 'ERROR', cancelJob: false }
    },
    {
      name: 'the run was cancelled: the job is cancelled too',
      error: new CancelledError(),
      ctx: { abortReason: new CancelledError() },
      expected: { status: 'CANCELLED', error: 'the run was cancelled', cancelJob: true }
    },
    {
      name: 'fail-fast cancelled this period because another failed',
      error: new Error('aborted'),
      ctx: { abortReason: new FailFastError('2026_Q1') },
      expected: {
        status: 'CANCELLED',
        error: 'cancelled: fail-fast after 2026_Q1 failed',
        cancelJob: true,
        run: { kind: 'continue' }
      }
    },
    {
      name: 'the run stopped while the period waited for a slot',
      error: new NotStartedError({ status: 'ERROR', error: 'not started: quota' }),
      expected: { status: 'ERROR', error: 'not started: quota', cancelJob: false }
    }
  ])('$name', ({ error, ctx, expected }) => {
    expect(classifyFailure(error, { ...BASE, ...ctx })).toMatchObject(expected)
  })
})

describe('NotStartedError', () => {
  // As test/engine/errors.test.ts asks of the engine's errors: a crash report or a log line
  // starts with the class, whatever a bundler renames.
  it('names its class wherever it is printed', () => {
    const error = new NotStartedError({ status: 'ERROR', error: 'not started: quota' })
    expect(String(error)).toBe('NotStartedError: not started: quota')
  })
})
