import { request } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import {
  CSV_COLUMNS,
  forecastCsv,
  forecastPayload,
  generatedPayloadSize,
  generatedPayloadStream,
  sha256,
  sha256Stream,
  startClariSimulator,
  type ClariSimulator,
  type ClariSimulatorOptions
} from './clari/index.js'
import { checkClariDocument } from './clari/spec.js'

const running: ClariSimulator[] = []
afterEach(async () => {
  await Promise.all(running.splice(0).map(sim => sim.close()))
})

async function start(options: ClariSimulatorOptions = {}): Promise<ClariSimulator> {
  const sim = await startClariSimulator(options)
  running.push(sim)
  return sim
}

const EPOCH = Date.UTC(2024, 4, 15, 12, 0, 0)

function manualClock(at = EPOCH) {
  let t = at
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}

interface Call {
  method?: string
  body?: unknown
  headers?: Record<string, string>
  redirect?: 'follow' | 'manual'
  signal?: AbortSignal
}

function call(sim: ClariSimulator, path: string, init: Call = {}): Promise<Response> {
  const { method = 'GET', body, headers = {}, redirect, signal } = init
  return fetch(`${sim.url}${path}`, {
    method,
    redirect,
    signal,
    headers: {
      apikey: sim.apiKey,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers
    },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
}

// Parsed JSON answers are checked field by field with expect.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any

async function json(response: Promise<Response>): Promise<{ status: number; body: Body }> {
  const r = await response
  return { status: r.status, body: await r.json() }
}

async function createJob(sim: ClariSimulator, body: unknown = { timePeriod: '2024_Q1' }) {
  const { status, body: created } = await json(
    call(sim, '/export/forecast/net_arr', { method: 'POST', body })
  )
  expect(status).toBe(200)
  return created.jobId as string
}

const statusOf = async (sim: ClariSimulator, jobId: string) =>
  (await json(call(sim, `/export/jobs/${jobId}`))).body.job.status as string

const limitsOf = async (sim: ClariSimulator) => (await json(call(sim, '/admin/limits'))).body.jobs

/** Resolves once `condition` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise(resolve => setImmediate(resolve))
}

/** node:http GET, for header details fetch hides (chunked transfer). */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      request(url, { headers }, res => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) })
        )
        res.on('error', reject)
      })
        .on('error', reject)
        .end()
    }
  )
}

