import { describe, expect, it } from 'vitest'
import { ClariApiError } from '../../src/clari/errors.js'
import {
  ConcurrencyTimeoutError,
  isKeyRejected,
  JobFailedError,
  JobTimeoutError,
  KeyRejectedError,
  PayloadError,
  PayloadTooLargeError,
  QuotaError,
  UnprovenJobError,
  type JobDoubt
} from '../../src/engine/errors.js'
import { RetryBudgetError } from '../../src/retry/retry.js'

const SENT_AT = Date.UTC(2026, 10, 28, 3, 0, 0)

describe('what the engine’s errors tell the user', () => {
  it('a job Clari ended: the state it ended in, and that Clari gives no reason', () => {
    expect(new JobFailedError('j1', 'ABORTED').message).toBe(
      'the job ended ABORTED at Clari, which gives no reason'
    )
  })

  it('a job still running at job-timeout: its last status and last error', () => {
    const error = new JobTimeoutError('j1', 'STARTED', 600_400, 'job', 'HTTP 503')
    expect(error.message).toBe(
      'the job did not finish within job-timeout (600 s; last status STARTED; last error: HTTP 503)'
    )
    expect(new JobTimeoutError('j1', undefined, 1_600).message).toBe(
      'the job did not finish within job-timeout (2 s; last status unknown)'
    )
  })

  it('a DONE job whose results did not download in time', () => {
    expect(new JobTimeoutError('j1', 'DONE', 90_000, 'download').message).toBe(
      'the job is DONE, but its results did not download within job-timeout (90 s)'
    )
  })

  it('the quota and the concurrency limit, also when Clari did not say them', () => {
    expect(new QuotaError(30).message).toContain('(30 jobs per 30 days)')
    expect(new QuotaError(undefined).message).toContain('(unknown jobs per 30 days)')
    expect(new ConcurrencyTimeoutError(4).message).toMatch(
      /^Clari's export concurrency limit \(4\)/
    )
    expect(new ConcurrencyTimeoutError(undefined).message).toContain('limit (unknown)')
  })

  it('a payload over max-payload-size names the size', () => {
    expect(new PayloadTooLargeError(5 * 1024 ** 2).message).toMatch(
      /^the payload is larger than max-payload-size \(5\.0 MiB\)/
    )
  })

  it('a lost create answer: the candidate jobs, at most five of them', () => {
    const ids = ['j1', 'j2', 'j3', 'j4', 'j5', 'j6']
    const several = new UnprovenJobError('net_arr', '2026_Q1', { several: ids })
    expect(several.message).toContain(
      '6 jobs of net_arr 2026_Q1 started since (j1, j2, j3, j4, j5, …), and any could be it'
    )
    expect(several).toMatchObject({ reason: 'several', jobIds: ids, doubts: [] })
    const doubts = ids.map(jobId => ({ jobId, unnamed: true }))
    const unproven = new UnprovenJobError('net_arr', '2026_Q1', { doubts, sentAt: SENT_AT })
    expect(unproven.message).toContain(
      'job(s) j1, j2, j3, j4, j5, … started since may be it, but the job list does not show that they export net_arr 2026_Q1.'
    )
    expect(unproven.message).toMatch(/^the create request's answer was lost; /)
    expect(unproven).toMatchObject({ reason: 'unproven', jobIds: ids, doubts })
  })
})

// A job that may be the lost create's is checked in Clari for what the job list leaves out:
// whether it exports this period, or whether it started after the create was sent.
describe('a lost create answer says what the job list leaves out about each candidate', () => {
  // The rest of the message is the same for every candidate.
  const KEPT =
    'None was adopted and no second job created (to spend no more quota): check them in Clari'
  const NO_DATE =
    'no answer from Clari carried a readable Date header, so when they started cannot be compared with when the create was sent'
  const NO_START =
    'the job list gives no start time for them to compare with when the create was sent'
  const SENT = "(2026-11-28T03:00:00.000Z by the runner's clock)"
  it.each<{ name: string; doubts: JobDoubt[]; why: string }>([
    {
      name: 'started since, but not shown to export this period',
      doubts: [{ jobId: 'j1', unnamed: true }],
      why: 'job(s) j1 started since may be it, but the job list does not show that they export net_arr 2026_Q1'
    },
    {
      name: 'exports this period, but no Date header to place its start',
      doubts: [{ jobId: 'j1', unnamed: false, undated: 'no-date-header' }],
      why: `job(s) j1 export net_arr 2026_Q1 and may be it, but ${NO_DATE} ${SENT}`
    },
    {
      name: 'exports this period, but the list gives no start time',
      doubts: [{ jobId: 'j1', unnamed: false, undated: 'no-start-time' }],
      why: `job(s) j1 export net_arr 2026_Q1 and may be it, but ${NO_START} ${SENT}`
    },
    {
      name: 'neither shown to export this period nor placed in time',
      doubts: [{ jobId: 'j1', unnamed: true, undated: 'no-date-header' }],
      why: `job(s) j1 may be it, but the job list does not show that they export net_arr 2026_Q1, and ${NO_DATE} ${SENT}`
    },
    {
      name: 'each group of candidates with what it lacks',
      doubts: [
        { jobId: 'j1', unnamed: false, undated: 'no-start-time' },
        { jobId: 'j2', unnamed: true },
        { jobId: 'j3', unnamed: true, undated: 'no-start-time' },
        { jobId: 'j4', unnamed: false, undated: 'no-start-time' }
      ],
      why:
        'job(s) j2 started since may be it, but the job list does not show that they export net_arr 2026_Q1; ' +
        `job(s) j1, j4 export net_arr 2026_Q1 and may be it, but ${NO_START}; ` +
        `job(s) j3 may be it, but the job list does not show that they export net_arr 2026_Q1, and ${NO_START} ${SENT}`
    },
    {
      name: 'without a Date header, named and unnamed candidates apart',
      doubts: [
        { jobId: 'j1', unnamed: true, undated: 'no-date-header' },
        { jobId: 'j2', unnamed: false, undated: 'no-date-header' }
      ],
      why:
        `job(s) j2 export net_arr 2026_Q1 and may be it, but ${NO_DATE}; ` +
        `job(s) j1 may be it, but the job list does not show that they export net_arr 2026_Q1, and ${NO_DATE} ${SENT}`
    }
  ])('$name', ({ doubts, why }) => {
    const error = new UnprovenJobError('net_arr', '2026_Q1', { doubts, sentAt: SENT_AT })
    expect(error.message).toBe(`the create request's answer was lost; ${why}. ${KEPT}`)
  })
})

describe('a refused key (KeyRejectedError)', () => {
  it('says what to check, also when Clari’s 401 has no message', () => {
    const bare = new ClariApiError(401, 'get limits', undefined)
    expect(new KeyRejectedError('CLARI_API_KEY', bare).message).toBe(
      'Clari rejected the API key (HTTP 401): check CLARI_API_KEY; the key may be mistyped, expired or revoked'
    )
  })

  it('keeps what Clari answered as its cause (its status, code and errorId)', () => {
    const answer = new ClariApiError(401, 'get limits', { message: 'Invalid', errorId: 'e-42' })
    const spent = new RetryBudgetError(answer)
    expect(new KeyRejectedError('the api-key secret', answer).cause).toBe(answer)
    expect(new KeyRejectedError('the api-key secret', spent).cause).toBe(spent)
  })
})

// A crash report, Node's print of an uncaught error, and `String(error)` in a log all start with
// the error's name: each class names itself, so a reader can tell them apart (and a bundler that
// renames classes cannot change it).
describe('each engine error names its class wherever it is printed', () => {
  const api401 = new ClariApiError(401, 'create export', undefined)
  it.each([
    new JobFailedError('j1', 'FAILED'),
    new JobTimeoutError('j1', 'STARTED', 1_000),
    new QuotaError(30),
    new ConcurrencyTimeoutError(4),
    new PayloadError('the payload is not JSON'),
    new PayloadTooLargeError(1024),
    new UnprovenJobError('net_arr', '2026_Q1', {
      doubts: [{ jobId: 'j1', unnamed: true }],
      sentAt: 0
    }),
    new KeyRejectedError('CLARI_API_KEY', api401)
  ])('$constructor.name', error => {
    const named = `${error.constructor.name}: ${error.message}`
    expect(String(error)).toBe(named)
    expect(error.stack?.split('\n')[0]).toBe(named)
  })
})

describe('isKeyRejected: Clari refused the API key itself', () => {
  const rejected = new ClariApiError(401, 'create export', { message: 'Invalid credentials' })

  it('is a 401 without an error code, also when it spent the retry budget', () => {
    expect(isKeyRejected(rejected)).toBe(true)
    expect(isKeyRejected(new RetryBudgetError(rejected))).toBe(true)
  })

  it('is not a 401 with a code, another status or another error', () => {
    expect(isKeyRejected(new ClariApiError(401, 'create export', { code: 'TOKEN_SCOPE' }))).toBe(
      false
    )
    expect(isKeyRejected(new ClariApiError(403, 'create export', undefined))).toBe(false)
    expect(isKeyRejected(new RetryBudgetError(new Error('socket hang up')))).toBe(false)
    expect(isKeyRejected(new Error('HTTP 401'))).toBe(false)
  })
})
