import { describe, expect, it } from 'vitest'
import { retryRulesTable } from '../../scripts/generate.js'
import { ClariApiError, InvalidResponseError, NetworkError } from '../../src/clari/errors.js'
import {
  ENDPOINTS,
  LOOPED,
  RETRY_RULES,
  retryRule,
  type Endpoint
} from '../../src/clari/retry-rules.js'

const hint = { kind: 'delay', ms: 2_000, raw: '2' } as const
const api = (status: number, code?: string) =>
  new ClariApiError(
    status,
    'op',
    code ? { code } : undefined,
    status === 429 || status === 503 ? hint : undefined
  )

function verdict(endpoint: Endpoint, error: unknown): string {
  const rule = retryRule(endpoint, error)
  return rule.verdict === 'retry' && rule.perCall !== undefined
    ? `retry, at most ${rule.perCall}`
    : rule.verdict
}

// Every kind of failure a request can end with: its answer in the table, and the verdict on a
// read (status, results, limits, list), on the create and on the cancel.
const CASES: [string, unknown, string, string, string, string][] = [
  ['429 with Retry-After', api(429), '429', 'throttle', 'throttle', 'throttle'],
  ['503 with Retry-After', api(503), '503', 'throttle', 'throttle', 'throttle'],
  ['408', api(408), '408', 'retry', 'reconcile', 'retry'],
  ['500', api(500), '500', 'retry', 'reconcile', 'retry'],
  ['502', api(502), '502', 'retry', 'reconcile', 'retry'],
  ['504', api(504), '504', 'retry', 'reconcile', 'retry'],
  ['400 SWW', api(400, 'SWW'), '400 SWW', 'retry, at most 2', 'fatal', 'retry, at most 2'],
  [
    '400 quota',
    api(400, 'export_monthly_quota_reached'),
    '400 export_monthly_quota_reached',
    'fatal',
    'quota',
    'fatal'
  ],
  [
    '400 already finished',
    api(400, 'export_failed_to_cancel'),
    '400 export_failed_to_cancel',
    'fatal',
    'fatal',
    'done'
  ],
  ['400 bad_request', api(400, 'bad_request'), '400', 'fatal', 'fatal', 'fatal'],
  // Clari's codes count on a 400 only: a 403 that says SWW is a refusal.
  ['403 SWW', api(403, 'SWW'), '403', 'fatal', 'fatal', 'fatal'],
  ['401', api(401), '401', 'fatal', 'fatal', 'fatal'],
  ['404', api(404, 'job_not_found'), '404', 'fatal', 'fatal', 'fatal'],
  ['418', api(418), 'other 4xx', 'fatal', 'fatal', 'fatal'],
  ['501', api(501), 'other status', 'fatal', 'fatal', 'fatal'],
  ['304, not a redirect we follow', api(304), 'other status', 'fatal', 'fatal', 'fatal'],
  [
    'connection refused (not sent)',
    new NetworkError('x', 'ECONNREFUSED', false),
    'network error before sending',
    'retry',
    'retry',
    'retry'
  ],
  [
    'reset after sending',
    new NetworkError('x', 'ECONNRESET', true),
    'network error after sending',
    'retry',
    'reconcile',
    'retry'
  ],
  [
    'timeout after sending',
    new NetworkError('x', 'ETIMEDOUT', true),
    'network error after sending',
    'retry',
    'reconcile',
    'retry'
  ],
  [
    'an unreadable 2xx',
    new InvalidResponseError('x'),
    'invalid response',
    'retry',
    'reconcile',
    'retry'
  ],
  ['a bug of ours', new TypeError('x'), 'other error', 'fatal', 'fatal', 'fatal']
]

describe('the retry rules (docs/retry-policy.md#the-retry-rules)', () => {
  it.each(CASES)(
    '%s (%s): answer %s; read %s, create %s, cancel %s',
    (_name, error, answer, read, create, cancel) => {
      for (const endpoint of ['status', 'results', 'limits', 'list'] as const) {
        expect(retryRule(endpoint, error).answer).toBe(answer)
        expect(verdict(endpoint, error)).toBe(read)
      }
      expect(verdict('create', error)).toBe(create)
      expect(verdict('cancel', error)).toBe(cancel)
    }
  )

  it("hands a throttle the server's hint, or none when the answer had no Retry-After", () => {
    expect(retryRule('status', api(429))).toMatchObject({ verdict: 'throttle', hint })
    expect(retryRule('status', new ClariApiError(429, 'op', undefined)).hint).toBeUndefined()
  })

  it('gives a final verdict other than fatal only where a caller acts on it', () => {
    const actedOn: Record<string, Endpoint[]> = {
      reconcile: ['create'],
      quota: ['create'],
      done: ['cancel']
    }
    for (const [answer, rules] of Object.entries(RETRY_RULES)) {
      for (const endpoint of ENDPOINTS) {
        const { verdict } = rules[endpoint]
        if (verdict in actedOn)
          expect(actedOn[verdict], `${answer} on ${endpoint}`).toContain(endpoint)
      }
    }
  })

  it('keeps poll-loop caps to the endpoints a loop polls', () => {
    for (const [answer, rules] of Object.entries(RETRY_RULES)) {
      for (const endpoint of ENDPOINTS) {
        const rule = rules[endpoint]
        if (rule.verdict === 'retry' && rule.perLoop !== undefined) {
          expect(LOOPED, `${answer} on ${endpoint}`).toContain(endpoint)
        }
      }
    }
  })

  it('documents a poll-loop allowance on the rows of the endpoints a loop polls, and only there', () => {
    // docs/retry-policy.md#the-retry-rules, rendered from the table: its last column.
    const rows = retryRulesTable().split('\n')
    const loopOf = (start: string) =>
      rows
        .find(row => row.startsWith(start))
        ?.split(' | ')
        .at(-1)
    expect(loopOf('| 429 | all | throttle |')).toBe('missed checks until `job-timeout` |')
    expect(loopOf('| 500 | status, results, cancel, limits, list | retry |')).toBe(
      'missed checks until `job-timeout` |'
    )
    expect(loopOf('| 500 | create | reconcile |')).toBe('— |')
  })
})
