import { lstat, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InvalidResponseError } from '../../../src/clari/errors.js'
import { PayloadError, PayloadTooLargeError } from '../../../src/engine/errors.js'
import type { ExportEvent } from '../../../src/engine/events.js'
import { writeManifest } from '../../../src/engine/manifest.js'
import { MANIFEST_TOOL, MANIFEST_VERSION } from '../../../src/engine/outcome.js'
import { writePayload, type PayloadExpectation } from '../../../src/engine/checks/payload-file.js'
import { forecastCsv, forecastPayload, sha256 } from '../../simulators/clari/index.js'

let root: string
let dir: string
let outside: string
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'clari-payload-'))
  dir = path.join(root, 'out')
  outside = path.join(root, 'outside')
  await Promise.all([mkdirp(dir), mkdirp(outside)])
})
afterEach(async () => rm(root, { recursive: true, force: true }))

async function mkdirp(p: string): Promise<void> {
  await (await import('node:fs/promises')).mkdir(p, { recursive: true })
}

const JSON_Q1 = forecastPayload('2026_Q1', 'net_arr')
const CSV_Q1 = forecastCsv('2026_Q1', 'net_arr')

function write(
  body: string | Buffer | Buffer[],
  expect: Partial<PayloadExpectation> = {},
  fileName = 'net_arr_2026_Q1.json'
) {
  const chunks = Array.isArray(body) ? body : [Buffer.from(body)]
  return writePayload(Readable.from(chunks), dir, fileName, {
    format: 'JSON',
    period: '2026_Q1',
    maxBytes: 1024 ** 3,
    ...expect
  })
}

describe('writePayload', () => {
  it('writes the body under its final name with its size and sha256, and nothing else', async () => {
    const written = await write(JSON_Q1)
    const bytes = await readFile(path.join(dir, 'net_arr_2026_Q1.json'))
    expect(bytes.toString()).toBe(JSON_Q1)
    expect(written).toEqual({ bytes: bytes.length, sha256: sha256(bytes) })
    expect(await readdir(dir)).toEqual(['net_arr_2026_Q1.json'])
  })

  it.each([
    ['exactly at the cap', 0, true],
    ['one byte over the cap', 1, false]
  ])('a payload %s: kept %s', async (_name, extra, kept) => {
    const body = Buffer.from(JSON_Q1)
    const chunks = [body.subarray(0, 100), body.subarray(100)]
    const result = write(chunks, { maxBytes: body.length - extra })
    if (kept) {
      await expect(result).resolves.toMatchObject({ bytes: body.length })
    } else {
      await expect(result).rejects.toThrow(PayloadTooLargeError)
      await expect(result).rejects.toThrow(
        /larger than max-payload-size \(.+\).*partial file removed/
      )
    }
    expect(await readdir(dir)).toEqual(kept ? ['net_arr_2026_Q1.json'] : [])
  })

  it('stops an endless body at the cap instead of filling the disk', async () => {
    let served = 0
    const endless = new Readable({
      read() {
        served += 64 * 1024
        this.push(Buffer.alloc(64 * 1024, 0x20))
      }
    })
    await expect(
      writePayload(endless, dir, 'x.json', {
        format: 'JSON',
        period: '2026_Q1',
        maxBytes: 1024 ** 2
      })
    ).rejects.toThrow(PayloadTooLargeError)
    expect(served).toBeLessThan(4 * 1024 ** 2)
    expect(await readdir(dir)).toEqual([])
  })

  it.each([
    ['an empty body', '', 'the CSV payload is empty'],
    ['blank lines only', '\r\n\n  \n', 'the CSV payload has no header line'],
    ['a byte order mark only', '\ufeff', 'the CSV payload has no header line'],
    [
      'data after a blank first line',
      '\nJain,name@s-clari.com\n',
      'the CSV payload has no header line'
    ]
  ])(
    'refuses a CSV payload with %s as unfinished (retried like a broken JSON body)',
    async (_n, body, message) => {
      const result = write(body, { format: 'CSV' }, 'net_arr_2026_Q1.csv')
      await expect(result).rejects.toThrow(InvalidResponseError)
      await expect(result).rejects.toThrow(message)
      expect(await readdir(dir)).toEqual([])
    }
  )

  it.each([
    ['a CSV export', CSV_Q1],
    ['a header without a line break', 'User,Email'],
    ['a header after a byte order mark', '\ufeffUser,Email\n']
  ])('keeps %s', async (_name, body) => {
    await expect(write(body, { format: 'CSV' }, 'a.csv')).resolves.toMatchObject({
      bytes: Buffer.byteLength(body)
    })
  })

  it("refuses a payload for another quarter (Clari's silent fallback) and leaves no file", async () => {
    const result = write(forecastPayload('2025_Q4', 'net_arr'), { period: '2026_Q1' })
    await expect(result).rejects.toThrow(PayloadError)
    await expect(result).rejects.toThrow('the payload is for period 2025_Q4, not 2026_Q1')
    expect(await readdir(dir)).toEqual([])
  })

  it.each<[string, 'JSON' | 'CSV', string, string | undefined]>([
    ['JSON sent as text/csv', 'JSON', 'text/csv; charset=utf-8', 'text/csv'],
    ['JSON sent as HTML', 'JSON', 'Text/HTML', 'text/html'],
    ['CSV sent as JSON', 'CSV', 'application/json', 'application/json'],
    ['JSON sent as JSON', 'JSON', 'application/json', undefined],
    ['CSV sent as CSV', 'CSV', 'text/csv', undefined],
    ['CSV without a Content-Type', 'CSV', '', undefined],
    ['CSV sent as a JSON dialect', 'CSV', 'application/vnd.api+json', 'application/vnd.api+json'],
    // Only a whole media type contradicts: one that merely starts or ends like one does not.
    ['JSON sent as text/csv-schema', 'JSON', 'text/csv-schema', undefined],
    ['JSON sent as xtext/html', 'JSON', 'xtext/html', undefined],
    ['CSV sent as application/json-seq', 'CSV', 'application/json-seq', undefined],
    ['CSV sent as xapplication/json', 'CSV', 'xapplication/json', undefined]
  ])('%s', async (_name, format, contentType, named) => {
    const events: ExportEvent[] = []
    await write(format === 'JSON' ? JSON_Q1 : CSV_Q1, {
      format,
      contentType,
      onEvent: e => events.push(e)
    })
    expect(events).toEqual(
      named
        ? [
            {
              type: 'notice',
              period: '2026_Q1',
              message: `Clari sent the ${format} payload as ${named}; kept as received (it passed the ${format} check)`
            }
          ]
        : []
    )
  })
})

