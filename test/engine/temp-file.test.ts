import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tempPathFor } from '../../src/engine/temp-file.js'

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
})
