import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeInto } from '../../base/pipe-into.js'
import type { ExportFormat } from '../../clari/types.js'
import { InvalidResponseError } from '../../clari/errors.js'
import { cleanServerText } from '../../clari/untrusted-text.js'
import { CsvHeaderCheck } from './csv-check.js'
import { PayloadError, PayloadTooLargeError } from '../errors.js'
import type { EventSink } from '../events.js'
import type { JsonTap } from './json-tap.js'
import { JsonStreamCheck, type JsonCheckResult } from './json-tokenizer.js'
import { tempPathFor } from '../temp-file.js'

export interface WrittenPayload {
  bytes: number
  sha256: string
}

/**
 * Reads a JSON payload's tokens while it downloads (the tables, tables/write-tables.ts), so that
 * the bytes are read once. It never fails the download: what it meets, it reports itself.
 */
export interface PayloadTap {
  /** Reads the check's tokens; undefined: the reader tokenizes the chunks itself (elsewhere). */
  readonly tap?: JsonTap
  /**
   * A reader that tokenizes the chunks itself checks them too, so they are tokenized once: its
   * verdict once every chunk was handed over, or undefined when it has none (it stopped), and
   * the file is then checked here.
   */
  readonly verdict?: () => Promise<JsonCheckResult | undefined>
  /**
   * After each chunk was checked (`chunk` is the caller's until the promise settles): may write
   * what the chunk made, or hand a copy on; the next chunk waits for it.
   */
  afterChunk(chunk: Buffer): Promise<void>
}

export interface PayloadExpectation {
  format: ExportFormat
  period: string
  /** A larger body is aborted and its partial file removed (input max-payload-size). */
  maxBytes: number
  /** The answer's Content-Type: one that names another format is reported as a notice. */
  contentType?: string
  /** The sha256 the bytes must have (a reused payload's, as its manifest recorded it). */
  sha256?: string
  onEvent?: EventSink
  /** A JSON payload's reader besides the check, fresh for each download (see PayloadTap). */
  tap?: () => Promise<PayloadTap>
}

// Media types that say the body is something other than the format asked for.
const CONTRADICTING: Record<ExportFormat, RegExp> = {
  JSON: /^(text\/csv|application\/csv|text\/html)$/,
  CSV: /^(application\/([\w.-]+\+)?json|text\/html)$/
}

/**
 * Streams a results body to `<dir>/<fileName>` through a temporary name, hashing it and checking
 * it on the way (JSON: syntax and period; CSV: a header line; both: the size cap), so memory does
 * not grow with the payload and a half-written or unchecked file never carries the final name.
 */
export async function writePayload(
  body: Readable,
  dir: string,
  fileName: string,
  expect: PayloadExpectation
): Promise<WrittenPayload> {
  const target = path.join(dir, fileName)
  const partial = tempPathFor(dir, fileName)
  const hash = createHash('sha256')
  const reader = expect.format === 'JSON' ? await expect.tap?.() : undefined
  const json =
    expect.format === 'JSON' && reader?.verdict === undefined
      ? new JsonStreamCheck(reader?.tap)
      : undefined
  const csv = expect.format === 'CSV' ? new CsvHeaderCheck() : undefined
  let bytes = 0
  let sha256: string
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      if (bytes > expect.maxBytes) return done(new PayloadTooLargeError(expect.maxBytes))
      hash.update(chunk)
      json?.update(chunk)
      csv?.update(chunk)
      if (reader) void reader.afterChunk(chunk).then(() => done(null, chunk))
      else done(null, chunk)
    }
  })
  try {
    await pipeInto([body, tap], createWriteStream(partial, { flags: 'wx' }))
    if (expect.format === 'JSON') {
      const verdict = json?.finish() ?? (await reader!.verdict!()) ?? (await checkFile(partial))
      checkJson(verdict, expect.period)
    }
    if (csv) checkCsv(csv)
    sha256 = hash.digest('hex')
    if (expect.sha256 !== undefined && sha256 !== expect.sha256) {
      throw new PayloadError('the payload does not match the sha256 its manifest recorded')
    }
    await rename(partial, target)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
  noticeContentType(expect)
  return { bytes, sha256 }
}

function checkCsv(csv: CsvHeaderCheck): void {
  const result = csv.finish()
  // Like a garbled JSON body: not a finished export, so worth downloading again.
  if (!result.valid) throw new InvalidResponseError(`the CSV payload ${result.reason}`)
}

function noticeContentType({ contentType, format, period, onEvent }: PayloadExpectation): void {
  // Stryker disable next-line StringLiteral: without a Content-Type any text that names no contradicting media type gives no notice
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? ''
  if (!CONTRADICTING[format].test(mediaType)) return
  onEvent?.({
    type: 'notice',
    period,
    message: `Clari sent the ${format} payload as ${cleanServerText(mediaType, 60)}; kept as received (it passed the ${format} check)`
  })
}

/** The JSON check of a file already written. */
async function checkFile(file: string): Promise<JsonCheckResult> {
  const check = new JsonStreamCheck()
  for await (const chunk of createReadStream(file)) check.update(chunk as Buffer)
  return check.finish()
}

function checkJson(result: JsonCheckResult, period: string): void {
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
