import crypto from 'node:crypto'
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { syncBuiltinESMExports } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  listedPayloads,
  outputFiles,
  payloadFileName,
  writeManifest
} from '../../src/engine/manifest.js'
import type { Manifest, PeriodOutcome } from '../../src/engine/outcome.js'
import { doneEntry, earlierManifest } from '../helpers/earlier-manifests.js'
import { NO_PAYLOAD, periodOutcome } from '../helpers/period-outcome.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'manifest-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const manifest = (exports: PeriodOutcome[]): Manifest => ({
  ...(earlierManifest() as Manifest),
  exports
})

/**
 * Starts writeManifest with `hex` as the random part of its temporary name, so a test can plant a
 * file there. The name is drawn before writeManifest's first await: Node's own randomBytes is back
 * before any other code runs.
 */
function writeManifestNamed(hex: string, written: Manifest): Promise<string> {
  const spy = vi.spyOn(crypto, 'randomBytes').mockReturnValueOnce(Buffer.from(hex, 'hex') as never)
  syncBuiltinESMExports()
  try {
    return writeManifest(dir, written)
  } finally {
    spy.mockRestore()
    syncBuiltinESMExports()
  }
}

describe('writeManifest', () => {
  it('replaces manifest.json with the indented JSON and a final newline, nothing else left', async () => {
    await writeFile(path.join(dir, 'manifest.json'), 'an earlier one')
    const written = manifest([periodOutcome()])
    expect(await writeManifest(dir, written)).toBe(path.join(dir, 'manifest.json'))
    expect(await readFile(path.join(dir, 'manifest.json'), 'utf8')).toBe(
      `${JSON.stringify(written, null, 2)}\n`
    )
    expect(await readdir(dir)).toEqual(['manifest.json'])
  })

  it('fails when it cannot replace manifest.json, and leaves no partial file', async () => {
    await mkdir(path.join(dir, 'manifest.json'))
    await expect(writeManifest(dir, manifest([]))).rejects.toThrow()
    expect(await readdir(dir)).toEqual(['manifest.json'])
  })

  it('fails with the write’s own error when it cannot write, and leaves no partial file', async () => {
    // The partial file was never made: removing it must not replace the error with its own.
    await expect(writeManifest(path.join(dir, 'missing'), manifest([]))).rejects.toMatchObject({
      code: 'ENOENT',
      syscall: 'open'
    })
    expect(await readdir(dir)).toEqual([])
  })

  it('never writes through a symlink planted at its temporary name, nor keeps it', async () => {
    const outside = path.join(dir, 'outside.txt')
    await writeFile(outside, 'not the manifest')
    await writeFile(path.join(dir, 'manifest.json'), 'an earlier one')
    await symlink(outside, path.join(dir, '.manifest.json.0123456789ab.partial'))
    await expect(writeManifestNamed('0123456789ab', manifest([]))).rejects.toMatchObject({
      code: 'EEXIST'
    })
    expect(await readFile(outside, 'utf8')).toBe('not the manifest')
    expect((await lstat(path.join(dir, 'manifest.json'))).isFile()).toBe(true)
    expect(await readFile(path.join(dir, 'manifest.json'), 'utf8')).toBe('an earlier one')
    expect((await readdir(dir)).sort()).toEqual(['manifest.json', 'outside.txt'])
  })
})

describe('outputFiles: every file a manifest lists, for the artifact', () => {
  it('the payloads and the tables of each period, none for a period without', () => {
    const table = (file: string) => ({ file, rows: 1, sha256: 'a'.repeat(64) })
    const files = outputFiles(
      manifest([
        periodOutcome('2026_Q1', {
          tables: {
            entries: table('tables/entries/e.csv'),
            users: table('tables/users/u.csv'),
            fields: table('tables/fields/f.csv'),
            time_periods: table('tables/time_periods/p.csv'),
            time_frames: table('tables/time_frames/t.csv')
          }
        }),
        periodOutcome('2026_Q2', { status: 'FAILED', ...NO_PAYLOAD }),
        periodOutcome('2026_Q3')
      ])
    )
    expect(files).toEqual([
      'net_arr_2026_Q1.json',
      'tables/entries/e.csv',
      'tables/users/u.csv',
      'tables/fields/f.csv',
      'tables/time_periods/p.csv',
      'tables/time_frames/t.csv',
      'net_arr_2026_Q3.json'
    ])
  })
})

describe('payloadFileName', () => {
  it('names the payload by forecast, period and format', () => {
    expect(payloadFileName('net_arr', '2026_Q1', 'JSON')).toBe('net_arr_2026_Q1.json')
    expect(payloadFileName('net_arr', '2026_Q1', 'CSV')).toBe('net_arr_2026_Q1.csv')
  })
})

describe('listedPayloads: the JSON payloads an earlier manifest lists, for `tables`', () => {
  it('lists each DONE JSON payload with its snapshot', () => {
    expect(
      listedPayloads(earlierManifest({}, [doneEntry('2026_Q1'), doneEntry('2026_Q2')]))
    ).toEqual(
      ['2026_Q1', '2026_Q2'].map(period => ({
        forecastId: 'net_arr',
        period,
        file: `net_arr_${period}.json`,
        snapshot: { jobId: `job${period.replace('_', '')}`, snapshotAt: '2026-01-05T06:00:00.000Z' }
      }))
    )
  })

  it.each<[string, unknown]>([
    ['not an object', ['a list']],
    ['written by another tool', earlierManifest({ tool: 'another-tool' })]
  ])('refuses a manifest %s', (_, value) => {
    expect(listedPayloads(value)).toEqual({
      problem: 'it is not a manifest.json this action wrote'
    })
  })

  it.each<[string, unknown]>([
    ['no forecast', earlierManifest({ forecastId: 42 })],
    ['a forecast ID that is a path', earlierManifest({ forecastId: '../net_arr' })],
    ['no exports list', earlierManifest({ exports: { 0: doneEntry('2026_Q1') } })]
  ])('refuses a manifest with %s', (_, value) => {
    expect(listedPayloads(value)).toEqual({
      problem: 'its manifest.json names no forecast or lists no exports'
    })
  })

  it.each<[string, unknown]>([
    ['not an object', 'net_arr_2026_Q1.json'],
    ['not DONE', doneEntry('2026_Q1', { status: 'FAILED' })],
    ['a period that is no quarter', doneEntry('2026_Q5', { file: 'net_arr_2026_Q5.json' })],
    ['a period with more around it', doneEntry('x2026_Q1', { file: 'net_arr_x2026_Q1.json' })],
    ['a period with more after it', doneEntry('2026_Q1x', { file: 'net_arr_2026_Q1x.json' })],
    ['a CSV payload', doneEntry('2026_Q1', { file: 'net_arr_2026_Q1.csv' })],
    ['a file elsewhere', doneEntry('2026_Q1', { file: '../net_arr_2026_Q1.json' })],
    ['a job ID that is a path', doneEntry('2026_Q1', { jobId: '../job' })],
    ['no snapshot time', doneEntry('2026_Q1', { snapshotAt: '2026-01-05' })]
  ])('leaves out an entry %s', (_, entry) => {
    expect(listedPayloads(earlierManifest({}, [entry, doneEntry('2026_Q2')]))).toEqual([
      expect.objectContaining({ period: '2026_Q2' })
    ])
  })
})
