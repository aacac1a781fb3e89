import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { constants, copyFile, lstat, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { pipeline } from 'node:stream/promises'
import { MANIFEST_FILE } from '../manifest.js'
import type { EarlierRun } from './resume.js'
import { tempPathFor } from '../temp-file.js'

/**
 * Takes over a payload an earlier run wrote: it must be a plain file whose sha256 is the one its
 * manifest recorded; then it is copied into the output folder (through a temporary name, so a
 * half-copied file never carries the final name). Returns its size, or why it cannot be used.
 */
export async function takeOverPayload(
  fromDir: string,
  toDir: string,
  file: string,
  sha256: string
): Promise<{ bytes: number } | { problem: string }> {
  const source = path.join(fromDir, file)
  const info = await lstat(source).catch(() => undefined)
  if (!info?.isFile()) return { problem: `its payload ${file} is missing` }
  const hash = createHash('sha256')
  await pipeline(createReadStream(source), hash)
  if (hash.digest('hex') !== sha256) {
    return { problem: `its payload ${file} does not match the sha256 its manifest recorded` }
  }
  if (path.resolve(fromDir) !== path.resolve(toDir)) {
    const partial = tempPathFor(toDir, file)
    try {
      await copyFile(source, partial, constants.COPYFILE_EXCL)
      await rename(partial, path.join(toDir, file))
    } catch (error) {
      await rm(partial, { force: true })
      throw error
    }
  }
  return { bytes: info.size }
}

// A manifest lists one entry per period: far below this even for hundreds of periods.
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024

/**
 * The manifest.json a run left in `dir` (the terminal runner resumes from its own output folder),
 * parsed but unchecked; or why there is none to resume from.
 */
export async function readEarlierManifest(dir: string): Promise<EarlierRun | { problem: string }> {
  const file = path.join(dir, MANIFEST_FILE)
  const info = await lstat(file).catch(() => undefined)
  if (!info?.isFile()) return { problem: `there is no ${MANIFEST_FILE} in ${dir}` }
  if (info.size > MAX_MANIFEST_BYTES) return { problem: `${file} is larger than a manifest can be` }
  try {
    return { manifest: JSON.parse(await readFile(file, 'utf8')), dir, source: file }
  } catch {
    return { problem: `${file} is not valid JSON` }
  }
}
