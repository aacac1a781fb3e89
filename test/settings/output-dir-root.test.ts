import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InputError } from '../../src/settings/input-error.js'
import { checkOutputDir } from '../../src/settings/output-dir.js'

/**
 * output-dir as the workspace root: what the action tells apart from the repository's own files,
 * at the edges (names that only look like the action's, a manifest at its size limit).
 */

let base = ''
let workspace = ''
beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'clari-output-root-'))
  workspace = path.join(base, 'workspace')
  await mkdir(workspace)
})
afterEach(async () => {
  await rm(base, { recursive: true, force: true })
})

const checkRoot = (forecastId = 'net_arr') =>
  checkOutputDir(workspace, workspace, { allowOutside: false, forecastId })

async function foreign(forecastId?: string): Promise<string | undefined> {
  const error: unknown = await checkRoot(forecastId).then(
    () => undefined,
    (e: unknown) => e
  )
  if (error === undefined) return undefined
  if (!(error instanceof InputError)) throw error
  expect(error.input).toBe('output-dir')
  return /which holds "([^"]*)"/.exec(error.message)?.[1]
}

const OUR_MANIFEST = '{"tool":"clari-forecast-export-action","pad":"'
/** Our manifest padded with spaces to exactly `bytes` bytes. */
const manifestOf = (bytes: number) =>
  `${OUR_MANIFEST}${' '.repeat(bytes - OUR_MANIFEST.length - 2)}"}`

describe('checkOutputDir: the workspace root', () => {
  it.each([
    ['a partial write with more after it', '.manifest.json.0123456789ab.partial.bak'],
    ['a partial write with more before it', 'x.manifest.json.0123456789ab.partial']
  ])('counts %s as not the action’s', async (_, name) => {
    await writeFile(path.join(workspace, name), '')
    expect(await foreign()).toBe(name)
  })

  it('counts a file other than manifest.json as not the action’s, whatever it holds', async () => {
    await writeFile(path.join(workspace, 'notes.json'), manifestOf(100))
    expect(await foreign()).toBe('notes.json')
  })

  it('names the first foreign entry by name', async () => {
    const names = 'qwertyuiopasdfghjklzxcvbnm'.split('').map(c => `${c}.txt`)
    for (const name of names) await writeFile(path.join(workspace, name), '')
    expect(await foreign()).toBe('a.txt')
  })

  it('names the same first entry whatever order the system lists the folder in', async () => {
    // Node lists them in UTF-8 byte order on Linux and macOS (U+FF5E first), in the file system's
    // order on Windows; the action sorts them as JavaScript does (by UTF-16 unit: the emoji first).
    for (const name of ['\uFF5E.txt', '\u{1F600}.txt']) {
      await writeFile(path.join(workspace, name), '')
    }
    expect(await foreign()).toBe('\u{1F600}.txt')
  })

  it('reads a manifest.json of exactly 4 MiB, and not one larger', async () => {
    const file = path.join(workspace, 'manifest.json')
    expect(manifestOf(100)).toHaveLength(100)
    await writeFile(file, manifestOf(4 * 1024 * 1024))
    expect(await foreign()).toBeUndefined()
    await writeFile(file, manifestOf(4 * 1024 * 1024 + 1))
    expect(await foreign()).toBe('manifest.json')
  })

  it('counts a manifest.json that is not JSON as not the action’s', async () => {
    await writeFile(
      path.join(workspace, 'manifest.json'),
      '{"tool": "clari-forecast-export-action"'
    )
    expect(await foreign()).toBe('manifest.json')
  })

  it('reads a forecast id with a dot literally in payload names', async () => {
    await writeFile(path.join(workspace, 'net.arr_2026_Q1.json'), '{}')
    expect(await foreign('net.arr')).toBeUndefined()
    await writeFile(path.join(workspace, 'netXarr_2026_Q1.json'), '{}')
    expect(await foreign('net.arr')).toBe('netXarr_2026_Q1.json')
  })
})
