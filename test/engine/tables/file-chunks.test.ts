import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { fileChunks } from '../../../src/engine/tables/file-chunks.js'
import { descriptorsOn } from '../../helpers/descriptors.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clari-chunks-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('fileChunks', () => {
  const content = Buffer.from(Array.from({ length: 10_000 }, (_, i) => i % 251))

  it.each([1, 7, 4096, 10_000, 65_536])(
    'reads the whole file in chunks of %i bytes',
    async size => {
      const file = path.join(dir, 'f')
      await writeFile(file, content)
      const parts: Buffer[] = []
      // Copies: a chunk is valid only until the next one is asked for.
      for await (const chunk of fileChunks(file, size)) {
        expect(chunk.length).toBeLessThanOrEqual(size)
        parts.push(Buffer.from(chunk))
      }
      expect(Buffer.concat(parts)).toEqual(content)
    }
  )

  // A descriptor left open per payload would add up over a run's periods (and on Windows keep
  // the payload from being replaced).
  it.runIf(process.platform === 'linux')(
    'closes the file once read to its end, and when the reader stops early',
    async () => {
      // The descriptors show the file by its real path.
      const payload = path.join(await realpath(dir), 'f')
      await writeFile(payload, content)
      for await (const chunk of fileChunks(payload, 4096)) {
        expect(chunk.length).toBeGreaterThan(0)
        expect(await descriptorsOn(payload)).toBe(1)
      }
      expect(await descriptorsOn(payload)).toBe(0)
      for await (const chunk of fileChunks(payload, 7)) {
        expect(chunk.length).toBe(7)
        break
      }
      expect(await descriptorsOn(payload)).toBe(0)
    }
  )

  it('reads nothing from an empty file and fails on a missing one', async () => {
    await writeFile(path.join(dir, 'empty'), '')
    const chunks: Buffer[] = []
    for await (const chunk of fileChunks(path.join(dir, 'empty'), 16)) chunks.push(chunk)
    expect(chunks).toEqual([])
    await expect(fileChunks(path.join(dir, 'missing'), 16).next()).rejects.toThrow(/ENOENT/)
  })
})
