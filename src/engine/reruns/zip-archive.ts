import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import * as yauzl from 'yauzl'
import { errorMessage } from '../base/error-message.js'

/** A zip that cannot be read: not a zip, truncated, or an entry that breaks the rules. */
export class UnreadableZipError extends Error {
  override readonly name = 'UnreadableZipError'
}

/**
 * The bytes of the entry `name` (a path inside the zip), or undefined when the zip has none.
 * An entry larger than `maxBytes` is refused before any of it is read.
 */
export async function readZipEntry(
  zipPath: string,
  name: string,
  maxBytes: number
): Promise<Buffer | undefined> {
  return withZip(zipPath, async zip => {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName !== name) continue
      if (entry.uncompressedSize > maxBytes) {
        throw new UnreadableZipError(`${name} is larger than ${maxBytes} bytes`)
      }
      const chunks: Buffer[] = []
      // yauzl checks the bytes against the entry's declared size as they stream.
      for await (const chunk of await zip.openReadStreamPromise(entry)) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks)
    }
    return undefined
  })
}

/** Writes every entry under `dir`; yauzl refuses absolute names and `..` before we see them. */
export async function extractZip(zipPath: string, dir: string): Promise<void> {
  await withZip(zipPath, async zip => {
    for await (const entry of zip.eachEntry()) {
      const target = path.join(dir, entry.fileName)
      if (entry.fileName.endsWith('/')) {
        await mkdir(target, { recursive: true })
        continue
      }
      await mkdir(path.dirname(target), { recursive: true })
      // 'wx': a zip naming one file twice is refused rather than overwriting the first copy.
      await pipeline(
        await zip.openReadStreamPromise(entry),
        createWriteStream(target, { flags: 'wx' })
      )
    }
  })
}

async function withZip<T>(zipPath: string, use: (zip: yauzl.ZipFile) => Promise<T>): Promise<T> {
  let zip: yauzl.ZipFile | undefined
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true, autoClose: false })
    return await use(zip)
  } catch (error) {
    // A file-system error (ENOSPC, EACCES) is the runner's problem, not the zip's.
    if (error instanceof UnreadableZipError || (error as NodeJS.ErrnoException).code) throw error
    // yauzl's messages name the problem (bad signature, invalid relative path, …), not secrets.
    throw new UnreadableZipError(errorMessage(error))
  } finally {
    zip?.close()
  }
}
