import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ClariClient, type CallContext } from '../../src/clari/client.js'
import { CancelledError } from '../../src/base/abort.js'
import {
  AmbiguousCreateError,
  ClariApiError,
  InterruptedCreateError,
  InvalidResponseError
} from '../../src/clari/errors.js'
import { VirtualClock } from '../../src/base/virtual-clock.js'
import { RetryBudget } from '../../src/retry/budget.js'

/**
 * The client against a scripted server on loopback: what each request carries, how requests of
 * one run are spaced and held back together, and how answers are read. The fault matrix
 * (test/faults) drives the same client through the simulator; these pin what it cannot see.
 */

interface Seen {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
  /** The virtual clock when the request arrived. */
  at: number
}
type Reply = (res: http.ServerResponse) => void

const KEY = 'key-0123456789abcdef'
let server: http.Server
let apiUrl: string
let seen: Seen[]
let replies: Reply[]
let clock: VirtualClock
let budget: RetryBudget
let client: ClariClient

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  res =>
    void res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(typeof body === 'string' ? body : JSON.stringify(body))

beforeEach(async () => {
  seen = []
  replies = []
  server = http.createServer((req, res) => {
    let body = ''
    req.on('data', chunk => (body += String(chunk)))
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, at: clock.now() })
      ;(replies.shift() ?? json(500, { message: 'no reply scripted' }))(res)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v4`
  clock = new VirtualClock()
  budget = new RetryBudget()
  client = makeClient()
})
afterEach(async () => {
  client.close()
  server.closeAllConnections()
  await new Promise(resolve => server.close(resolve))
})

function makeClient(apiUrlAs = apiUrl, spacingMs?: number): ClariClient {
  return new ClariClient(
    { apiUrl: apiUrlAs, apiKey: KEY, requestTimeoutMs: 5_000, maxRetryAfterMs: 60_000 },
    { clock, random: () => 0.5, budget, minRequestSpacingMs: spacingMs }
  )
}

const ctx = (more: Partial<CallContext> = {}): CallContext => ({
  signal: new AbortController().signal,
  deadline: Infinity,
  ...more
})

describe('what a request carries', () => {
  it('sends the key, JSON accept and a user agent; a JSON content type only with a body', async () => {
    replies.push(json(200, { jobId: 'job_1' }), json(200, { job: { jobId: 'job_1' } }))
    await client.createExport('net arr/1', { timePeriod: '2026_Q1' }, ctx())
    await client.getJob('job_1', ctx())
    const [create, status] = seen
    expect(create).toMatchObject({ method: 'POST', url: '/v4/export/forecast/net%20arr%2F1' })
    expect(JSON.parse(create!.body)).toEqual({ timePeriod: '2026_Q1' })
    for (const request of seen) {
      expect(request.headers).toMatchObject({
        apikey: KEY,
        accept: 'application/json',
        'user-agent': 'clari-forecast-export-action'
      })
    }
    expect(create!.headers['content-type']).toBe('application/json')
    expect(status!.headers['content-type']).toBeUndefined()
    expect(status).toMatchObject({ method: 'GET', url: '/v4/export/jobs/job_1' })
  })

  it('does not send the key to another origin a status request is redirected to', async () => {
    const elsewhere: (string | undefined)[] = []
    const other = http.createServer((req, res) => {
      elsewhere.push(req.headers.apikey as string | undefined)
      json(200, { job: { jobId: 'job_1', status: 'DONE' } })(res)
    })
    await new Promise<void>(resolve => other.listen(0, '127.0.0.1', resolve))
    try {
      const port = (other.address() as AddressInfo).port
      replies.push(res => void res.writeHead(302, { location: `http://127.0.0.1:${port}/j` }).end())
      expect((await client.getJob('job_1', ctx())).job).toEqual({ jobId: 'job_1', status: 'DONE' })
      expect(seen[0]!.headers.apikey).toBe(KEY)
      expect(elsewhere).toEqual([undefined])
    } finally {
      other.closeAllConnections()
      await new Promise(resolve => other.close(resolve))
    }
  })

  it('joins paths to an api-url given with trailing slashes', async () => {
    client.close()
    client = makeClient(`${apiUrl}//`)
    replies.push(json(200, { jobs: {} }))
    await client.getLimits(ctx())
    expect(seen.map(r => r.url)).toEqual(['/v4/admin/limits'])
  })

  it('cancels with a PATCH of type CANCEL', async () => {
    replies.push(json(200, {}))
    expect(await client.cancelJob('job_1', ctx())).toBe('cancelled')
    expect(seen).toMatchObject([{ method: 'PATCH', url: '/v4/export/jobs/job_1' }])
    expect(JSON.parse(seen[0]!.body)).toEqual({ type: 'CANCEL' })
    expect(seen[0]!.headers['content-type']).toBe('application/json')
  })

  it('close() ends its idle connection at once', async () => {
    // The server never times out an idle connection: only the client can end it here.
    server.keepAliveTimeout = 0
    const sockets = new Set<import('node:net').Socket>()
    server.on('request', (req: http.IncomingMessage) => sockets.add(req.socket))
    replies.push(json(200, { jobs: {} }))
    await client.getLimits(ctx())
    const [socket] = sockets
    const ended = new Promise(resolve => socket!.once('close', resolve))
    client.close()
    await ended
  })

  it('counts every attempt', async () => {
    replies.push(json(502, {}), json(200, { jobs: {} }))
    await client.getLimits(ctx())
    expect(client.requestCount).toBe(2)
  })
})

