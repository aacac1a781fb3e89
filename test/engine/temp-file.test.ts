import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempFilesFor, tempPathFor } from '../../src/engine/temp-file.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'temp-file-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('temporary files written before the rename', () => {
  it('are hidden beside the file, a fresh name each time', () => {
    const first = tempPathFor(dir, 'manifest.json')
    expect(path.dirname(first)).toBe(dir)
    expect(path.basename(first)).toMatch(/^\.manifest\.json\.[0-9a-f]{12}\.partial$/)
    expect(tempPathFor(dir, 'manifest.json')).not.toBe(first)
  })

  it('are found again for that file only, and nothing else is', async () => {
    const mine = [tempPathFor(dir, 'a.csv'), tempPathFor(dir, 'a.csv')]
    const others = [
      tempPathFor(dir, 'b.csv'),
      tempPathFor(dir, 'a.csv.gz'),
      path.join(dir, 'a.csv'),
      path.join(dir, '.a.csv.0123456789ab.partial.bak'),
      path.join(dir, '.a.csv.0123456789AB.partial'),
      path.join(dir, '.a.csv.0123456789a.partial'),
      path.join(dir, 'x.a.csv.0123456789ab.partial')
    ]
    for (const file of [...mine, ...others]) await writeFile(file, '')
    expect((await tempFilesFor(dir, 'a.csv')).sort()).toEqual(mine.sort())
  })

  it('are none in a folder that does not exist', async () => {
    expect(await tempFilesFor(path.join(dir, 'missing'), 'a.csv')).toEqual([])
  })
})
