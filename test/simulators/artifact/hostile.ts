import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * Ways the artifact stack can hold on, as a hostile or broken service (or a proxy in between)
 * would: for the tests that prove a re-run's lookup of the earlier attempt ends when it says it
 * ends. Each service reads the mode at each request, so a test may switch it. These modes sit
 * apart from the services' rules: they answer before any of them is applied.
 */
export interface HostileModes {
  /** `ListArtifacts`: accept the call and answer nothing for this long, then list none. */
  holdListingMs?: number
  /** `ListArtifacts`: answer with this many artifacts, streamed as the client reads them. */
  floodListing?: number
  /** Blob GETs: the whole blob's headers, then its body `bytes` at a time every `everyMs`. */
  trickle?: { bytes: number; everyMs: number }
  /** One entry per hostile answer given, to see how soon the client let go of it. */
  readonly log: HostileAnswer[]
}

export interface HostileAnswer {
  mode: 'hold-listing' | 'flood-listing' | 'trickle'
  /** Body bytes sent before the client closed the connection (or the answer ended). */
  bytesSent: number
  startedAt: number
  /** When the connection closed: the client gave up, or the answer ended. */
  closedAt?: number
}

export function hostileModes(): HostileModes {
  return { log: [] }
}

/** Starts an answer's log entry, closed when its connection closes. */
function logged(modes: HostileModes, mode: HostileAnswer['mode'], res: ServerResponse) {
  const entry: HostileAnswer = { mode, bytesSent: 0, startedAt: performance.now() }
  modes.log.push(entry)
  res.once('close', () => (entry.closedAt = performance.now()))
  return entry
}

/** Holds `ListArtifacts` open, then lists none; true when it took the call. */
export function holdListing(
  modes: HostileModes,
  req: IncomingMessage,
  res: ServerResponse
): boolean {
  if (modes.holdListingMs === undefined) return false
  logged(modes, 'hold-listing', res)
  const timer = setTimeout(() => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"artifacts":[]}')
  }, modes.holdListingMs)
  // The client's abort (or the server closing) frees the timer: nothing outlives the test.
  res.once('close', () => clearTimeout(timer))
  req.resume()
  return true
}

/** Streams a `ListArtifacts` answer of `floodListing` artifacts; true when it took the call. */
export function floodListing(
  modes: HostileModes,
  req: IncomingMessage,
  res: ServerResponse
): boolean {
  const count = modes.floodListing
  if (count === undefined) return false
  const entry = logged(modes, 'flood-listing', res)
  req.resume()
  res.writeHead(200, { 'content-type': 'application/json' })
  let next = 0
  const write = (text: string): boolean => {
    entry.bytesSent += Buffer.byteLength(text)
    return res.write(text)
  }
  const pump = (): void => {
    while (next < count && !res.destroyed) {
      const artifact = JSON.stringify({
        workflow_run_backend_id: '00000000-0000-0000-0000-000000000000',
        workflow_job_run_backend_id: '00000000-0000-0000-0000-000000000001',
        database_id: String(next + 1),
        name: `flood-${next}`,
        size: '1024',
        created_at: '2026-05-15T12:00:00.000Z'
      })
      const more = write(`${next === 0 ? '{"artifacts":[' : ','}${artifact}`)
      next++
      if (!more) return void res.once('drain', pump)
    }
    if (res.destroyed) return
    write(']}')
    res.end()
  }
  pump()
  return true
}

/** Sends a blob's body slowly; true when it took the GET. */
export function trickleBlob(
  modes: HostileModes,
  res: ServerResponse,
  blob: { data: Buffer; contentType: string }
): boolean {
  const trickle = modes.trickle
  if (!trickle) return false
  const entry = logged(modes, 'trickle', res)
  res.writeHead(200, { 'content-type': blob.contentType, 'content-length': blob.data.length })
  const timer = setInterval(() => {
    const chunk = blob.data.subarray(entry.bytesSent, entry.bytesSent + trickle.bytes)
    entry.bytesSent += chunk.length
    if (entry.bytesSent >= blob.data.length) {
      clearInterval(timer)
      return void res.end(chunk)
    }
    res.write(chunk)
  }, trickle.everyMs)
  res.once('close', () => clearInterval(timer))
  return true
}