describe('pacing: the requests of one client', () => {
  it('leave at least 200 ms apart by default, and the given spacing when set', async () => {
    replies.push(json(200, { jobs: {} }), json(200, { jobs: {} }))
    await client.getLimits(ctx())
    await client.getLimits(ctx())
    expect(seen[1]!.at - seen[0]!.at).toBe(200)

    client.close()
    client = makeClient(apiUrl, 1_000)
    replies.push(json(200, { jobs: {} }), json(200, { jobs: {} }))
    await client.getLimits(ctx())
    await client.getLimits(ctx())
    expect(seen[3]!.at - seen[2]!.at).toBe(1_000)
  })

  it('all hold off while the server throttles, except a cancel', async () => {
    replies.push(json(429, { message: 'slow down' }, { 'retry-after': '5' }))
    await expect(client.getLimits(ctx({ once: true }))).rejects.toMatchObject({ status: 429 })
    replies.push(json(200, {}), json(200, { job: { jobId: 'job_1' } }))
    const cancelled = client.cancelJob('job_1', ctx())
    const status = client.getJob('job_1', ctx())
    await Promise.all([cancelled, status])
    const [throttled, cancel, poll] = seen
    expect(cancel!.method).toBe('PATCH')
    expect(cancel!.at - throttled!.at).toBe(200)
    expect(poll!.at - throttled!.at).toBe(5_000)
  })

  it('holds off for a wait of exactly max-retry-after', async () => {
    replies.push(json(429, {}, { 'retry-after': '60' }))
    await expect(client.getLimits(ctx({ once: true }))).rejects.toMatchObject({ status: 429 })
    replies.push(json(200, { jobs: {} }))
    await client.getLimits(ctx())
    expect(seen[1]!.at - seen[0]!.at).toBe(60_000)
  })

  it('does not hold off for the Retry-After of an answer that is no throttle', async () => {
    replies.push(json(500, {}, { 'retry-after': '30' }))
    const error = await client.getLimits(ctx({ once: true })).catch(e => e)
    expect(error).toMatchObject({ status: 500, retryAfter: undefined })
    replies.push(json(200, { jobs: {} }))
    await client.getLimits(ctx())
    expect(seen[1]!.at - seen[0]!.at).toBe(200)
  })

  it('does not hold off for a wait longer than max-retry-after', async () => {
    replies.push(json(503, {}, { 'retry-after': '3600' }))
    await expect(client.getLimits(ctx({ once: true }))).rejects.toMatchObject({ status: 503 })
    replies.push(json(200, { jobs: {} }))
    await client.getLimits(ctx())
    expect(seen[1]!.at - seen[0]!.at).toBe(200)
  })
})

