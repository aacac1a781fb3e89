import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, symlink, truncate, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ExportConfig } from '../../../src/engine/config.js'
import { folderSource, takeOverPayload } from '../../../src/engine/reruns/earlier-files.js'
import { doneEntry, earlierManifest } from '../../helpers/earlier-manifests.js'
import { shippedConfig } from '../../helpers/shipped-config.js'

const FILE = 'net_arr_2026_Q1.json'
const PAYLOAD = Buffer.from(
  JSON.stringify({ timePeriods: [{ timePeriodId: '2026_Q1' }], entries: [{ amount: 1 }] })
)
const SHA = createHash('sha256').update(PAYLOAD).digest('hex')

let root: string
let earlierDir: string
let config: ExportConfig
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'clari-earlier-files-'))
  earlierDir = path.join(root, 'earlier')
  await mkdir(earlierDir)
  const shipped = shippedConfig({ 'api-key': 'k', 'forecast-id': 'net_arr', periods: '2026_Q1' })
  config = { ...shipped, outputDir: path.join(root, 'out') }
  await mkdir(config.outputDir)
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

const takeOver = (
  leftOut = new Map<string, string>(),
  sha256 = SHA,
  signal = new AbortController().signal
) =>
  takeOverPayload({ dir: earlierDir, leftOut }, config, '2026_Q1', { file: FILE, sha256 }, signal)

describe('takeOverPayload: an earlier payload is taken over only as a download would be', () => {
  it('takes over a payload that passes the checks, under its name in output-dir', async () => {
    await writeFile(path.join(earlierDir, FILE), PAYLOAD)
    expect(await takeOver()).toEqual({ bytes: PAYLOAD.length, sha256: SHA })
    expect(await readdir(config.outputDir)).toEqual([FILE])
  })

  // A link could make the output (and the artifact) carry a file from anywhere on the runner.
  it('refuses a payload that is a symbolic link, even to a file that passes every check', async () => {
    const elsewhere = path.join(root, 'elsewhere.json')
    await writeFile(elsewhere, PAYLOAD)
    await symlink(elsewhere, path.join(earlierDir, FILE))
    expect(await takeOver()).toEqual({ problem: `${FILE} is missing` })
    expect(await readdir(config.outputDir)).toEqual([])
  })

  it('says why a payload was left out of the earlier artifact', async () => {
    const why = 'it is larger than max-payload-size (1 KiB)'
    expect(await takeOver(new Map([[FILE, why]]))).toEqual({ problem: `${FILE}: ${why}` })
  })

  it('refuses a payload that does not hash to the sha256 its manifest recorded', async () => {
    await writeFile(path.join(earlierDir, FILE), PAYLOAD)
    const result = await takeOver(new Map(), 'b'.repeat(64))
    expect(result).toEqual({ problem: expect.stringMatching(new RegExp(`^${FILE}: .*sha256`)) })
    expect(await readdir(config.outputDir)).toEqual([])
  })

  // The caller then stops resuming: exporting every period anew would meet the same folder.
  it('throws, instead of blaming the payload, when output-dir cannot be written', async () => {
    await writeFile(path.join(earlierDir, FILE), PAYLOAD)
    await rm(config.outputDir, { recursive: true })
    await expect(takeOver()).rejects.toMatchObject({ code: 'ENOENT' })
  })

  // The caller then records the period's job for the next attempt instead of blaming the payload.
  it('stops, throwing the abort, when the run is cancelled, and leaves nothing in output-dir', async () => {
    await writeFile(path.join(earlierDir, FILE), PAYLOAD)
    await expect(takeOver(new Map(), SHA, AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError'
    })
    expect(await readdir(config.outputDir)).toEqual([])
  })

  it('refuses a payload larger than max-payload-size', async () => {
    await writeFile(path.join(earlierDir, FILE), PAYLOAD)
    config = { ...config, maxPayloadBytes: PAYLOAD.length - 1 }
    expect(await takeOver()).toEqual({ problem: expect.stringMatching(new RegExp(`^${FILE}: `)) })
    expect(await readdir(config.outputDir)).toEqual([])
  })
})

describe('folderSource: the manifest clari-export --resume finds in output-dir', () => {
  it('reads a manifest.json of exactly 4 MiB, the most a manifest can be', async () => {
    const text = JSON.stringify(earlierManifest({}, [doneEntry('2026_Q1')]))
    await writeFile(path.join(earlierDir, 'manifest.json'), text.padEnd(4 * 1024 * 1024, ' '))
    const found = await folderSource(earlierDir).find(config, new AbortController().signal)
    expect(found).toMatchObject({ dir: earlierDir, manifest: { runAttempt: 1 } })
  })

  // A sparse file: no disk used, and more than Node can read into one buffer.
  it('refuses a manifest.json larger than a manifest can be without reading it', async () => {
    const file = path.join(earlierDir, 'manifest.json')
    await writeFile(file, '')
    await truncate(file, 3 * 1024 ** 3)
    const found = await folderSource(earlierDir).find(config, new AbortController().signal)
    expect(found).toEqual({
      kind: 'unreadable',
      reason: `${file} is larger than a manifest can be`
    })
  })
})