describe('writePayload, checks beside the format', () => {
  it('refuses a payload whose sha256 is not the one its manifest recorded, and leaves no file', async () => {
    const result = write(JSON_Q1, { sha256: sha256('another payload') })
    await expect(result).rejects.toThrow(PayloadError)
    await expect(result).rejects.toThrow(
      'the payload does not match the sha256 its manifest recorded'
    )
    expect(await readdir(dir)).toEqual([])
    await expect(write(JSON_Q1, { sha256: sha256(JSON_Q1) })).resolves.toMatchObject({
      sha256: sha256(JSON_Q1)
    })
  })

  it("hands a JSON payload's chunks to the tables' reader, and makes none for a CSV payload", async () => {
    const chunks: Buffer[] = []
    let made = 0
    const tap = () => {
      made++
      return Promise.resolve({
        afterChunk: (chunk: Buffer) => Promise.resolve(void chunks.push(Buffer.from(chunk)))
      })
    }
    const body = Buffer.from(JSON_Q1)
    await write([body.subarray(0, 50), body.subarray(50)], { tap })
    expect(made).toBe(1)
    expect(Buffer.concat(chunks).toString()).toBe(JSON_Q1)
    await write(CSV_Q1, { format: 'CSV', tap }, 'net_arr_2026_Q1.csv')
    expect(made).toBe(1)
  })

  it("lets a tables' reader that tokenizes the chunks itself give the verdict, so they are read once", async () => {
    // The reader's verdict decides: here it saw another quarter, which the check alone would not.
    const verdict = () => Promise.resolve({ valid: true as const, firstTimePeriodId: '2026_Q2' })
    const tap = () => Promise.resolve({ verdict, afterChunk: () => Promise.resolve() })
    await expect(write(JSON_Q1, { tap })).rejects.toThrow(
      'the payload is for period 2026_Q2, not 2026_Q1'
    )
    expect(await readdir(dir)).toEqual([])
  })

  it('keeps a JSON payload that starts with a blank line (no CSV header check)', async () => {
    await expect(write(`\n${JSON_Q1}`)).resolves.toMatchObject({
      bytes: Buffer.byteLength(JSON_Q1) + 1
    })
  })

  it('refuses a body cut in transit as invalid JSON, naming where, and leaves no file', async () => {
    const result = write(JSON_Q1.slice(0, 40))
    await expect(result).rejects.toThrow(InvalidResponseError)
    await expect(result).rejects.toThrow(/^the payload is not valid JSON \(.+ at byte \d+\)$/)
    expect(await readdir(dir)).toEqual([])
  })

  it('names a wrong period in the error by at most its first 40 characters', async () => {
    const period = `2025_Q4_${'x'.repeat(60)}`
    await expect(write(forecastPayload(period, 'net_arr'))).rejects.toThrow(
      `the payload is for period ${period.slice(0, 40)}, not 2026_Q1`
    )
  })

  it('reports why the file could not be opened when the folder is missing', async () => {
    await rm(dir, { recursive: true })
    await expect(write(JSON_Q1)).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open' })
  })
})

describe('files in output-dir are never written through a planted symlink', () => {
  it.each([
    ['the payload', 'net_arr_2026_Q1.json', () => write(JSON_Q1)],
    [
      'the manifest',
      'manifest.json',
      () =>
        writeManifest(dir, {
          tool: MANIFEST_TOOL,
          manifestVersion: MANIFEST_VERSION,
          forecastId: 'net_arr',
          runAttempt: 1,
          request: { exportFormat: 'JSON' },
          startedAt: '',
          finishedAt: '',
          exports: []
        })
    ]
  ])('%s replaces a symlink at its final name and at its old temp name', async (_n, name, run) => {
    const victims = ['final', 'partial'].map(v => path.join(outside, v))
    await Promise.all(victims.map(v => writeFile(v, 'precious')))
    await symlink(victims[0]!, path.join(dir, name))
    await symlink(victims[1]!, path.join(dir, `.${name}.partial`))

    await run()

    for (const victim of victims) expect(await readFile(victim, 'utf8')).toBe('precious')
    expect((await lstat(path.join(dir, name))).isFile()).toBe(true)
    expect(JSON.parse(await readFile(path.join(dir, name), 'utf8'))).toBeTruthy()
  })
})
