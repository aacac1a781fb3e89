import { Readable } from 'node:stream'
import { periodTables, SIM_FIELDS, SIM_USERS } from './payload.js'

const CHUNK_BYTES = 256 * 1024
const TAIL = ']}'

// Escaping non-ASCII keeps string length equal to byte length, so the size comes out exact.
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}

// Small tables first and the huge entries array last, so a reader can check
// timePeriods[0].timePeriodId from the head of a payload too big to parse whole.
function head(period: string): string {
  const t = periodTables(period)
  const tables = asciiJson({
    timePeriods: t.timePeriods,
    users: t.users,
    fields: t.fields,
    timeFrames: t.timeFrames
  })
  return `${tables.slice(0, -1)},"entries":[`
}

function entry(periodJson: string, frames: string[], i: number): string {
  const u = SIM_USERS[i % SIM_USERS.length]!
  const field = SIM_FIELDS[i % (SIM_FIELDS.length - 1)]! // forecast fields only
  const frame = frames[Math.floor(i / SIM_USERS.length) % frames.length]!
  const value = ((i * 7919) % 100_000_000) / 100
  return (
    `{"userId":"${u.userId}","fieldId":"${field.fieldId}","timePeriodId":${periodJson},` +
    `"timeFrameId":"${frame}","forecastValue":${value},"currency":"USD",` +
    `"isUpdated":${i % 3 === 0},"updatedBy":"${u.userId}","updatedOn":${1_700_000_000_000 + i}}`
  )
}

function* chunks(period: string, bytes: number): Generator<Buffer> {
  const start = head(period)
  const periodJson = asciiJson(period)
  const frames = periodTables(period).timeFrames.map(f => f.timeFrameId)
  // Bytes left for entries; whatever no whole entry fills becomes whitespace before the `]`.
  let budget = Math.max(0, bytes - start.length - TAIL.length)
  yield Buffer.from(start)
  let i = 0
  let full = false
  while (!full) {
    let chunk = ''
    while (chunk.length < CHUNK_BYTES) {
      const next = (i === 0 ? '' : ',') + entry(periodJson, frames, i)
      if (next.length > budget) {
        full = true
        break
      }
      chunk += next
      budget -= next.length
      i++
    }
    if (chunk) yield Buffer.from(chunk)
  }
  while (budget > 0) {
    const n = Math.min(budget, CHUNK_BYTES)
    yield Buffer.alloc(n, 0x20)
    budget -= n
  }
  yield Buffer.from(TAIL)
}

/** Exact size of `generatedPayloadStream(period, bytes)`: `bytes`, or the minimal payload if larger. */
export function generatedPayloadSize(period: string, bytes: number): number {
  return Math.max(bytes, head(period).length + TAIL.length)
}

/**
 * A valid forecast JSON payload of exactly `generatedPayloadSize(period, bytes)` bytes, produced
 * on demand (pull-based, so backpressure holds) and identical on every call for the same inputs.
 */
export function generatedPayloadStream(period: string, bytes: number): Readable {
  return Readable.from(chunks(period, bytes), { objectMode: false })
}