describe('reading answers', () => {
  it.each([
    ['jobId', { jobId: 'job_a' }, 'job_a'],
    ['job.jobId', { job: { jobId: 'job_b', id: 'job_x' } }, 'job_b'],
    ['job.id', { job: { id: 'job_c' } }, 'job_c']
  ])('takes the new job id from %s', async (_where, body, id) => {
    replies.push(json(200, body))
    expect(await client.createExport('f', { timePeriod: '2026_Q1' }, ctx())).toBe(id)
  })

  it('calls a create answer without a valid job id ambiguous: the job may exist', async () => {
    replies.push(json(200, { jobId: '../x' }))
    const error = await client.createExport('f', { timePeriod: '2026_Q1' }, ctx()).catch(e => e)
    expect(error).toBeInstanceOf(AmbiguousCreateError)
    expect(error.cause).toBeInstanceOf(InvalidResponseError)
    expect(error.message).toMatch(/create export: no valid jobId/)
    expect(seen).toHaveLength(1)
  })

  it('reads a job wrapped in "job" or bare, with the Retry-After of a 2xx answer', async () => {
    replies.push(json(200, { job: { jobId: 'job_1', status: 'RUNNING' } }, { 'retry-after': '7' }))
    replies.push(json(200, { jobId: 'job_1', status: 'DONE' }))
    expect(await client.getJob('job_1', ctx())).toEqual({
      job: { jobId: 'job_1', status: 'RUNNING' },
      retryAfter: { kind: 'delay', ms: 7_000, raw: '7' }
    })
    expect(await client.getJob('job_1', ctx())).toEqual({
      job: { jobId: 'job_1', status: 'DONE' },
      retryAfter: undefined
    })
  })

  it.each([['null'], ['"DONE"']])('refuses a job status answer of %s', async body => {
    replies.push(json(200, body))
    await expect(client.getJob('job_1', ctx({ once: true }))).rejects.toThrow(
      new InvalidResponseError('job status: no job')
    )
  })

  it('refuses a JSON answer over 4 MiB, and reads one of exactly 4 MiB', async () => {
    const padded = (bytes: number) => `{"jobs":{},"pad":"${'x'.repeat(bytes - 20)}"}`
    expect(padded(100)).toHaveLength(100)
    replies.push(json(200, padded(4 * 1024 * 1024)), json(200, padded(4 * 1024 * 1024 + 1)))
    await expect(client.getLimits(ctx({ once: true }))).resolves.toEqual({})
    await expect(client.getLimits(ctx({ once: true }))).rejects.toThrow(
      new InvalidResponseError('response larger than 4194304 bytes')
    )
  })

  it('names the status of a 2xx answer that is not JSON', async () => {
    replies.push(json(201, '<html>'))
    await expect(client.getLimits(ctx({ once: true }))).rejects.toThrow(
      new InvalidResponseError('HTTP 201 with a body that is not JSON')
    )
  })

  it('masks the key wherever a JSON answer echoes it', async () => {
    replies.push(json(200, [{ jobId: 'job_1', title: `for ${KEY}` }]))
    expect(await client.listJobs(ctx())).toEqual([{ jobId: 'job_1', title: 'for ***' }])
    expect(seen).toMatchObject([{ method: 'GET', url: '/v4/export/jobs' }])
  })
})

describe('error answers', () => {
  const failure = async (reply: Reply): Promise<ClariApiError> => {
    replies.push(reply)
    return client.getLimits(ctx({ once: true })).catch(e => e)
  }

  it("quote Clari's message, code and errorId, with the key masked", async () => {
    const error = await failure(
      json(404, { message: `no such job for ${KEY}`, code: 'job_not_found', errorId: 'e-1' })
    )
    expect(error).toBeInstanceOf(ClariApiError)
    expect(error.message).toBe(
      'read export limits failed: HTTP 404: no such job for *** (code job_not_found, errorId e-1)'
    )
  })

  it.each([
    ['create export', () => client.createExport('f', { timePeriod: '2026_Q1' }, ctx())],
    ['job status', () => client.getJob('job_1', ctx({ once: true }))],
    ['download results', () => client.downloadResults('job_1', async () => 0, ctx({ once: true }))],
    ['cancel job', () => client.cancelJob('job_1', ctx({ once: true }))],
    ['read export limits', () => client.getLimits(ctx({ once: true }))],
    ['list export jobs', () => client.listJobs(ctx({ once: true }))]
  ])('name the request: %s', async (operation, call) => {
    replies.push(json(404, {}))
    const error = await call().catch(e => e)
    expect(error).toBeInstanceOf(ClariApiError)
    expect(error).toMatchObject({ operation, message: `${operation} failed: HTTP 404` })
  })

  it('include a 300 answer, which is no success and no redirect to follow', async () => {
    const error = await failure(json(300, { jobs: {} }, { location: '/v4/elsewhere' }))
    expect(error).toBeInstanceOf(ClariApiError)
    expect(error.message).toBe('read export limits failed: HTTP 300')
    expect(seen).toHaveLength(1)
  })

  it('include an answer with a status below 200, which is no success', async () => {
    // Node's server writes no such status; the socket carries it raw, as a broken proxy might.
    const raw = 'HTTP/1.1 099 Odd\r\ncontent-length: 11\r\n\r\n{"jobs":{}}'
    const error = await failure(res => void res.socket!.end(raw))
    expect(error).toBeInstanceOf(ClariApiError)
    expect(error.message).toBe('read export limits failed: HTTP 99')
  })

  it('quote a body that is not JSON (a proxy page) as the message', async () => {
    const error = await failure(res => void res.writeHead(403).end('<h1>Forbidden</h1>'))
    expect(error.message).toBe('read export limits failed: HTTP 403: <h1>Forbidden</h1>')
  })

  it.each([
    ['an empty body', ''],
    ['a JSON null', 'null'],
    ['a JSON number', '42']
  ])('say only the status for %s', async (_name, body) => {
    const error = await failure(res => void res.writeHead(401).end(body))
    expect(error.message).toBe('read export limits failed: HTTP 401')
  })

  it('do not read a huge error body whole', async () => {
    const error = await failure(res => void res.writeHead(400).end('x'.repeat(64 * 1024 + 1)))
    expect(error.message).toBe('read export limits failed: HTTP 400')
  })

  it('read an error body of exactly 64 KiB', async () => {
    const error = await failure(res => void res.writeHead(400).end('y'.repeat(64 * 1024)))
    expect(error.serverMessage).toMatch(/^y{300}…$/)
  })

  it('count towards the retry budget when tried once, and a success refunds it', async () => {
    await failure(json(500, {}))
    expect(budget.tokens).toBe(9)
    replies.push(json(200, { jobs: {} }))
    await client.getLimits(ctx({ once: true }))
    expect(budget.tokens).toBe(9.2)
  })

  it('tried once, a final answer costs the budget nothing', async () => {
    await failure(json(404, {}))
    expect(budget.tokens).toBe(10)
  })

  it('call a cancel of a job that already finished no error', async () => {
    replies.push(json(400, { code: 'export_failed_to_cancel', message: 'already done' }))
    expect(await client.cancelJob('job_1', ctx())).toBe('already-finished')
  })

  it('fail a cancel refused for any other reason', async () => {
    replies.push(json(400, { code: 'bad_request', message: 'no' }))
    await expect(client.cancelJob('job_1', ctx())).rejects.toMatchObject({
      status: 400,
      code: 'bad_request'
    })
  })
})

