import type { Readable } from 'node:stream'
import type { RetryBudget } from '../retry/budget.js'
import { whileBusy, type Clock, type Random } from '../base/clock.js'
import { parseHttpDate } from '../retry/http-date.js'
import { parseRetryAfter, type RetryAfterHint } from '../retry/retry-after.js'
import {
  chargesBudget,
  DEFAULT_RETRY_LIMITS,
  withRetries,
  type RetryLimits,
  type RetryWait
} from '../retry/retry.js'
import { readJob, readJobList, readLimits } from './answers.js'
import {
  AmbiguousCreateError,
  ClariApiError,
  InterruptedCreateError,
  InvalidResponseError
} from './errors.js'
import { retryRule, type Endpoint } from './retry-rules.js'
import { Transport, type TransportResponse } from './transport.js'
import {
  isJobId,
  type ClariErrorBody,
  type CreateExportBody,
  type ExportJob,
  type ExportLimits
} from './types.js'
import { withoutSecret } from './untrusted-text.js'

/**
 * The client's part of a run's settings (`ExportConfig.clari`): validated before the first
 * request and taken as is, so an HTTP-level input goes from the settings straight to here.
 */
export interface ClariClientConfig {
  /** e.g. https://api.clari.com/v4 (input api-url). */
  apiUrl: string
  /** Sent as the `apikey` header, and masked in everything the client parses (input api-key). */
  apiKey: string
  /** Per HTTP attempt (input request-timeout). */
  requestTimeoutMs: number
  /** A server-requested wait above this fails at once instead of parking the runner. */
  maxRetryAfterMs: number
}

/** What the client runs on: the run's clock, randomness and retry budget. */
export interface ClariClientDeps {
  clock: Clock
  random: Random
  budget: RetryBudget
  /** Pause between consecutive requests (Clari allows 100/s; we stay far below). */
  minRequestSpacingMs?: number
}

/** Per-call context: the run's cancellation, the deadline of the job at hand, and a wait observer. */
export interface CallContext {
  signal: AbortSignal
  deadline: number
  onWait?: (wait: RetryWait) => void
  /**
   * One attempt, no waits: for callers that keep trying on their own schedule (the poll loop,
   * the download of a finished job). The failure still counts towards the run's retry budget.
   */
  once?: boolean
}

export interface JobStatusReply {
  job: ExportJob
  /** A Retry-After on a 2xx status answer: the server's own hint for the next poll. */
  retryAfter?: RetryAfterHint
}

type Method = 'GET' | 'POST' | 'PATCH'
/** What each endpoint's errors call the request. */
const OPERATIONS: Record<Endpoint, string> = {
  create: 'create export',
  status: 'job status',
  results: 'download results',
  cancel: 'cancel job',
  limits: 'read export limits',
  list: 'list export jobs'
}
const MAX_JSON_BYTES = 4 * 1024 * 1024
const MAX_ERROR_BYTES = 64 * 1024
const DEFAULT_SPACING_MS = 200

/**
 * Clari's export API (docs/clari-api.md#endpoints): one method per endpoint, each retried by
 * layer 1 of docs/retry-policy.md as the table of retry rules (retry-rules.ts) says.
 */
export class ClariClient {
  private readonly transport: Transport
  private readonly base: string
  /** Earliest time the next request may go out: spacing, and a throttle the server asked for. */
  private nextSendAt = -Infinity
  private throttledUntil = -Infinity
  /** HTTP attempts made, throttled and failed ones included. */
  requestCount = 0
  /**
   * The least the server's clock is ahead of ours (negative: behind), from the `Date` header of
   * the latest answer: a Date is cut to the second and was stamped before the answer arrived, so
   * the true offset is at least the Date minus our receipt time. Undefined until a Date is seen.
   */
  serverClockAheadMs?: number

  private readonly limits: RetryLimits

  constructor(
    private readonly config: ClariClientConfig,
    private readonly deps: ClariClientDeps
  ) {
    this.transport = new Transport(() => deps.clock.wallNow())
    this.base = config.apiUrl.replace(/\/+$/, '')
    this.limits = { ...DEFAULT_RETRY_LIMITS, maxRetryAfterMs: config.maxRetryAfterMs }
  }

