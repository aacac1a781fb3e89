import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { ClariClient, classifyCreate, classifyRead, isAmbiguous } from '../../src/clari/client.js'
import { SWW_MAX_RETRIES } from '../../src/clari/codes.js'
import { ClariApiError, InvalidResponseError, NetworkError } from '../../src/clari/errors.js'
import { RetryBudget } from '../../src/retry/budget.js'
import { systemClock } from '../../src/base/clock.js'
import { DEFAULT_RETRY_LIMITS } from '../../src/retry/retry.js'

const hint = { kind: 'delay', ms: 2_000, raw: '2' } as const
const api = (status: number, code?: string) =>
  new ClariApiError(
    status,
    'op',
    code ? { code } : undefined,
    status === 429 || status === 503 ? hint : undefined
  )

// Every kind of failure a request can end with, and what each classifier makes of it.
const CASES: [string, unknown, string, string, boolean][] = [
  // name, error, classifyRead, classifyCreate, isAmbiguous
  ['429 with Retry-After', api(429), 'throttle', 'throttle', false],
  ['503 with Retry-After', api(503), 'throttle', 'throttle', false],
  ['500', api(500), 'transient', 'fatal', true],
  ['502', api(502), 'transient', 'fatal', true],
  ['504', api(504), 'transient', 'fatal', true],
  ['400 SWW', api(400, 'SWW'), `transient max ${SWW_MAX_RETRIES}`, 'fatal', false],
  ['400 quota', api(400, 'export_monthly_quota_reached'), 'fatal', 'fatal', false],
  ['401', api(401), 'fatal', 'fatal', false],
  ['404', api(404, 'job_not_found'), 'fatal', 'fatal', false],
  [
    'connection refused (not sent)',
    new NetworkError('x', 'ECONNREFUSED', false),
    'transient',
    'transient',
    false
  ],
  ['reset after sending', new NetworkError('x', 'ECONNRESET', true), 'transient', 'fatal', true],
  ['timeout after sending', new NetworkError('x', 'ETIMEDOUT', true), 'transient', 'fatal', true],
  ['an unreadable 2xx', new InvalidResponseError('x'), 'transient', 'fatal', true],
  ['a bug of ours', new TypeError('x'), 'fatal', 'fatal', false]
]

function describeVerdict(verdict: { kind: string; maxRetries?: number }): string {
  return verdict.maxRetries === undefined
    ? verdict.kind
    : `${verdict.kind} max ${verdict.maxRetries}`
}

describe('the client classifiers', () => {
  it.each(CASES)(
    '%s: read %s, create %s, ambiguous %s',
    (_name, error, read, create, ambiguous) => {
      expect(describeVerdict(classifyRead(error))).toBe(read)
      expect(describeVerdict(classifyCreate(error))).toBe(create)
      expect(isAmbiguous(error)).toBe(ambiguous)
    }
  )

  it('hands a throttle its server hint, or none when the answer had no Retry-After', () => {
    expect(classifyRead(api(429))).toEqual({ kind: 'throttle', hint })
    expect(classifyRead(new ClariApiError(429, 'op', undefined))).toEqual({
      kind: 'throttle',
      hint: { kind: 'none', reason: 'absent' }
    })
  })
})

describe('the server clock offset', () => {
  let server: http.Server | undefined
  afterEach(async () => {
    server?.closeAllConnections()
    await new Promise(resolve => server?.close(resolve))
    server = undefined
  })

  it.each([
    ['an hour ahead', 3_600_000],
    ['ten minutes behind', -600_000]
  ])("reads it from the Date header when the server's clock is %s", async (_name, offsetMs) => {
    server = http.createServer((_req, res) => {
      const date = new Date(Date.now() + offsetMs).toUTCString()
      res.writeHead(200, { date, 'content-type': 'application/json' }).end('{"jobs":{}}')
    })
    await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
    const client = new ClariClient({
      apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4`,
      apiKey: 'k',
      requestTimeoutMs: 5_000,
      clock: systemClock,
      random: Math.random,
      budget: new RetryBudget(),
      limits: DEFAULT_RETRY_LIMITS
    })
    expect(client.serverClockAheadMs).toBeUndefined()
    const startedAt = Date.now()
    await client.getLimits({ signal: new AbortController().signal, deadline: Infinity })
    const tookMs = Date.now() - startedAt
    client.close()
    // A Date is cut to the second and stamped before the answer arrives: the reading is a
    // lower bound, at most a second and the exchange's duration below the true offset.
    expect(client.serverClockAheadMs).toBeLessThanOrEqual(offsetMs)
    expect(client.serverClockAheadMs).toBeGreaterThan(offsetMs - 1_000 - tookMs)
  })
})