describe('a create cut short by the run', () => {
  it('is an interrupted create once the request went out: the job may exist', async () => {
    const run = new AbortController()
    replies.push(() => run.abort(new CancelledError()))
    const error = await client
      .createExport('f', { timePeriod: '2026_Q1' }, ctx({ signal: run.signal }))
      .catch(e => e)
    expect(error).toBeInstanceOf(InterruptedCreateError)
    expect(error.sentAt).toBe(clock.wallNow())
    expect(error.cause).toBeInstanceOf(CancelledError)
  })

  it('is a plain cancellation while it still waited for its turn', async () => {
    replies.push(json(200, { jobs: {} }))
    await client.getLimits(ctx())
    const run = new AbortController()
    const pending = client
      .createExport('f', { timePeriod: '2026_Q1' }, ctx({ signal: run.signal }))
      .catch(e => e)
    run.abort(new CancelledError())
    const error = await pending
    expect(error).toBeInstanceOf(CancelledError)
    expect(error).not.toBeInstanceOf(InterruptedCreateError)
    expect(seen).toHaveLength(1)
  })
})

describe('downloads and the server clock', () => {
  it('streams the results with their content type, bounded by silence only', async () => {
    // The download lasts longer than the request timeout, in rows sent one after another with
    // no pause of their own: only a stall of the whole process as long as the timeout could
    // make a silence, so load cannot eat the margin.
    const requestTimeoutMs = 1_000
    client.close()
    client = new ClariClient(
      { apiUrl, apiKey: KEY, requestTimeoutMs, maxRetryAfterMs: 60_000 },
      { clock, random: () => 0.5, budget }
    )
    let rows = 0
    let lastedMs = 0
    replies.push(res => {
      res.writeHead(200, { 'content-type': 'text/csv' })
      const started = performance.now()
      const drip = (): void => {
        lastedMs = performance.now() - started
        if (lastedMs > requestTimeoutMs * 1.2) return void res.end('end')
        rows++
        res.write('row\n')
        setTimeout(drip, 10)
      }
      drip()
    })
    const got = await client.downloadResults(
      'job_1',
      async (body, contentType) => {
        let text = ''
        for await (const chunk of body) text += String(chunk)
        return { text, contentType }
      },
      ctx()
    )
    expect(lastedMs).toBeGreaterThan(requestTimeoutMs)
    expect(got).toEqual({ text: `${'row\n'.repeat(rows)}end`, contentType: 'text/csv' })
    expect(seen).toMatchObject([{ method: 'GET', url: '/v4/export/jobs/job_1/results' }])
  })

  it('learns nothing of its clock from an answer without a readable Date', async () => {
    replies.push(res => {
      res.sendDate = false
      json(200, { jobs: {} })(res)
    })
    replies.push(json(200, { jobs: {} }, { date: 'yesterday' }))
    await client.getLimits(ctx())
    await client.getLimits(ctx())
    expect(client.serverClockAheadMs).toBeUndefined()
  })
})
