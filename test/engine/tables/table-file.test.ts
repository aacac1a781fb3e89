import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TableFile } from '../../../src/engine/tables/table-file.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clari-table-file-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('TableFile', () => {
  it('appears under its name, with the bytes written and their sha256, only once committed', async () => {
    const target = path.join(dir, 'users.csv')
    const file = await TableFile.create(target)
    await file.write(Buffer.from('a,b\n'))
    await file.writeWhole(Buffer.from('1,2\n'))
    expect(await readdir(dir)).not.toContain('users.csv')
    const sha256 = await file.commit()
    expect(await readdir(dir)).toEqual(['users.csv'])
    expect(await readFile(target, 'latin1')).toBe('a,b\n1,2\n')
    expect(sha256).toBe(createHash('sha256').update('a,b\n1,2\n').digest('hex'))
  })

  it('discarded, leaves nothing behind', async () => {
    const file = await TableFile.create(path.join(dir, 'users.csv'))
    await file.write(Buffer.from('a,b\n'))
    await file.discard()
    expect(await readdir(dir)).toEqual([])
  })

  it('discarded, never throws, even when its temporary is gone already', async () => {
    const file = await TableFile.create(path.join(dir, 'users.csv'))
    await rm(path.join(dir, (await readdir(dir))[0]!))
    await expect(file.discard()).resolves.toBeUndefined()
    expect(await readdir(dir)).toEqual([])
  })
})
