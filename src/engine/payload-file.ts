import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ExportFormat } from '../clari/types.js'
import { InvalidResponseError } from '../clari/errors.js'
import { PayloadError } from './errors.js'
import { JsonStreamCheck } from './json-check.js'

export interface WrittenPayload {
  bytes: number
  sha256: string
}

/**
 * Streams a results body to `<dir>/<fileName>` through a temporary name, hashing it (and, for
 * JSON, checking its syntax and period) on the way, so memory does not grow with the payload and
 * a half-written file never carries the final name.
 */
export async function writePayload(
  body: Readable,
  dir: string,
  fileName: string,
  expect: { format: ExportFormat; period: string }
): Promise<WrittenPayload> {
  const target = path.join(dir, fileName)
  const partial = path.join(dir, `.${fileName}.partial`)
  const hash = createHash('sha256')
  const json = expect.format === 'JSON' ? new JsonStreamCheck() : undefined
  let bytes = 0
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      hash.update(chunk)
      json?.update(chunk)
      done(null, chunk)
    }
  })
  try {
    await pipeline(body, tap, createWriteStream(partial))
    if (json) checkJson(json, expect.period)
    await rename(partial, target)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
  return { bytes, sha256: hash.digest('hex') }
}

function checkJson(json: JsonStreamCheck, period: string): void {
  const result = json.finish()
  if (!result.valid) {
    // A body cut or garbled in transit is worth downloading again; the client retries this.
    throw new InvalidResponseError(
      `the payload is not valid JSON (${result.reason} at byte ${result.offset})`
    )
  }
  // Clari silently exports the current quarter when it does not understand a parameter.
  const got = result.firstTimePeriodId
  if (got !== undefined && got !== period) {
    throw new PayloadError(
      `the payload is for period ${got.slice(0, 40)}, not ${period} (Clari fell back to another quarter)`
    )
  }
}
