import type { Readable } from 'node:stream'
import type { RetryBudget } from '../retry/budget.js'
import type { Clock, Random } from '../retry/clock.js'
import { classifyStatus, SWW_CODE, SWW_MAX_RETRIES } from '../retry/classify.js'
import { parseRetryAfter, type RetryAfterHint } from '../retry/retry-after.js'
import { withRetries, type RetryLimits, type RetryWait, type Verdict } from '../retry/retry.js'
import {
  AmbiguousCreateError,
  ClariApiError,
  InvalidResponseError,
  NetworkError
} from './errors.js'
import { Transport, type TransportResponse } from './transport.js'
import type { ClariErrorBody, CreateExportBody, ExportJob, ExportLimits } from './types.js'
import { cleanServerText } from './untrusted-text.js'

export interface ClariClientOptions {
  /** e.g. https://api.clari.com/v4 */
  apiUrl: string
  apiKey: string
  requestTimeoutMs: number
  clock: Clock
  random: Random
  budget: RetryBudget
  limits: RetryLimits
  /** Pause between consecutive requests (Clari allows 100/s; we stay far below). */
  minRequestSpacingMs?: number
}

/** Per-call context: the run's cancellation, the deadline of the job at hand, and a wait observer. */
export interface CallContext {
  signal: AbortSignal
  deadline: number
  onWait?: (wait: RetryWait) => void
}

export interface JobStatusReply {
  job: ExportJob
  /** A Retry-After on a 2xx status answer: the server's own hint for the next poll. */
  retryAfter?: RetryAfterHint
}

type Method = 'GET' | 'POST' | 'PATCH'
const MAX_JSON_BYTES = 4 * 1024 * 1024
const DEFAULT_SPACING_MS = 200

/** Clari's export API: one method per endpoint, each retried by policy R. */
export class ClariClient {
  private readonly transport: Transport
  private readonly base: string
  private lastRequestAt = -Infinity
  /** HTTP attempts made, throttled and failed ones included. */
  requestCount = 0

  constructor(private readonly options: ClariClientOptions) {
    this.transport = new Transport(() => options.clock.wallNow())
    this.base = options.apiUrl.replace(/\/+$/, '')
  }

  /**
   * Creates an export job. Repeated only when the POST provably was not processed (429, 503,
   * connection refused); any other doubt surfaces as AmbiguousCreateError for reconciliation.
   */
  async createExport(
    forecastId: string,
    body: CreateExportBody,
    ctx: CallContext
  ): Promise<string> {
    const sentAt = this.options.clock.wallNow()
    const path = `/export/forecast/${encodeURIComponent(forecastId)}`
    try {
      const reply = await this.retrying(ctx, classifyCreate, async () => {
        const res = await this.sendJson('POST', path, 'create export', ctx, JSON.stringify(body))
        return readJson<{ jobId?: unknown; job?: { id?: unknown; jobId?: unknown } }>(res)
      })
      const jobId = reply.jobId ?? reply.job?.jobId ?? reply.job?.id
      if (typeof jobId !== 'string' || jobId === '') {
        throw new InvalidResponseError('create export: the answer holds no jobId')
      }
      return cleanServerText(jobId, 100)
    } catch (error) {
      if (isAmbiguous(error)) throw new AmbiguousCreateError(error as Error, sentAt)
      throw error
    }
  }

  async getJob(jobId: string, ctx: CallContext): Promise<JobStatusReply> {
    return this.retrying(ctx, classifyGet, async () => {
      const res = await this.sendJson('GET', jobPath(jobId), 'job status', ctx)
      const body = await readJson<{ job?: ExportJob } & ExportJob>(res)
      const job = (body.job ?? body) as ExportJob
      const raw = res.headers['retry-after']
      const retryAfter =
        raw === undefined ? undefined : parseRetryAfter(raw, retryAfterContext(res))
      return { job: { ...job, status: cleanServerText(job.status, 40) || undefined }, retryAfter }
    })
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
    return this.retrying(ctx, classifyGet, async () => {
      const res = await this.send('GET', `${jobPath(jobId)}/results`, ctx.signal)
      await throwUnlessOk(res, 'download results')
      return consume(res.body, res.headers['content-type'])
    })
  }

  /** Cancels a job; a job that already finished is not an error here. */
  async cancelJob(jobId: string, ctx: CallContext): Promise<'cancelled' | 'already-finished'> {
    try {
      await this.retrying(ctx, classifyGet, async () => {
        const res = await this.sendJson(
          'PATCH',
          jobPath(jobId),
          'cancel job',
          ctx,
          '{"type":"CANCEL"}'
        )
        res.body.resume()
      })
      return 'cancelled'
    } catch (error) {
      if (error instanceof ClariApiError && error.code === 'export_failed_to_cancel') {
        return 'already-finished'
      }
      throw error
    }
  }

