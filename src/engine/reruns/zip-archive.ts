import { createWriteStream } from 'node:fs'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import * as yauzl from 'yauzl'
import { errorMessage } from '../../base/error-message.js'
import { pipeInto } from '../../base/pipe-into.js'
import { formatBytes } from '../units.js'

/** A zip that cannot be read: not a zip, truncated, too many entries, or one that breaks the rules. */
export class UnreadableZipError extends Error {
  override readonly name = 'UnreadableZipError'
}

/** What an earlier attempt's zip may cost before it is refused. */
export interface ZipBounds {
  /** A zip whose directory declares more entries is refused before any entry is read. */
  maxEntries: number
  /** The lookup's end: stops the walk through the entries and any stream in flight. */
  signal: AbortSignal
}

/**
 * The bytes of the entry `name` (a path inside the zip), or undefined when the zip has none.
 * An entry larger than `maxBytes` is refused before any of it is read.
 */
export async function readZipEntry(
  zipPath: string,
  name: string,
  maxBytes: number,
  bounds: ZipBounds
): Promise<Buffer | undefined> {
  return withZip(zipPath, bounds, async zip => {
    for await (const entry of zip.eachEntry()) {
      bounds.signal.throwIfAborted()
      if (entry.fileName !== name) continue
      if (entry.uncompressedSize > maxBytes) {
        throw new UnreadableZipError(`${name} is larger than ${maxBytes} bytes`)
      }
      const chunks: Buffer[] = []
      const stream = await zip.openReadStreamPromise(entry)
      await pipeline(
        stream,
        async source => {
          for await (const chunk of source) chunks.push(chunk as Buffer)
        },
        { signal: bounds.signal }
      )
      return Buffer.concat(chunks)
    }
    return undefined
  })
}

/**
 * Writes the entries `wanted` names, and no other, into `dir` (which must hold none of them),
 * each streamed to a file created exclusively and held to its own size cap, all of them together
 * to `maxTotalBytes`. Returns why an entry was left out; one absent from the zip is not mentioned.
 */
export async function extractEntries(
  zipPath: string,
  dir: string,
  wanted: ReadonlyMap<string, number>,
  bounds: ZipBounds & { maxTotalBytes: number }
): Promise<Map<string, string>> {
  const refused = new Map<string, string>()
  return withZip(zipPath, bounds, async zip => {
    const seen = new Set<string>()
    let total = 0
    for await (const entry of zip.eachEntry()) {
      bounds.signal.throwIfAborted()
      const name = entry.fileName
      const maxBytes = wanted.get(name)
      if (maxBytes === undefined) continue
      // yauzl names an entry once per directory record: twice means a zip made to confuse.
      if (seen.has(name)) throw new UnreadableZipError(`it holds ${name} twice`)
      seen.add(name)
      const size = entry.uncompressedSize
      if (size > maxBytes) {
        refused.set(name, `it is larger than max-payload-size (${formatBytes(maxBytes)})`)
        continue
      }
      if (total + size > bounds.maxTotalBytes) {
        refused.set(
          name,
          `the payloads before it already fill ${formatBytes(bounds.maxTotalBytes)}`
        )
        continue
      }
      total += size
      await pipeInto(
        [await zip.openReadStreamPromise(entry)],
        // 'wx': nothing already in the folder is followed or overwritten.
        createWriteStream(path.join(dir, name), { flags: 'wx' }),
        bounds.signal
      )
    }
    return refused
  })
}

async function withZip<T>(
  zipPath: string,
  bounds: ZipBounds,
  use: (zip: yauzl.ZipFile) => Promise<T>
): Promise<T> {
  let zip: yauzl.ZipFile | undefined
  try {
    // Stryker disable next-line ObjectLiteral: each option is forced by openPromise, yauzl's default, or what the finally does anyway
    zip = await yauzl.openPromise(zipPath, {
      // Stryker disable next-line BooleanLiteral: openPromise forces it
      lazyEntries: true,
      // Stryker disable next-line BooleanLiteral: it closes, once the entries are read, what the finally closes
      autoClose: false,
      // The size checks trust what an entry declares: yauzl fails the read of an entry that
      // holds more (its default, said here so that it stays on).
      validateEntrySizes: true
    })
    // The count comes from the zip's end record: a directory of 220,000 entries is refused
    // without walking it.
    if (zip.entryCount > bounds.maxEntries) {
      throw new UnreadableZipError(
        `it holds ${zip.entryCount} entries, more than an artifact of this action (at most ${bounds.maxEntries})`
      )
    }
    return await use(zip)
  } catch (error) {
    // A file-system error (ENOSPC, EACCES) is the runner's problem, not the zip's; the lookup's
    // end is the caller's to report.
    if (
      error instanceof UnreadableZipError ||
      bounds.signal.aborted ||
      (error as NodeJS.ErrnoException).code
    ) {
      throw error
    }
    // yauzl's messages name the problem (bad signature, invalid relative path, …), not secrets.
    throw new UnreadableZipError(errorMessage(error))
  } finally {
    zip?.close()
  }
}
