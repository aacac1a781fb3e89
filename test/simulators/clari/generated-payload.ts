import { Readable } from 'node:stream'
import {
  forecastExport,
  ForecastData,
  type ForecastExport,
  type ForecastExportOptions,
  type OrgSize
} from './forecast-export.js'
import { PAYLOAD_TAIL, PayloadJson } from './payload.js'

const CHUNK_BYTES = 256 * 1024
/** Up to about 6,000 people the org grows by teams; past that, by product lines (fields). */
const MAX_TEAMS = 1000

export interface GeneratedPayloadOptions extends ForecastExportOptions {
  /** Default net_arr. */
  forecastId?: string
}

function exportOf(period: string, options: GeneratedPayloadOptions): ForecastExport {
  return forecastExport(period, options.forecastId ?? 'net_arr', options)
}

function bound(request: ForecastExport, size: OrgSize): number {
  const json = new PayloadJson(new ForecastData(request, size))
  return json.headBytes() + PAYLOAD_TAIL.length + json.entriesBound()
}

/** The largest `n` in [low, high] with `fits(n)`, for a `fits` true up to some n and false after. */
function largest(low: number, high: number, fits: (n: number) => boolean): number {
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    if (fits(mid)) low = mid
    else high = mid - 1
  }
  return low
}

const sizes = new Map<string, OrgSize>()

/**
 * The largest org whose export is sure to fit in `bytes`, so keys stay unique at any size: up to
 * MAX_TEAMS teams with one product line; beyond, as few product lines as it takes and the teams
 * that fit with them. An empty org when not even one team fits.
 */
function orgFor(request: ForecastExport, bytes: number): OrgSize {
  const key = `${JSON.stringify(request)}:${bytes}`
  const known = sizes.get(key)
  if (known) return known
  const fits = (teams: number, lines: number) => bound(request, { teams, lines }) <= bytes
  let lines = 1
  if (fits(MAX_TEAMS, 1)) {
    let high = 2
    while (fits(MAX_TEAMS, high)) high *= 2
    lines = largest(1, high, n => fits(MAX_TEAMS, n)) + 1
  }
  const size = { teams: largest(0, MAX_TEAMS, teams => fits(teams, lines)), lines }
  if (sizes.size >= 16) sizes.clear()
  sizes.set(key, size)
  return size
}

function* chunks(request: ForecastExport, bytes: number): Generator<Buffer> {
  const data = new ForecastData(request, orgFor(request, bytes))
  const json = new PayloadJson(data, CHUNK_BYTES * 2)
  const head = json.head()
  yield Buffer.from(head, 'latin1')
  // Bytes left for entries; what they leave of their bound becomes whitespace before the `]`.
  let budget = bytes - head.length - PAYLOAD_TAIL.length
  const walk = data.walk()
  for (let more = true; more;) {
    more = walk.step(json)
    if (json.pending < CHUNK_BYTES && (more || json.pending === 0)) continue
    const entries = json.take()
    budget -= entries.length
    if (budget < 0) throw new Error('the generated payload overran its size bound')
    yield entries
  }
  while (budget > 0) {
    const n = Math.min(budget, CHUNK_BYTES)
    yield Buffer.alloc(n, 0x20)
    budget -= n
  }
  yield Buffer.from(PAYLOAD_TAIL)
}

/**
 * Sizes the org of a generated payload ahead of its download (cached), as Clari writes an
 * export's file while the job runs: the download then starts streaming at once.
 */
export function prepareGeneratedPayload(
  period: string,
  bytes: number,
  options: GeneratedPayloadOptions = {}
): void {
  orgFor(exportOf(period, options), bytes)
}

/** Exact size of `generatedPayloadStream(period, bytes)`: `bytes`, or the minimal payload if larger. */
export function generatedPayloadSize(
  period: string,
  bytes: number,
  options: GeneratedPayloadOptions = {}
): number {
  return Math.max(bytes, bound(exportOf(period, options), { teams: 0, lines: 1 }))
}

/**
 * A valid forecast JSON payload of exactly `generatedPayloadSize(period, bytes)` bytes, with the
 * data rules of payload.ts for an org grown to fill it, produced on demand (pull-based, so
 * backpressure holds) and identical on every call for the same inputs.
 */
export function generatedPayloadStream(
  period: string,
  bytes: number,
  options: GeneratedPayloadOptions = {}
): Readable {
  return Readable.from(chunks(exportOf(period, options), bytes), { objectMode: false })
}
