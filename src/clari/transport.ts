import http from 'node:http'
import https from 'node:https'
import { HttpClient } from '@actions/http-client'
import { NetworkError } from './errors.js'

export interface TransportRequest {
  method: 'GET' | 'POST' | 'PATCH'
  url: URL
  headers: Record<string, string>
  /** Header that must never leave the API's origin (Clari's `apikey`). */
  secretHeader: string
  body?: string
  signal: AbortSignal
  /** The socket may stay silent this long before the attempt fails. */
  idleTimeoutMs: number
}

export interface TransportResponse {
  status: number
  headers: http.IncomingHttpHeaders
  body: http.IncomingMessage
  /** Wall-clock time the headers arrived (Retry-After counts from receipt). */
  receivedAt: number
}

const MAX_REDIRECTS = 5
const REDIRECTS = new Set([301, 302, 303, 307, 308])
// Failures that happen before the request reaches the server: safe to repeat even a POST.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH'
])

/**
 * Sends HTTP requests over keep-alive agents from @actions/http-client (which honour the runner's
 * proxy variables), with an AbortSignal and an idle timeout on every attempt, which that
 * library's own request methods do not offer. Redirects are followed for GETs only, and the
 * secret header is dropped when a redirect leaves the origin (the library strips only
 * `Authorization`).
 */
export class Transport {
  private readonly agents = new HttpClient('clari-forecast-export-action', [], { keepAlive: true })

  constructor(private readonly wallNow: () => number = Date.now) {}

  async send(request: TransportRequest): Promise<TransportResponse> {
    let current = request
    for (let hop = 0; ; hop++) {
      const response = await this.sendOnce(current)
      const location = response.headers.location
      if (current.method !== 'GET' || !REDIRECTS.has(response.status) || !location) return response
      response.body.resume()
      if (hop >= MAX_REDIRECTS) throw new NetworkError('too many redirects', 'EREDIRECT', true)
      const next = new URL(location, current.url)
      if (current.url.protocol === 'https:' && next.protocol !== 'https:') {
        throw new NetworkError('refused a redirect from https to http', 'EREDIRECT', true)
      }
      const headers = { ...current.headers }
      if (next.origin !== request.url.origin) delete headers[current.secretHeader]
      current = { ...current, url: next, headers }
    }
  }

  close(): void {
    this.agents.dispose()
  }

  private sendOnce(r: TransportRequest): Promise<TransportResponse> {
    return new Promise((resolve, reject) => {
      const lib = r.url.protocol === 'https:' ? https : http
      const headers: Record<string, string> = { ...r.headers }
      if (r.body !== undefined) headers['content-length'] = String(Buffer.byteLength(r.body))
      let sent = false
      const req = lib.request(r.url, {
        method: r.method,
        headers,
        agent: this.agents.getAgent(r.url.href),
        signal: r.signal
      })
      req.setTimeout(r.idleTimeoutMs, () => {
        req.destroy(new NetworkError(`no data for ${r.idleTimeoutMs} ms`, 'ETIMEDOUT', sent))
      })
      req.on('finish', () => (sent = true))
      req.on('error', error => reject(toNetworkError(error, sent, r.signal)))
      req.on('response', res => {
        // A body that breaks later surfaces as a NetworkError on the stream the caller reads.
        res.on('aborted', () =>
          res.destroy(new NetworkError('response body cut short', 'ECONNRESET', true))
        )
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: res,
          receivedAt: this.wallNow()
        })
      })
      req.end(r.body)
    })
  }
}

function toNetworkError(error: Error, sent: boolean, signal: AbortSignal): Error {
  if (signal.aborted) return signal.reason instanceof Error ? signal.reason : error
  if (error instanceof NetworkError) return error
  const code = (error as NodeJS.ErrnoException).code
  return new NetworkError(error.message, code, sent && !NOT_SENT_CODES.has(code ?? ''))
}