  /**
   * Creates an export job. Repeated only when the POST provably was not processed (429, 503,
   * connection refused); an answer the rules reconcile surfaces as AmbiguousCreateError.
   */
  async createExport(
    forecastId: string,
    body: CreateExportBody,
    ctx: CallContext
  ): Promise<string> {
    const sentAt = this.deps.clock.wallNow()
    const path = `/export/forecast/${encodeURIComponent(forecastId)}`
    let sent = false
    try {
      const reply = await this.retrying(ctx, 'create', () =>
        this.exchangeJson<{ jobId?: unknown; job?: { id?: unknown; jobId?: unknown } }>(
          'POST',
          path,
          'create',
          ctx,
          { body: JSON.stringify(body), onSend: () => (sent = true) }
        )
      )
      const jobId = reply.jobId ?? reply.job?.jobId ?? reply.job?.id
      // Unreadable, so the job may exist all the same: reconciled like any unknown outcome.
      if (!isJobId(jobId)) throw new InvalidResponseError('create export: no valid jobId')
      return jobId
    } catch (error) {
      if (ctx.signal.aborted && sent) throw new InterruptedCreateError(sentAt, { cause: error })
      if (retryRule('create', error).verdict === 'reconcile') {
        throw new AmbiguousCreateError(error as Error, sentAt)
      }
      throw error
    }
  }

  async getJob(jobId: string, ctx: CallContext): Promise<JobStatusReply> {
    return this.retrying(ctx, 'status', () =>
      this.exchange('GET', jobPath(jobId), 'status', ctx, async res => {
        await this.throwUnlessOk(res, 'status')
        const body = await this.readJson<{ job?: unknown } | null>(res)
        if (!body || typeof body !== 'object') throw new InvalidResponseError('job status: no job')
        const job = readJob(body.job ?? body)
        const raw = res.headers['retry-after']
        const retryAfter =
          raw === undefined ? undefined : parseRetryAfter(raw, retryAfterContext(res))
        return { job, retryAfter }
      })
    )
  }

  /**
   * Streams the results to `consume`. A broken transfer is retried from the start, so `consume`
   * must begin afresh on every call; errors it throws itself are final.
   */
  async downloadResults<T>(
    jobId: string,
    consume: (body: Readable, contentType: string | undefined) => Promise<T>,
    ctx: CallContext
  ): Promise<T> {
    return this.retrying(ctx, 'results', () =>
      this.exchange(
        'GET',
        `${jobPath(jobId)}/results`,
        'results',
        ctx,
        async res => {
          await this.throwUnlessOk(res, 'results')
          return consume(res.body, res.headers['content-type'])
        },
        { streamed: true }
      )
    )
  }

  /** Cancels a job; a job that already finished is not an error here. */
  async cancelJob(jobId: string, ctx: CallContext): Promise<'cancelled' | 'already-finished'> {
    try {
      await this.retrying(ctx, 'cancel', () =>
        this.exchange(
          'PATCH',
          jobPath(jobId),
          'cancel',
          ctx,
          async res => {
            await this.throwUnlessOk(res, 'cancel')
            res.body.resume()
          },
          { body: '{"type":"CANCEL"}', urgent: true }
        )
      )
      return 'cancelled'
    } catch (error) {
      if (retryRule('cancel', error).verdict === 'done') return 'already-finished'
      throw error
    }
  }

  async getLimits(ctx: CallContext): Promise<ExportLimits> {
    return this.retrying(ctx, 'limits', async () => {
      const body = await this.exchangeJson<unknown>('GET', '/admin/limits', 'limits', ctx)
      return readLimits(body)
    })
  }

  /** The jobs of the token's user. Clari documents a bare array; some sources say `{jobs: [...]}`. */
  async listJobs(ctx: CallContext): Promise<ExportJob[]> {
    return this.retrying(ctx, 'list', async () => {
      const body = await this.exchangeJson<unknown>('GET', '/export/jobs', 'list', ctx)
      return readJobList(body)
    })
  }

  close(): void {
    this.transport.close()
  }

  private async retrying<T>(
    ctx: CallContext,
    endpoint: Endpoint,
    attempt: () => Promise<T>
  ): Promise<T> {
    const { clock, random, budget } = this.deps
    const { limits } = this
    const classify = (error: unknown) => retryRule(endpoint, error)
    if (!ctx.once) return withRetries(attempt, classify, { clock, random, budget, limits, ...ctx })
    try {
      const result = await attempt()
      budget.recordSuccess()
      return result
    } catch (error) {
      if (!ctx.signal.aborted && chargesBudget(classify(error))) budget.recordFailure()
      throw error
    }
  }

  /** One JSON exchange, bounded as a whole by the request timeout. */
  private exchangeJson<T>(
    method: Method,
    path: string,
    endpoint: Endpoint,
    ctx: CallContext,
    options: { body?: string; onSend?: () => void } = {}
  ): Promise<T> {
    return this.exchange(
      method,
      path,
      endpoint,
      ctx,
      async res => {
        await this.throwUnlessOk(res, endpoint)
        return this.readJson<T>(res)
      },
      options
    )
  }

