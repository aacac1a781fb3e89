import { once } from 'node:events'
import type { ServerResponse } from 'node:http'
import { pipeline } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import type { SimResponse } from './responses.js'

/** Where an answer goes: the response, the sim-clock Date, and who wants to know the status. */
export interface Wire {
  res: ServerResponse
  /** Undefined: the answer carries no Date header at all (not even Node's own). */
  date: string | undefined
  onStatus(status: number): void
  /** Aborted when the simulator closes. */
  signal: AbortSignal
}

// How much of a streamed body a partial delivery sends before failing.
const STREAM_PREFIX_BYTES = 64 * 1024

function writeHead(wire: Wire, r: SimResponse, extra: Record<string, string | number> = {}): void {
  wire.onStatus(r.status)
  if (wire.date === undefined) wire.res.sendDate = false
  const date = wire.date === undefined ? {} : { Date: wire.date }
  wire.res.writeHead(r.status, { ...date, ...r.headers, ...extra })
}

function lengthHeader(r: SimResponse): Record<string, number> {
  return Buffer.isBuffer(r.body) ? { 'Content-Length': r.body.length } : {}
}

export function send(wire: Wire, r: SimResponse): void {
  writeHead(wire, r, lengthHeader(r))
  if (Buffer.isBuffer(r.body)) wire.res.end(r.body)
  // No Content-Length: Node sends streamed bodies chunked. Errors mean the client went away.
  else pipeline(r.body, wire.res, () => {})
}

/** Drops an answer nobody will receive (the request was processed, the answer is lost). */
export function discard(r: SimResponse): void {
  if (!Buffer.isBuffer(r.body)) r.body.destroy()
}

export function resetSocket(wire: Wire): void {
  wire.res.socket?.destroy()
}

async function prefixOf(r: SimResponse): Promise<Buffer> {
  if (Buffer.isBuffer(r.body)) return r.body.subarray(0, Math.ceil(r.body.length / 2))
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of r.body) {
    parts.push(chunk as Buffer)
    size += (chunk as Buffer).length
    if (size >= STREAM_PREFIX_BYTES) break // leaving the loop destroys the stream
  }
  return Buffer.concat(parts).subarray(0, STREAM_PREFIX_BYTES)
}

/**
 * 'reset': headers and part of the body, then the socket is destroyed.
 * 'short': Content-Length announces the whole body, part of it is sent, then the connection ends.
 */
export async function sendPartial(
  wire: Wire,
  r: SimResponse,
  how: 'reset' | 'short'
): Promise<void> {
  const prefix = await prefixOf(r)
  if (how === 'short') {
    const declared = Buffer.isBuffer(r.body) ? r.body.length : (r.length ?? prefix.length + 1024)
    writeHead(wire, r, {
      'Content-Length': Math.max(declared, prefix.length + 1),
      Connection: 'close'
    })
    wire.res.end(prefix)
    return
  }
  writeHead(wire, r, lengthHeader(r))
  if (prefix.length === 0) {
    wire.res.flushHeaders()
    setImmediate(() => resetSocket(wire))
  } else {
    wire.res.write(prefix, () => resetSocket(wire))
  }
}

/** The whole answer, its body sent `chunkBytes` at a time every `intervalMs` of real time. */
export async function sendTrickle(
  wire: Wire,
  r: SimResponse,
  chunkBytes: number,
  intervalMs: number
): Promise<void> {
  const { res } = wire
  const gone = new AbortController()
  res.once('close', () => gone.abort())
  const signal = AbortSignal.any([wire.signal, gone.signal])
  writeHead(wire, r, lengthHeader(r))
  const source: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(r.body) ? [r.body] : r.body
  try {
    let first = true
    for await (const chunk of source) {
      for (let offset = 0; offset < chunk.length; offset += Math.max(1, chunkBytes)) {
        if (!first) await sleep(intervalMs, undefined, { signal })
        first = false
        if (!res.write(chunk.subarray(offset, offset + Math.max(1, chunkBytes)))) {
          await once(res, 'drain', { signal })
        }
      }
    }
    res.end()
  } catch {
    discard(r)
    res.destroy()
  }
}
