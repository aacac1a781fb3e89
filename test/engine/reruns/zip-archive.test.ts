import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  extractEntries,
  readZipEntry,
  UnreadableZipError
} from '../../../src/engine/reruns/zip-archive.js'
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

  // A zip bomb's lie: the directory says 60 bytes, the entry inflates to 2 MiB. The caps
  // above trust the declared size, so the read must stop where the entry outgrows it.
  const lying = (name: string) => hostileZip([{ name, zeros: 2 * 1024 * 1024, declares: 60 }])

  it('refuses an entry that holds more than it declares, and writes no more than it declared', async () => {
    const zipPath = path.join(tempDir, 'artifact.zip')
    await writeFile(zipPath, lying('a'))
    const dir = path.join(tempDir, 'out')
    await mkdir(dir)
    await expect(extractEntries(zipPath, dir, wanted, bounds(1000))).rejects.toThrow(
      UnreadableZipError
    )
    const written = await readFile(path.join(dir, 'a')).catch(() => Buffer.alloc(0))
    expect(written.length).toBeLessThanOrEqual(60)
  })

  it('reads no entry that holds more than it declares', async () => {
    const zipPath = path.join(tempDir, 'artifact.zip')
    await writeFile(zipPath, lying('manifest.json'))
    await expect(readZipEntry(zipPath, 'manifest.json', 4096, bounds(0))).rejects.toThrow(
      UnreadableZipError
    )
  })
})

/** What the files this process holds open are (Linux lists them in /proc/self/fd). */
async function openFiles(): Promise<string[]> {
  const fds = await readdir('/proc/self/fd')
  return Promise.all(fds.map(fd => readlink(`/proc/self/fd/${fd}`).catch(() => '')))
}

// A re-run looks through up to ten artifacts, each read twice: a zip left open is a descriptor
// held until the process ends.
describe.runIf(process.platform === 'linux')('the zip is closed once read', () => {
  it('after unpacking, after reading one entry, and after refusing it', async () => {
    const { zipPath, dir } = await threeEntries()
    await extractEntries(zipPath, dir, wanted, bounds(1000))
    expect(await readZipEntry(zipPath, 'a', 100, bounds(0))).toEqual(Buffer.alloc(60, 'a'))
    const tooMany = { ...bounds(0), maxEntries: 2 }
    await expect(readZipEntry(zipPath, 'a', 100, tooMany)).rejects.toThrow(UnreadableZipError)
    // yauzl closes the descriptor in a callback of its own, after the call has answered.
    await vi.waitFor(async () => expect(await openFiles()).not.toContain(zipPath))
  })
})