  /** Every JSON answer is parsed here, with the key masked should a hostile server echo it. */
  private async readJson<T>(res: TransportResponse): Promise<T> {
    const text = await readText(res, MAX_JSON_BYTES)
    try {
      return withoutSecret(JSON.parse(text) as T, this.config.apiKey)
    } catch {
      throw new InvalidResponseError(`HTTP ${res.status} with a body that is not JSON`)
    }
  }

  private async throwUnlessOk(res: TransportResponse, endpoint: Endpoint): Promise<void> {
    if (res.status >= 200 && res.status < 300) return
    const text = await readText(res, MAX_ERROR_BYTES).catch(() => '')
    let body: ClariErrorBody | undefined
    try {
      const parsed: unknown = JSON.parse(text)
      // Stryker disable next-line ConditionalExpression,LogicalOperator: a JSON value that is no object (null, 42, "x") has no message, code or errorId, so taken as the body it says what no body says
      if (parsed && typeof parsed === 'object') body = parsed as ClariErrorBody
    } catch {
      body = text ? { message: text } : undefined // e.g. a proxy's HTML error page
    }
    const clean = body && withoutSecret(body, this.config.apiKey)
    const error = new ClariApiError(res.status, OPERATIONS[endpoint], clean)
    if (retryRule(endpoint, error).verdict !== 'throttle') throw error
    // A throttle: the same answer again, with the wait the server asked for.
    const retryAfter = parseRetryAfter(res.headers['retry-after'], retryAfterContext(res))
    // Clari's rate limit is per key: every request of the run holds off, not just this one.
    if (retryAfter.kind === 'delay' && retryAfter.ms <= this.config.maxRetryAfterMs) {
      this.throttledUntil = Math.max(this.throttledUntil, this.deps.clock.now() + retryAfter.ms)
    }
    throw new ClariApiError(res.status, OPERATIONS[endpoint], clean, retryAfter)
  }

  /**
   * One request and the reading of its answer. Requests of the whole run are spaced and held
   * back together while the server throttles; the exchange itself is marked busy on the clock.
   */
  private async exchange<T>(
    method: Method,
    path: string,
    endpoint: Endpoint,
    ctx: CallContext,
    read: (res: TransportResponse) => Promise<T>,
    options: { body?: string; streamed?: boolean; urgent?: boolean; onSend?: () => void } = {}
  ): Promise<T> {
    const { clock } = this.deps
    const { apiKey, requestTimeoutMs } = this.config
    await this.pace(ctx.signal, options.urgent)
    this.requestCount++
    options.onSend?.()
    const headers: Record<string, string> = {
      apikey: apiKey,
      accept: 'application/json',
      'user-agent': 'clari-forecast-export-action'
    }
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    return whileBusy(clock, async () => {
      const res = await this.transport.send({
        method,
        operation: OPERATIONS[endpoint],
        url: new URL(this.base + path),
        headers,
        secretHeader: 'apikey',
        body: options.body,
        signal: ctx.signal,
        idleTimeoutMs: requestTimeoutMs,
        // JSON answers are small: the request timeout bounds the whole exchange, not just silence.
        totalTimeoutMs: options.streamed ? undefined : requestTimeoutMs
      })
      this.noteServerClock(res)
      return read(res)
    })
  }

  private noteServerClock(res: TransportResponse): void {
    const date = res.headers.date
    const serverAt = date === undefined ? undefined : parseHttpDate(date, res.receivedAt)
    if (serverAt !== undefined) this.serverClockAheadMs = serverAt - res.receivedAt
  }

  /**
   * Waits for this request's turn: each waiter checks again when it wakes, and the one that goes
   * moves the next send time on, so requests leave at least the spacing apart. An urgent request
   * (a cancel, which frees quota within the runner's grace) ignores the throttle hold.
   */
  private async pace(signal: AbortSignal, urgent = false): Promise<void> {
    const { clock } = this.deps
    const spacing = this.deps.minRequestSpacingMs ?? DEFAULT_SPACING_MS
    for (;;) {
      const hold = urgent ? -Infinity : this.throttledUntil
      const at = Math.max(clock.now(), this.nextSendAt, hold)
      if (at <= clock.now()) break
      await clock.sleep(at - clock.now(), signal)
    }
    this.nextSendAt = clock.now() + spacing
  }
}

function jobPath(jobId: string): string {
  return `/export/jobs/${encodeURIComponent(jobId)}`
}

function retryAfterContext(res: TransportResponse): { receivedAt: number; dateHeader?: string } {
  return { receivedAt: res.receivedAt, dateHeader: res.headers.date }
}

async function readText(res: TransportResponse, limit: number): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > limit) {
      res.body.destroy()
      throw new InvalidResponseError(`response larger than ${limit} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