describe('export job lifecycle', () => {
  it('creates, polls and downloads a job, with 24-hex ids and a sim-clock Date header', async () => {
    const clock = manualClock()
    const sim = await start({ clock })
    const created = await call(sim, '/export/forecast/net_arr', {
      method: 'POST',
      body: { timePeriod: '2024_Q1' }
    })
    expect(created.status).toBe(200)
    expect(created.headers.get('date')).toBe(new Date(EPOCH).toUTCString())
    const { jobId } = (await created.json()) as { jobId: string }
    expect(jobId).toMatch(/^[0-9a-f]{24}$/)

    const { body } = await json(call(sim, `/export/jobs/${jobId}`))
    expect(body.job).toMatchObject({
      jobId,
      userId: expect.any(Number),
      orgId: expect.any(Number),
      module: 'FORECAST',
      startTime: EPOCH,
      endTime: EPOCH,
      expiredTime: EPOCH + 30 * 86_400_000,
      fileType: 'JSON',
      status: 'DONE',
      viewed: false,
      cellsTruncated: false,
      rowsTruncated: false,
      downloads: 0,
      currency: 'USD'
    })
    expect(body.job.fileName).toMatch(/^clari_export_forecast_net_arr_2024_Q1_\d{8}_\d{6}\.json$/)

    const results = await call(sim, `/export/jobs/${jobId}/results`)
    const text = await results.text()
    expect(results.headers.get('content-type')).toBe('application/json')
    expect(Number(results.headers.get('content-length'))).toBe(Buffer.byteLength(text))
    expect(text).toBe(forecastPayload('2024_Q1', 'net_arr'))
    expect(sim.jobs[0]).toMatchObject({ jobId, period: '2024_Q1', downloads: 1, statusPolls: 1 })
    expect(sim.jobs[0]!.payloadSha256).toBe(sha256(text))
    expect((await json(call(sim, `/export/jobs/${jobId}`))).body.job).toMatchObject({
      downloads: 1,
      viewed: true
    })
  })

  it('moves SCHEDULED → STARTED → outcome on the sim clock and refuses results before DONE', async () => {
    const clock = manualClock()
    const sim = await start({ clock, plan: { queuedMs: 1_000, durationMs: 30 * 60_000 } })
    const jobId = await createJob(sim)
    expect(await statusOf(sim, jobId)).toBe('SCHEDULED')
    const early = await json(call(sim, `/export/jobs/${jobId}/results`))
    expect(early.status).toBe(400)
    expect(early.body).toMatchObject({ code: 'invalid_jobId', namespace: 'exports' })
    clock.advance(1_000)
    expect(await statusOf(sim, jobId)).toBe('STARTED')
    expect(sim.jobs[0]!.status).toBe('STARTED')
    clock.advance(30 * 60_000)
    const { body } = await json(call(sim, `/export/jobs/${jobId}`))
    expect(body.job).toMatchObject({ status: 'DONE', endTime: EPOCH + 30 * 60_000 })
    expect((await call(sim, `/export/jobs/${jobId}/results`)).status).toBe(200)
  })

  it('ends in the planned failure outcome, chosen per job by a plan function', async () => {
    const sim = await start({
      plan: ({ timePeriod, index }) => ({
        outcome: timePeriod === '2024_Q2' ? 'FAILED' : 'DONE',
        durationMs: index
      })
    })
    const ok = await createJob(sim, { timePeriod: '2024_Q1' })
    const failed = await createJob(sim, { timePeriod: '2024_Q2' })
    expect(await statusOf(sim, ok)).toBe('DONE')
    expect(await statusOf(sim, failed)).toBe('FAILED')
    expect((await call(sim, `/export/jobs/${failed}/results`)).status).toBe(400)
  })

  it('plays scripted statuses per status GET and repeats the last one', async () => {
    const sim = await start({ plan: { statuses: ['SCHEDULED', 'WEIRD_NEW_STATE', 'DONE'] } })
    const jobId = await createJob(sim)
    const seen = []
    for (let i = 0; i < 4; i++) seen.push(await statusOf(sim, jobId))
    expect(seen).toEqual(['SCHEDULED', 'WEIRD_NEW_STATE', 'DONE', 'DONE'])
    expect(sim.jobs[0]!.statusPolls).toBe(4)
  })

  it.each([
    ['flat', [false, false]],
    ['wrapped', [true, true]],
    ['alternate', [true, false]]
  ] as const)('answers status GETs in the %s envelope', async (envelope, wrappedSeq) => {
    const sim = await start({ envelope })
    const jobId = await createJob(sim)
    for (const wrapped of wrappedSeq) {
      const { body } = await json(call(sim, `/export/jobs/${jobId}`))
      const job = wrapped ? body.job : body
      expect(job).toMatchObject({ jobId, status: 'DONE' })
      expect('job' in body).toBe(wrapped)
    }
  })

  it('answers 404 in Clari error shape for an unknown job', async () => {
    const sim = await start()
    for (const [path, method] of [
      ['/export/jobs/000000000000000000000000', 'GET'],
      ['/export/jobs/000000000000000000000000/results', 'GET'],
      ['/export/jobs/000000000000000000000000', 'PATCH']
    ] as const) {
      const { status, body } = await json(
        call(sim, path, { method, body: method === 'PATCH' ? { type: 'CANCEL' } : undefined })
      )
      expect(status).toBe(404)
      expect(body).toMatchObject({ code: 'job_not_found', namespace: 'exports', orgId: 1905 })
      expect(body.errorId).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('serves CSV exports as text/csv with the spec columns', async () => {
    const sim = await start()
    const jobId = await createJob(sim, { timePeriod: '2023_Q4', exportFormat: 'CSV' })
    const r = await call(sim, `/export/jobs/${jobId}/results`)
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/)
    const text = await r.text()
    expect(text).toBe(forecastCsv('2023_Q4', 'net_arr'))
    expect(text.split('\r\n')[0]).toBe(CSV_COLUMNS.join(','))
    expect(text).toMatch(/,Q4 2023,.*,Forecast Value,"\$[\d,]+\.\d\d"\r\n/)
  })

  it('names the current quarter when the period is missing, unknown or overridden', async () => {
    const sim = await start({
      clock: manualClock(),
      plan: ({ index }) => (index === 2 ? { periodOverride: '2023_Q3' } : {})
    })
    const bodies = [{}, { timePeriod: '2024-Q1' }, { timePeriod: '2024_Q1' }]
    const named = []
    for (const body of bodies) {
      const jobId = await createJob(sim, body)
      const payload = (await json(call(sim, `/export/jobs/${jobId}/results`))).body
      named.push(payload.timePeriods[0].timePeriodId)
    }
    expect(named).toEqual(['2024_Q2', '2024_Q2', '2023_Q3'])
    expect(sim.jobs.map(j => j.period)).toEqual([undefined, '2024-Q1', '2024_Q1'])
  })

  it('reports truncation and serves an explicit payload as is', async () => {
    const sim = await start({ plan: { payload: '{"tiny":true}', rowsTruncated: true } })
    const jobId = await createJob(sim)
    expect((await json(call(sim, `/export/jobs/${jobId}`))).body.job).toMatchObject({
      rowsTruncated: true,
      cellsTruncated: false
    })
    expect(await (await call(sim, `/export/jobs/${jobId}/results`)).text()).toBe('{"tiny":true}')
  })
})

describe('the data a job exports', () => {
  const results = async (sim: ClariSimulator, jobId: string) =>
    (await call(sim, `/export/jobs/${jobId}/results`)).text()

  it('follows the create body and the sim clock: weeks so far, quota, currency, snapshot', async () => {
    const sim = await start({ clock: manualClock(), currencyShape: 'object' })
    const body = {
      timePeriod: '2024_Q2',
      includeHistorical: true,
      typesToExport: ['forecast', 'quota'],
      currency: 'EUR'
    }
    const first = await createJob(sim, body)
    const again = await createJob(sim, body)
    const other = await createJob(sim, { timePeriod: '2024_Q3' })
    expect(sim.jobs.map(j => j.exportOptions)).toEqual([
      {
        asOf: EPOCH,
        snapshot: 0,
        includeHistorical: true,
        typesToExport: ['forecast', 'quota'],
        currency: 'EUR',
        currencyShape: 'object'
      },
      {
        asOf: EPOCH,
        snapshot: 1,
        includeHistorical: true,
        typesToExport: ['forecast', 'quota'],
        currency: 'EUR',
        currencyShape: 'object'
      },
      { asOf: EPOCH, snapshot: 0, includeHistorical: false, currencyShape: 'object' }
    ])
    for (const [i, jobId] of [first, again, other].entries()) {
      const { period, forecastId, exportOptions } = sim.jobs[i]!
      expect(await results(sim, jobId)).toBe(forecastPayload(period!, forecastId, exportOptions))
    }
    const [a, b] = [JSON.parse(await results(sim, first)), JSON.parse(await results(sim, again))]
    // 2024-05-15 is in the seventh week of the quarter.
    const weeks = a.timeFrames.map((f: { timeFrameId: string }) => f.timeFrameId).sort()
    expect([weeks[0], weeks.at(-1), weeks.length]).toEqual(['TF:2024-04-01', 'TF:2024-05-13', 7])
    expect(a.entries.some((e: { quotaValue?: number }) => e.quotaValue !== undefined)).toBe(true)
    expect(a.entries[0].currency).toEqual({ code: 'EUR', symbol: '€' })
    // The second export of the period is a later snapshot: one rep fewer.
    expect(b.users.length).toBe(a.users.length - 1)
  })

  it('serves generated payloads with the same rules', async () => {
    const sim = await start({ clock: manualClock(), plan: { payloadBytes: 200_000 } })
    const jobId = await createJob(sim, { timePeriod: '2024_Q2', includeHistorical: true })
    const { forecastId, exportOptions } = sim.jobs[0]!
    const expected = await sha256Stream(
      generatedPayloadStream('2024_Q2', 200_000, { forecastId, ...exportOptions })
    )
    const text = await results(sim, jobId)
    expect(sha256(text)).toBe(expected)
    expect(JSON.parse(text).timeFrames).toHaveLength(7)
  })
})

describe("every request is held against Clari's OpenAPI document", () => {
  const EVERY_FIELD = {
    timePeriod: '2024_Q1',
    typesToExport: ['forecast', 'quota', 'forecast_updated', 'adjustment'],
    currency: 'USD',
    scopeId: '1905::MGR',
    schedule: 'ONCE',
    includeHistorical: true,
    exportFormat: 'CSV'
  }

  it('is a valid OpenAPI 3.0 document, as prepared, whose every operation compiles', async () => {
    // The simulator loads it quickly, without this check.
    await expect(checkClariDocument()).resolves.toBeUndefined()
  })

  it('accepts a create body with every documented field, and a cancel', async () => {
    const sim = await start({ plan: { durationMs: 60_000 } })
    const jobId = await createJob(sim, EVERY_FIELD)
    const cancel = await json(
      call(sim, `/export/jobs/${jobId}`, { method: 'PATCH', body: { type: 'CANCEL' } })
    )
    expect(cancel).toEqual({ status: 200, body: { status: 'CANCELLED', successful: true } })
  })

  it.each([
    [
      'an unknown field',
      { timePeriod: '2024_Q1', scheduleType: 'BOGUS' },
      /scheduleType|additional/
    ],
    [
      'a misspelled field',
      { timePeriod: '2024_Q1', exportformat: 'CSV' },
      /exportformat|additional/
    ],
    ['a wrong type', { timePeriod: 2024 }, /timePeriod must be string/],
    ['a wrong enum value', { schedule: 'TWICE' }, /schedule must be equal to one of/],
    [
      'a wrong enum value in a list',
      { typesToExport: ['deals'] },
      /typesToExport\/0 must be equal/
    ],
    ['a list given as text', { typesToExport: 'forecast' }, /typesToExport must be array/]
  ])('answers a create with %s like Clari: 400 bad_request, no job', async (_n, body, message) => {
    const sim = await start()
    const r = await json(call(sim, '/export/forecast/net_arr', { method: 'POST', body }))
    expect(r.status).toBe(400)
    expect(r.body).toMatchObject({ code: 'bad_request', namespace: 'fcw' })
    expect(r.body.message).toMatch(/^The request body was malformed: /)
    expect(r.body.message).toMatch(message)
    expect(sim.jobs).toHaveLength(0)
  })

  it('answers a cancel with an unknown field with 400 bad_request and keeps the job', async () => {
    const sim = await start({ plan: { durationMs: 60_000 } })
    const jobId = await createJob(sim)
    const r = await json(
      call(sim, `/export/jobs/${jobId}`, { method: 'PATCH', body: { type: 'CANCEL', force: true } })
    )
    expect(r).toMatchObject({ status: 400, body: { code: 'bad_request' } })
    expect(await statusOf(sim, jobId)).not.toBe('CANCELLED')
  })
})

describe('create validation and gateway answers', () => {
  it.each([
    ['unknown forecast', '/export/forecast/deal_owner', {}, 400, 'no_such_forecast_config', 'fcw'],
    ['missing forecast', '/export/forecast/', {}, 400, 'missing_forecast_id', 'fcw'],
    [
      'crm types',
      '/export/forecast/net_arr',
      { typesToExport: ['crm_total'] },
      400,
      'type_not_supported',
      'fcw'
    ],
    [
      'bad types',
      '/export/forecast/net_arr',
      { typesToExport: ['forecast', 'x'] },
      400,
      'bad_request',
      'fcw'
    ],
    [
      'bad currency',
      '/export/forecast/net_arr',
      { currency: 'dollars' },
      400,
      'bad_request',
      'fcw'
    ],
    [
      'string boolean',
      '/export/forecast/net_arr',
      { includeHistorical: 'false' },
      400,
      'bad_request',
      'fcw'
    ]
  ])('rejects %s', async (_name, path, body, status, code, namespace) => {
    const sim = await start()
    const r = await json(call(sim, path, { method: 'POST', body }))
    expect(r.status).toBe(status)
    expect(r.body).toMatchObject({ code, namespace })
    expect(sim.jobs).toHaveLength(0)
  })

  it('url-decodes the forecast id and can answer 202', async () => {
    const sim = await start({ forecasts: ['net arr/emea'], createStatus: 202 })
    const r = await call(sim, `/export/forecast/${encodeURIComponent('net arr/emea')}`, {
      method: 'POST'
    })
    expect(r.status).toBe(202)
    expect(sim.jobs[0]).toMatchObject({ forecastId: 'net arr/emea', body: {} })
  })

  it('answers 401 without the right apikey and 404 on unknown routes', async () => {
    const sim = await start({ apiKey: 'secret' })
    const wrong = await json(call(sim, '/admin/limits', { headers: { apikey: 'nope' } }))
    expect(wrong).toEqual({ status: 401, body: { message: 'Invalid authentication credentials' } })
    const missing = await fetch(`${sim.url}/admin/limits`)
    expect(missing.status).toBe(401)
    expect(await json(call(sim, '/export/forecast/list'))).toEqual({
      status: 404,
      body: { message: 'no Route matched with those values' }
    })
  })

  it('records every request with endpoint, job, period, body and answer', async () => {
    const clock = manualClock()
    const sim = await start({ clock })
    const jobId = await createJob(sim, { timePeriod: '2024_Q3' })
    clock.advance(5)
    await call(sim, `/export/jobs/${jobId}`)
    expect(sim.requests).toMatchObject([
      {
        method: 'POST',
        path: '/v4/export/forecast/net_arr',
        endpoint: 'create',
        period: '2024_Q3',
        body: { timePeriod: '2024_Q3' },
        at: EPOCH,
        status: 200,
        origin: 'main'
      },
      { method: 'GET', endpoint: 'status', jobId, period: '2024_Q3', at: EPOCH + 5, status: 200 }
    ])
    expect(sim.requests[0]!.headers.apikey).toBe('sim-key')
  })

  it('prefers wallNow when the clock has one (a VirtualClock can be passed as is)', async () => {
    const sim = await start({ clock: { now: () => 5, wallNow: () => EPOCH } })
    const r = await call(sim, '/admin/limits')
    expect(r.headers.get('date')).toBe(new Date(EPOCH).toUTCString())
  })

  it('sends no Date header at all when told to, as a proxy that drops it', async () => {
    const sim = await start({ clock: manualClock(), dateHeader: false })
    const r = await call(sim, '/admin/limits')
    expect(r.status).toBe(200)
    expect(r.headers.get('date')).toBeNull()
  })
})

describe('cancel, limits, quota and the job list', () => {
  it('cancels a queued job as CANCELLED and a running one as ABORTED, freeing quota', async () => {
    const clock = manualClock()
    const sim = await start({
      clock,
      plan: ({ index }) => ({ queuedMs: index === 0 ? 10_000 : 0, durationMs: 60_000 })
    })
    const queued = await createJob(sim)
    const started = await createJob(sim)
    expect(await limitsOf(sim)).toMatchObject({
      runningJobIds: [started],
      submittedJobIds: [queued],
      availableConcurrentLimit: 1,
      availableMonthlyQuota: 998
    })
    for (const jobId of [queued, started]) {
      const r = await json(
        call(sim, `/export/jobs/${jobId}`, { method: 'PATCH', body: { type: 'CANCEL' } })
      )
      expect(r).toEqual({ status: 200, body: { status: 'CANCELLED', successful: true } })
    }
    expect(await statusOf(sim, queued)).toBe('CANCELLED')
    expect(await statusOf(sim, started)).toBe('ABORTED')
    expect(sim.jobs.map(j => j.cancelled)).toEqual([true, true])
    const limits = await limitsOf(sim)
    expect(limits).toMatchObject({ availableConcurrentLimit: 3, availableMonthlyQuota: 1000 })
    expect(limits).not.toHaveProperty('runningJobIds')
  })

  it('refuses to cancel a finished job and a non-CANCEL body', async () => {
    const sim = await start()
    const jobId = await createJob(sim)
    const finished = await json(
      call(sim, `/export/jobs/${jobId}`, { method: 'PATCH', body: { type: 'CANCEL' } })
    )
    expect(finished.status).toBe(400)
    expect(finished.body.code).toBe('export_failed_to_cancel')
    const bad = await json(
      call(sim, `/export/jobs/${jobId}`, { method: 'PATCH', body: { type: 'STOP' } })
    )
    expect(bad.body.code).toBe('bad_request')
    expect(await statusOf(sim, jobId)).toBe('DONE')
  })

  it('rejects creation beyond the concurrency limit, counting other users\u2019 slots', async () => {
    const clock = manualClock()
    const sim = await start({ clock, limits: { concurrentLimit: 2 }, plan: { durationMs: 60_000 } })
    sim.occupySlots(1, 10_000)
    await createJob(sim)
    const full = await json(call(sim, '/export/forecast/net_arr', { method: 'POST', body: {} }))
    expect(full.status).toBe(400)
    expect(full.body).toMatchObject({
      code: 'export_monthly_quota_reached',
      namespace: 'exports',
      source: 'Export',
      message: 'The monthly quota limit of 1000 or concurrent limit of 2 has been reached.'
    })
    const limits = await limitsOf(sim)
    expect(limits.availableConcurrentLimit).toBe(0)
    expect(limits.runningJobIds).toHaveLength(2)
    clock.advance(10_000) // the other user's job ends
    await createJob(sim)
    expect(sim.jobs).toHaveLength(2)
  })

  it('rejects creation when the monthly quota is used up', async () => {
    const sim = await start({ limits: { monthlyQuota: 5 } })
    sim.setMonthlyQuotaLeft(1)
    await createJob(sim)
    expect((await limitsOf(sim)).availableMonthlyQuota).toBe(0)
    const r = await json(call(sim, '/export/forecast/net_arr', { method: 'POST' }))
    expect(r.body.code).toBe('export_monthly_quota_reached')
  })

  it.each([
    ['array', (b: Body) => b],
    ['object', (b: Body) => b.jobs]
  ] as const)('lists all jobs as %s', async (jobListShape, unwrap) => {
    const sim = await start({ jobListShape, plan: { durationMs: 1_000 }, clock: manualClock() })
    const a = await createJob(sim)
    const b = await createJob(sim)
    await call(sim, `/export/jobs/${b}`, { method: 'PATCH', body: { type: 'CANCEL' } })
    const list = unwrap((await json(call(sim, '/export/jobs'))).body)
    expect(list.map((j: Body) => [j.jobId, j.status])).toEqual([
      [a, 'STARTED'],
      [b, 'ABORTED']
    ])
  })
})

describe('rate limiting', () => {
  it.each([
    ['seconds', '2'],
    ['http-date', new Date(EPOCH).toUTCString()],
    ['none', null]
  ] as const)(
    'answers 429 with Retry-After as %s until the window ends',
    async (retryAfter, header) => {
      const clock = manualClock(EPOCH - 1_500) // 1.5 s before the window ends at EPOCH
      const sim = await start({ clock, rateLimit: { limit: 2, windowMs: 2_000, retryAfter } })
      expect((await call(sim, '/admin/limits')).status).toBe(200)
      expect((await call(sim, '/admin/limits')).status).toBe(200)
      const limited = await call(sim, '/admin/limits')
      expect(limited.status).toBe(429)
      expect(await limited.json()).toEqual({ error: 'API rate limit exceeded' })
      expect(limited.headers.get('retry-after')).toBe(header)
      clock.advance(1_500)
      expect((await call(sim, '/admin/limits')).status).toBe(200)
    }
  )
})

describe('faults', () => {
  it('sends any HTTP answer verbatim, honouring skip, times and period', async () => {
    const sim = await start({
      faults: [
        {
          endpoint: 'create',
          period: '2024_Q2',
          skip: 1,
          times: 2,
          fault: {
            kind: 'http',
            status: 429,
            headers: { 'Retry-After': '-1' },
            body: 'slow down'
          }
        }
      ]
    })
    const seen = []
    for (const timePeriod of ['2024_Q1', '2024_Q2', '2024_Q2', '2024_Q2', '2024_Q2']) {
      const r = await call(sim, '/export/forecast/net_arr', {
        method: 'POST',
        body: { timePeriod }
      })
      seen.push([r.status, r.headers.get('retry-after'), await r.text()])
    }
    expect(seen.map(s => s[0])).toEqual([200, 200, 429, 429, 200])
    expect(seen[2]).toEqual([429, '-1', 'slow down'])
    expect(sim.jobs).toHaveLength(3)
    expect(sim.requests.map(r => r.fault)).toEqual([
      undefined,
      undefined,
      'http',
      'http',
      undefined
    ])
  })

  it('lets an http fault override the Date header', async () => {
    const date = 'Sun, 06 Nov 1994 08:49:37 GMT'
    const sim = await start({
      faults: [
        {
          fault: {
            kind: 'http',
            status: 503,
            headers: { Date: date, 'Retry-After': 'Sunday, 06-Nov-94 08:49:39 GMT' }
          }
        }
      ]
    })
    const r = await call(sim, '/admin/limits')
    expect([r.status, r.headers.get('date')]).toEqual([503, date])
  })

  it('answers Clari-shaped errors with seeded, reproducible errorIds', async () => {
    const errorIds = async (seed: number) => {
      const sim = await start({
        seed,
        faults: [{ endpoint: 'status', fault: { kind: 'clari-error', status: 400, code: 'SWW' } }]
      })
      const jobId = await createJob(sim)
      const r = await json(call(sim, `/export/jobs/${jobId}`))
      expect(r.status).toBe(400)
      expect(r.body).toMatchObject({
        code: 'SWW',
        namespace: 'exports',
        message: 'Something went wrong',
        orgId: 1905
      })
      return r.body.errorId as string
    }
    expect(await errorIds(7)).toBe(await errorIds(7))
    expect(await errorIds(7)).not.toBe(await errorIds(8))
  })

  it('fires rate-based faults in the same pattern for the same seed', async () => {
    const pattern = async (seed: number) => {
      const sim = await start({
        seed,
        faults: [{ rate: 0.5, fault: { kind: 'http', status: 502 } }]
      })
      const statuses = []
      for (let i = 0; i < 16; i++) statuses.push((await call(sim, '/admin/limits')).status)
      return statuses.join(',')
    }
    const first = await pattern(42)
    expect(first).toContain('502')
    expect(first).toContain('200')
    expect(await pattern(42)).toBe(first)
  })

  it.each([
    [false, 0],
    [true, 1]
  ])('resets before answering a create (process: %s → %i jobs)', async (process, jobs) => {
    const sim = await start({
      faults: [{ endpoint: 'create', times: 1, fault: { kind: 'reset-before-response', process } }]
    })
    await expect(
      call(sim, '/export/forecast/net_arr', { method: 'POST', body: {} })
    ).rejects.toThrow()
    expect(sim.jobs).toHaveLength(jobs)
    expect(sim.requests[0]!.fault).toBe('reset-before-response')
    expect(sim.requests[0]!.status).toBeUndefined()
    await createJob(sim) // the next request goes through
  })

  it.each(['reset-mid-body', 'short-body'] as const)(
    '%s breaks the body; unprocessed requests change nothing',
    async kind => {
      const sim = await start({
        faults: [
          { endpoint: 'create', times: 1, fault: { kind } },
          { endpoint: 'results', times: 1, fault: { kind } }
        ]
      })
      sim.addFault({ endpoint: 'results', times: 1, fault: { kind, process: true } })
      const failedCreate = await call(sim, '/export/forecast/net_arr', { method: 'POST', body: {} })
      expect(failedCreate.status).toBe(200)
      await expect(failedCreate.text()).rejects.toThrow()
      expect(sim.jobs).toHaveLength(0)
      const jobId = await createJob(sim)
      const results = () => call(sim, `/export/jobs/${jobId}/results`).then(r => r.text())
      await expect(results()).rejects.toThrow()
      expect(sim.jobs[0]!.downloads).toBe(0)
      await expect(results()).rejects.toThrow() // the process:true rule
      expect(sim.jobs[0]!.downloads).toBe(1)
      expect(sha256(await results())).toBe(sim.jobs[0]!.payloadSha256)
    }
  )

  it('hangs until the client gives up, and close() ends hung sockets promptly', async () => {
    const sim = await startClariSimulator({ faults: [{ fault: { kind: 'hang', process: true } }] })
    let closed = false
    try {
      // The client gives up once the simulator has handled the request, however long that takes.
      const giveUp = new AbortController()
      const created = call(sim, '/export/forecast/net_arr', {
        method: 'POST',
        body: {},
        signal: giveUp.signal
      })
      created.catch(() => {})
      await until(() => sim.jobs.length === 1)
      giveUp.abort()
      await expect(created).rejects.toThrow(/timeout|aborted/i)
      expect(sim.jobs).toHaveLength(1) // handled, answer never sent:
      expect(sim.requests.map(r => r.status)).toEqual([undefined])
      const hung = call(sim, '/admin/limits')
      hung.catch(() => {})
      await until(() => sim.requests.some(r => r.endpoint === 'limits'))
      const started = performance.now()
      await sim.close()
      closed = true
      await expect(hung).rejects.toThrow()
      expect(performance.now() - started).toBeLessThan(1_000)
    } finally {
      if (!closed) await sim.close()
    }
  })

  it('trickles the real body in timed chunks', async () => {
    const sim = await start({
      faults: [{ endpoint: 'limits', fault: { kind: 'trickle', chunkBytes: 40, intervalMs: 25 } }]
    })
    const started = performance.now()
    const { body } = await json(call(sim, '/admin/limits'))
    const elapsed = performance.now() - started
    expect(body.jobs.availableMonthlyQuota).toBe(1000)
    const chunks = Math.ceil(JSON.stringify(body).length / 40)
    expect(elapsed).toBeGreaterThanOrEqual((chunks - 1) * 25 - 5)
  })

  it('close() stops a trickle in progress', async () => {
    const sim = await startClariSimulator({
      faults: [{ fault: { kind: 'trickle', chunkBytes: 1, intervalMs: 1_000 } }]
    })
    const r = await call(sim, '/admin/limits')
    const body = r.text()
    body.catch(() => {})
    await sim.close()
    await expect(body).rejects.toThrow()
  })

  it('answers 200 with broken JSON', async () => {
    const sim = await start({ faults: [{ times: 1, fault: { kind: 'invalid-json' } }] })
    const r = await call(sim, '/export/forecast/net_arr', { method: 'POST', body: {} })
    expect(r.status).toBe(200)
    await expect(r.json()).rejects.toThrow(SyntaxError)
    expect(sim.jobs).toHaveLength(0)
  })

  it('reports an arbitrary status value on status GETs only', async () => {
    const sim = await start({
      faults: [{ times: 1, fault: { kind: 'status-value', status: 'RUNNING' } }]
    })
    const jobId = await createJob(sim) // not matched: status-value only applies to status GETs
    expect(await statusOf(sim, jobId)).toBe('RUNNING')
    expect(await statusOf(sim, jobId)).toBe('DONE')
  })

  it.each([
    ['follows the redirect with the key', 'follow' as const, true],
    ['re-requests without the key', 'manual' as const, false]
  ])(
    'redirects results to another origin; a client that %s is recorded',
    async (_n, redirect, saw) => {
      const sim = await start({ faults: [{ fault: { kind: 'redirect-other-origin' } }] })
      const jobId = await createJob(sim) // POSTs are never redirected
      let r = await call(sim, `/export/jobs/${jobId}/results`, { redirect })
      if (redirect === 'manual') {
        expect(r.status).toBe(302)
        const location = r.headers.get('location')!
        expect(new URL(location).origin).toBe(sim.otherOrigin)
        expect(new URL(location).origin).not.toBe(new URL(sim.url).origin)
        r = await fetch(location)
      }
      expect(await r.text()).toBe(forecastPayload('2024_Q1', 'net_arr'))
      expect(sim.otherOriginSawApiKey).toBe(saw)
      expect(sim.requests.at(-1)).toMatchObject({
        origin: 'other',
        endpoint: 'results',
        status: 200
      })
    }
  )
})

describe('generated payloads', () => {
  it('streams a generated payload chunked, of the exact size, hashable by the test', async () => {
    const bytes = 3 * 1024 * 1024 + 17
    const sim = await start({ plan: { payloadBytes: bytes } })
    const jobId = await createJob(sim, { timePeriod: '2025_Q2' })
    const r = await rawGet(`${sim.url}/export/jobs/${jobId}/results`, { apikey: sim.apiKey })
    expect(r.headers['transfer-encoding']).toBe('chunked')
    expect(r.headers['content-length']).toBeUndefined()
    expect(r.body.length).toBe(bytes)
    const payload = JSON.parse(r.body.toString('utf8'))
    expect(payload.timePeriods[0].timePeriodId).toBe('2025_Q2')
    expect(payload.entries.length).toBeGreaterThan(1000)
    const { forecastId, exportOptions } = sim.jobs[0]!
    const options = { forecastId, ...exportOptions }
    const expected = await sha256Stream(generatedPayloadStream('2025_Q2', bytes, options))
    expect(sha256(r.body)).toBe(expected)
    expect(sim.jobs[0]!.payloadSha256).toBe(expected)
  })

  it.each([0, 100, 5_000, 300_000])(
    'is valid JSON of generatedPayloadSize bytes (asked %i)',
    async bytes => {
      const chunks: Buffer[] = []
      for await (const c of generatedPayloadStream('2024_Q4', bytes)) chunks.push(c as Buffer)
      const text = Buffer.concat(chunks)
      expect(text.length).toBe(generatedPayloadSize('2024_Q4', bytes))
      expect(text.length).toBeGreaterThanOrEqual(bytes)
      expect(JSON.parse(text.toString()).timePeriods[0].timePeriodId).toBe('2024_Q4')
    }
  )

  it('puts timePeriods at the head so a streaming reader can check the period early', async () => {
    const head = (
      await generatedPayloadStream('2024_Q1', 10_000_000).take(1).toArray()
    )[0] as Buffer
    expect(head.toString()).toMatch(/^\{"timePeriods":\[\{"timePeriodId":"2024_Q1"/)
  })
})

describe('forecastPayload', () => {
  it.each([
    ['2024_Q1', '2024-01-01', '2024-03-31', 'TF:2024-01-01'],
    ['2024_Q3', '2024-07-01', '2024-09-30', 'TF:2024-07-01'],
    ['2026_Q1', '2026-01-01', '2026-03-31', 'TF:2025-12-29'] // week 1 starts before the quarter
  ])('describes %s (%s..%s, first week %s)', (period, startDate, endDate, firstWeek) => {
    const payload = JSON.parse(forecastPayload(period, 'net_arr', { includeHistorical: true }))
    expect(Object.keys(payload).sort()).toEqual([
      'entries',
      'fields',
      'timeFrames',
      'timePeriods',
      'users'
    ])
    expect(payload.timePeriods[0]).toMatchObject({ timePeriodId: period, startDate, endDate })
    const weeks = payload.timeFrames.map((f: { timeFrameId: string }) => f.timeFrameId).sort()
    expect(weeks[0]).toBe(firstWeek)
    expect(payload.entries.every((e: { timePeriodId: string }) => e.timePeriodId === period)).toBe(
      true
    )
    expect(payload.entries[0]).toMatchObject({
      userId: expect.any(String),
      fieldId: 'fc_net_commit',
      forecastValue: expect.any(Number)
    })
  })
})
