import http from 'node:http'
import https from 'node:https'
import { PassThrough, type Readable } from 'node:stream'
import { HttpClient } from '@actions/http-client'
import { DeadlineError, linkedAbort, type LinkedAbort } from '../base/abort.js'
import { systemClock } from '../base/clock.js'
import { NetworkError } from './errors.js'

export interface TransportRequest {
  method: 'GET' | 'POST' | 'PATCH'
  /** What the request is for, e.g. "job status"; it starts every network error message. */
  operation: string
  url: URL
  headers: Record<string, string>
  /** Header that must never leave the API's origin (Clari's `apikey`). */
  secretHeader: string
  body?: string
  /** The run's cancellation: its reason is what a cancelled request fails with. */
  signal: AbortSignal
  /** The socket may stay silent this long before the attempt fails. */
  idleTimeoutMs: number
  /** Bound on the whole exchange, body included (JSON answers); none for streamed downloads. */
  totalTimeoutMs?: number
}

export interface TransportResponse {
  status: number
  headers: http.IncomingHttpHeaders
  /** Fails only with NetworkError, or with the signal's reason when the signal aborted. */
  body: Readable
  /** Wall-clock time the headers arrived (Retry-After counts from receipt). */
  receivedAt: number
}

const MAX_REDIRECTS = 5
const REDIRECTS = new Set([301, 302, 303, 307, 308])
// Failures that happen before the request reaches the server: safe to repeat even a POST.
const NOT_SENT_CODES = new Set([
  // Stryker disable StringLiteral: a second guard; Node reports a request finished only once its socket connected, so each of these comes with `sent` still false
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH'
])
// Stryker restore StringLiteral

/**
 * Sends HTTP requests over keep-alive agents from @actions/http-client (which honour the runner's
 * proxy variables), with an AbortSignal and an idle timeout on every attempt, which that
 * library's own request methods do not offer. Redirects are followed for GETs only, and the
 * secret header is dropped when a redirect leaves the origin (the library strips only
 * `Authorization`).
 */
export class Transport {
  // Stryker disable next-line StringLiteral: the library's user agent goes only on its own request methods, never used here (the client sets the header)
  private readonly agents = new HttpClient('clari-forecast-export-action', [], { keepAlive: true })

  constructor(private readonly wallNow: () => number = Date.now) {}

  async send(request: TransportRequest): Promise<TransportResponse> {
    const { totalTimeoutMs } = request
    // Real time, whatever clock the caller runs on: sockets do not wait for a virtual clock.
    const total =
      totalTimeoutMs === undefined
        ? undefined
        : linkedAbort(request.signal, {
            clock: systemClock,
            at: systemClock.now() + totalTimeoutMs
          })
    try {
      const response = await this.follow(request, total)
      // The bound lasts until the body has been read (or abandoned), then its timer goes.
      if (total) response.body.once('close', total.dispose)
      return response
    } catch (error) {
      total?.dispose()
      throw error
    }
  }

  close(): void {
    this.agents.dispose()
  }

  private async follow(request: TransportRequest, total?: LinkedAbort): Promise<TransportResponse> {
    let current = request
    for (let hop = 0; ; hop++) {
      const response = await this.sendOnce(current, total)
      const location = response.headers.location
      if (current.method !== 'GET' || !REDIRECTS.has(response.status) || !location) return response
      response.body.resume()
      if (hop >= MAX_REDIRECTS) {
        throw new NetworkError(`${request.operation}: too many redirects`, 'EREDIRECT', true)
      }
      const next = new URL(location, current.url)
      if (current.url.protocol === 'https:' && next.protocol !== 'https:') {
        const problem = 'refused a redirect from https to http'
        throw new NetworkError(`${request.operation}: ${problem}`, 'EREDIRECT', true)
      }
      const headers = { ...current.headers }
      if (next.origin !== request.url.origin) delete headers[current.secretHeader]
      current = { ...current, url: next, headers }
    }
  }

  private sendOnce(r: TransportRequest, total?: LinkedAbort): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const lib = r.url.protocol === 'https:' ? https : http
      const headers: Record<string, string> = { ...r.headers }
      if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body))
      let sent = false
      let idle: NetworkError | undefined
      const failure = (error: Error): Error => toNetworkError(idle ?? error, sent, r, total)
      const req = lib.request(r.url, {
        method: r.method,
        headers,
        agent: this.agents.getAgent(r.url.href),
        signal: total?.controller.signal ?? r.signal
      })
      req.setTimeout(r.idleTimeoutMs, () => {
        idle = new NetworkError(
          `${r.operation}: no data for ${r.idleTimeoutMs} ms`,
          'ETIMEDOUT',
          sent
        )
        req.destroy(idle)
      })
      req.on('finish', () => (sent = true))
      req.on('error', error => reject(failure(error)))
      req.on('response', res =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: guardBody(res, failure),
          receivedAt: this.wallNow()
        })
      )
      req.end(r.body)
    })
  }
}

/**
 * Node fails a body that breaks off with a bare Error('aborted'), or just closes it; callers
 * need to tell a broken transfer (retryable) from their own errors, so the body they read fails
 * with a typed error instead.
 */
function guardBody(res: http.IncomingMessage, failure: (error: Error) => Error): Readable {
  const body = new PassThrough()
  const cutShort = Object.assign(new Error('the response broke off before its end'), {
    code: 'ECONNRESET'
  })
  const fail = (): void => void body.destroy(failure(cutShort))
  // Stryker disable next-line StringLiteral: each of the two handlers catches a broken transfer alone (Node emits the body's error only to a listener, and closes it incomplete after)
  res.on('error', fail)
  // Stryker disable next-line StringLiteral,BlockStatement: each of the two handlers catches a broken transfer alone (an incomplete body also fails with 'aborted' when listened to)
  res.on('close', () => {
    if (!res.complete) fail()
  })
  body.on('close', () => {
    // Stryker disable next-line ConditionalExpression: destroying an answer read to its end is harmless (Node then keeps its socket for reuse)
    if (!res.complete) res.destroy()
  })
  return res.pipe(body)
}

function toNetworkError(
  error: Error,
  sent: boolean,
  r: TransportRequest,
  total: LinkedAbort | undefined
): Error {
  if (r.signal.aborted) return r.signal.reason instanceof Error ? r.signal.reason : error
  if (error instanceof NetworkError) return error
  if (total?.controller.signal.reason instanceof DeadlineError) {
    const problem = `no complete answer within ${r.totalTimeoutMs} ms`
    return new NetworkError(`${r.operation}: ${problem}`, 'ETIMEDOUT', sent)
  }
  const code = (error as NodeJS.ErrnoException).code
  const message = `${r.operation}: ${error.message}`
  // Stryker disable next-line StringLiteral: an error without a code matches no entry, whatever stands in for it; the '' only satisfies the type
  return new NetworkError(message, code, sent && !NOT_SENT_CODES.has(code ?? ''))
}
