import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { extractEntries, UnreadableZipError } from '../../../src/engine/reruns/zip-archive.js'
import { hostileZip } from '../../simulators/artifact/index.js'

let tempDir = ''
beforeEach(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'clari-zip-'))
})
afterEach(async () => {
  await rm(tempDir, { recursive: true, force: true })
})

/** A zip of entries a, b and c of 60 bytes each, and an empty folder to unpack it into. */
async function threeEntries(): Promise<{ zipPath: string; dir: string }> {
  const zipPath = path.join(tempDir, 'artifact.zip')
  await writeFile(
    zipPath,
    hostileZip(['a', 'b', 'c'].map(name => ({ name, data: Buffer.alloc(60, name) })))
  )
  const dir = path.join(tempDir, 'out')
  await mkdir(dir)
  return { zipPath, dir }
}

const bounds = (maxTotalBytes: number) => ({
  maxEntries: 10,
  signal: new AbortController().signal,
  maxTotalBytes
})
const wanted = new Map(['a', 'b', 'c'].map(name => [name, 100]))

describe('extractEntries', () => {
  it('unpacks entries up to exactly the total they may fill together, and leaves out the next saying why', async () => {
    const { zipPath, dir } = await threeEntries()
    const refused = await extractEntries(zipPath, dir, wanted, bounds(120))
    expect(refused).toEqual(new Map([['c', 'the payloads before it already fill 120 B']]))
    expect((await readdir(dir)).sort()).toEqual(['a', 'b'])
  })

  it('neither overwrites a file already in the folder nor calls that a broken zip', async () => {
    const { zipPath, dir } = await threeEntries()
    await writeFile(path.join(dir, 'b'), 'already here')
    const failure = await extractEntries(zipPath, dir, wanted, bounds(1000)).catch(
      (error: unknown) => error
    )
    expect(failure).not.toBeInstanceOf(UnreadableZipError)
    expect(failure).toMatchObject({ code: 'EEXIST' })
    expect(await readFile(path.join(dir, 'b'), 'utf8')).toBe('already here')
  })
})
