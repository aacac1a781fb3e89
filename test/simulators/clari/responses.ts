import type { Readable } from 'node:stream'

/** An answer before it goes on the wire, so faults can deliver it whole, partly or slowly. */
export interface SimResponse {
  status: number
  headers: Record<string, string>
  body: Buffer | Readable
  /** Full size of a streamed body, when known. */
  length?: number
}

export function jsonResponse(
  status: number,
  value: unknown,
  headers: Record<string, string> = {}
): SimResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(value))
  }
}

export function emptyResponse(status: number, headers: Record<string, string>): SimResponse {
  return { status, headers, body: Buffer.alloc(0) }
}