  async getLimits(ctx: CallContext): Promise<ExportLimits> {
    return this.retrying(ctx, classifyGet, async () => {
      const res = await this.sendJson('GET', '/admin/limits', 'read export limits', ctx)
      const body = await readJson<{ jobs?: ExportLimits }>(res)
      return body.jobs ?? {}
    })
  }

  /** The jobs of the token's user. Clari documents a bare array; some sources say `{jobs: [...]}`. */
  async listJobs(ctx: CallContext): Promise<ExportJob[]> {
    return this.retrying(ctx, classifyGet, async () => {
      const res = await this.sendJson('GET', '/export/jobs', 'list export jobs', ctx)
      const body = await readJson<ExportJob[] | { jobs?: ExportJob[] }>(res)
      const jobs = Array.isArray(body) ? body : body.jobs
      if (!Array.isArray(jobs)) throw new InvalidResponseError('list export jobs: not a list')
      return jobs
    })
  }

  close(): void {
    this.transport.close()
  }

  private retrying<T>(
    ctx: CallContext,
    classify: (error: unknown) => Verdict,
    attempt: () => Promise<T>
  ): Promise<T> {
    const { clock, random, budget, limits } = this.options
    return withRetries(attempt, classify, { clock, random, budget, limits, ...ctx })
  }

  /** One JSON exchange, bounded as a whole by the request timeout. */
  private async sendJson(
    method: Method,
    path: string,
    operation: string,
    ctx: CallContext,
    body?: string
  ): Promise<TransportResponse> {
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(this.options.requestTimeoutMs)])
    const res = await this.send(method, path, signal, body)
    await throwUnlessOk(res, operation)
    return res
  }

  private async send(
    method: Method,
    path: string,
    signal: AbortSignal,
    body?: string
  ): Promise<TransportResponse> {
    const { clock, apiKey, requestTimeoutMs } = this.options
    const spacing = this.options.minRequestSpacingMs ?? DEFAULT_SPACING_MS
    const gap = this.lastRequestAt + spacing - clock.now()
    if (gap > 0) await clock.sleep(gap, signal)
    this.lastRequestAt = clock.now()
    this.requestCount++
    const headers: Record<string, string> = {
      apikey: apiKey,
      accept: 'application/json',
      'user-agent': 'clari-forecast-export-action'
    }
    if (body !== undefined) headers['content-type'] = 'application/json'
    return this.transport.send({
      method,
      url: new URL(this.base + path),
      headers,
      secretHeader: 'apikey',
      body,
      signal,
      idleTimeoutMs: requestTimeoutMs
    })
  }
}

function jobPath(jobId: string): string {
  return `/export/jobs/${encodeURIComponent(jobId)}`
}

function retryAfterContext(res: TransportResponse): { receivedAt: number; dateHeader?: string } {
  return { receivedAt: res.receivedAt, dateHeader: res.headers.date }
}

async function throwUnlessOk(res: TransportResponse, operation: string): Promise<void> {
  if (res.status >= 200 && res.status < 300) return
  const text = await readText(res, 64 * 1024).catch(() => '')
  let body: ClariErrorBody | undefined
  try {
    const parsed: unknown = JSON.parse(text)
    if (parsed && typeof parsed === 'object') body = parsed as ClariErrorBody
  } catch {
    body = text ? { message: text } : undefined
  }
  const retryAfter =
    classifyStatus(res.status) === 'throttle'
      ? parseRetryAfter(res.headers['retry-after'], retryAfterContext(res))
      : undefined
  throw new ClariApiError(res.status, operation, body, retryAfter)
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

async function readJson<T>(res: TransportResponse): Promise<T> {
  const text = await readText(res, MAX_JSON_BYTES)
  try {
    return JSON.parse(text) as T
  } catch {
    throw new InvalidResponseError(`HTTP ${res.status} with a body that is not JSON`)
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
}

function classifyGet(error: unknown): Verdict {
  if (error instanceof ClariApiError) {
    const kind = classifyStatus(error.status)
    if (kind === 'throttle')
      return { kind, hint: error.retryAfter ?? { kind: 'none', reason: 'absent' } }
    if (kind === 'transient') return { kind }
    if (error.status === 400 && error.code === SWW_CODE) {
      return { kind: 'transient', maxRetries: SWW_MAX_RETRIES }
    }
    return { kind: 'fatal' }
  }
  if (error instanceof NetworkError || error instanceof InvalidResponseError || isTimeout(error)) {
    return { kind: 'transient' }
  }
  return { kind: 'fatal' }
}

/** A POST is repeated only when it provably was not processed. */
function classifyCreate(error: unknown): Verdict {
  if (error instanceof ClariApiError && classifyStatus(error.status) === 'throttle') {
    return classifyGet(error)
  }
  if (error instanceof NetworkError && !error.sent) return { kind: 'transient' }
  return { kind: 'fatal' }
}

function isAmbiguous(error: unknown): boolean {
  if (error instanceof ClariApiError) return classifyStatus(error.status) === 'transient'
  return (
    (error instanceof NetworkError && error.sent) ||
    error instanceof InvalidResponseError ||
    isTimeout(error)
  )
}
