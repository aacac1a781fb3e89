import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { writePayload } from '../../../src/engine/checks/payload-file.js'
import { TABLE_NAMES, type TableFormat } from '../../../src/engine/table-layout.js'
import { TablesError } from '../../../src/engine/tables/tables-error.js'
import { openTables, WorkerTables } from '../../../src/engine/tables/worker-tables.js'
import {
  PeriodTables,
  type TablesOfPeriod,
  type TablesRequest,
  type TablesResult
} from '../../../src/engine/tables/write-tables.js'
import { duckdbRows, sqlPath } from '../../helpers/duckdb.js'
import { SNAPSHOT } from '../../helpers/table-rows.js'
import { generatedPayloadStream } from '../../simulators/clari/index.js'

// The worker from its sources, compiled by tsx (the bundle's dist/tables-worker runs in test/e2e).
const WORKER = fileURLToPath(new URL('../../helpers/tables-worker.mjs', import.meta.url))
const PERIOD = '2026_Q1'

let dir: string
const made: WorkerTables[] = []
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clari-worker-tables-'))
})
afterEach(async () => {
  // A worker a failed test left running is ended here.
  await Promise.all(made.splice(0).map(tables => tables.discard()))
  await rm(dir, { recursive: true, force: true })
})

function request(format: TableFormat, extra: Partial<TablesRequest> = {}): TablesRequest {
  return {
    outputDir: dir,
    forecastId: 'net_arr',
    period: PERIOD,
    snapshot: SNAPSHOT,
    format,
    csvFormulaGuard: true,
    ...extra
  }
}

function onWorker(format: TableFormat, extra: Partial<TablesRequest> = {}): WorkerTables {
  const tables = new WorkerTables(request(format, extra), WORKER)
  made.push(tables)
  return tables
}

/** Tables on a worker that takes the chunks, starts every table's file, then throws. */
function onCrashingWorker(format: TableFormat): WorkerTables {
  const file = fileURLToPath(new URL('../../helpers/crashing-tables-worker.mjs', import.meta.url))
  const tables = new WorkerTables(request(format), file)
  made.push(tables)
  return tables
}

/** The payload in chunks of many sizes (1 byte to 96 KiB), as a download might bring them. */
function chunked(payload: Buffer): Buffer[] {
  const chunks: Buffer[] = []
  for (let at = 0, n = 0; at < payload.length; n++) {
    const size = [65536, 1, 7, 98304, 4096, 333, 40000][n % 7]!
    chunks.push(payload.subarray(at, at + size))
    at += size
  }
  return chunks
}

/** The payload downloaded (writePayload, the action's own) with the tables made from its bytes. */
async function download(
  tables: TablesOfPeriod,
  payload: Buffer,
  { body = Readable.from(chunked(payload)), period = PERIOD } = {}
): Promise<string> {
  const file = `net_arr_${period}.json`
  await writePayload(body, dir, file, {
    format: 'JSON',
    period,
    maxBytes: 1 << 30,
    tap: () => tables.forDownload()
  })
  return path.join(dir, file)
}

/** Every table file's sha256, read back from the disk. */
async function filesOf(result: TablesResult): Promise<Record<string, string>> {
  const files: Record<string, string> = {}
  for (const table of TABLE_NAMES) {
    const bytes = await readFile(path.join(dir, result.tables[table].file))
    files[table] = createHash('sha256').update(bytes).digest('hex')
  }
  return files
}

/** Every file under tables/, temporary ones included. */
async function filesLeft(): Promise<string[]> {
  const entries = await readdir(path.join(dir, 'tables'), {
    recursive: true,
    withFileTypes: true
  }).catch(() => [])
  return entries.filter(e => e.isFile()).map(e => e.name)
}

async function simulatorPayload(bytes: number): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const part of generatedPayloadStream(PERIOD, bytes)) parts.push(part as Buffer)
  return Buffer.concat(parts)
}

describe('WorkerTables: the tables made on a worker thread', () => {
  it.each<TableFormat>(['ndjson', 'csv', 'parquet'])(
    '%s: byte for byte the files, rows and counts of this thread’s, from a download of the simulator’s payload',
    async format => {
      const payload = await simulatorPayload(3 * 1024 * 1024)
      const inThread = new PeriodTables(request(format))
      const here = await inThread.finish(await download(inThread, payload))
      const hereFiles = await filesOf(here)
      await rm(path.join(dir, 'tables'), { recursive: true })

      const tables = onWorker(format)
      const there = await tables.finish(await download(tables, payload))
      expect(there).toEqual(here)
      expect(await filesOf(there)).toEqual(hereFiles)
      expect(Object.fromEntries(TABLE_NAMES.map(t => [t, there.tables[t].sha256]))).toEqual(
        hereFiles
      )
      expect(there.tables.entries.rows).toBeGreaterThan(5000)
      expect(tables.running).toBe(false)
    }
  )

  it('makes the tables of the last download when the first broke off (a retry starts afresh)', async () => {
    const payload = await simulatorPayload(1024 * 1024)
    const tables = onWorker('ndjson')
    const cut = Readable.from(chunked(payload).slice(0, 5))
    await expect(download(tables, payload, { body: cut })).rejects.toThrow('not valid JSON')
    const result = await tables.finish(await download(tables, payload))

    const inThread = new PeriodTables(request('ndjson'))
    const expected = await inThread.finish(await download(inThread, payload))
    expect(result).toEqual(expected)
    expect((await filesLeft()).length).toBe(TABLE_NAMES.length)
  })

  it('fails only this period’s tables when they cannot be made: the payload and another period’s tables stay', async () => {
    const hostile = Buffer.from(
      `{"entries":[${'{"a":1},'.repeat(3000)}{"b":2},"x"],"timePeriods":[{"timePeriodId":"${PERIOD}"}]}`
    )
    const failing = onWorker('csv')
    const file = await download(failing, hostile)
    const error = await failing.finish(file).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TablesError)
    expect((error as TablesError).message).toBe(
      'tables: element 3001 of "entries" is a string, not an object'
    )
    expect((error as TablesError).table).toBe('entries')
    expect(await filesLeft()).toEqual([])
    expect(await readFile(file)).toEqual(hostile)
    expect(failing.running).toBe(false)

    // Another period's tables, made meanwhile on their own worker, are whole.
    const other = onWorker('csv', { period: '2026_Q2' })
    const payload = Buffer.from(`{"users":[{"id":1}],"timePeriods":[{"timePeriodId":"2026_Q2"}]}`)
    const result = await other.finish(await download(other, payload, { period: '2026_Q2' }))
    expect(result.tables.users.rows).toBe(1)
  })

  it('stops when the signal aborts: the reason comes back, no file is left, the thread ends', async () => {
    const payload = await simulatorPayload(2 * 1024 * 1024)
    const controller = new AbortController()
    const reason = new Error('cancelled by the run')
    const tables = onWorker('parquet', { signal: controller.signal })
    const chunks = chunked(payload)
    // The body breaks off half-way, as the client's does when the run is cancelled.
    const body = Readable.from(
      (async function* () {
        for (const [i, chunk] of chunks.entries()) {
          if (i === chunks.length >> 1) {
            controller.abort(reason)
            throw reason
          }
          yield chunk
        }
      })()
    )
    await expect(download(tables, payload, { body })).rejects.toBe(reason)
    await expect(tables.finish(path.join(dir, `net_arr_${PERIOD}.json`))).rejects.toBe(reason)
    await tables.discard()
    expect(tables.running).toBe(false)
    expect(await filesLeft()).toEqual([])
  })

  it('checks the download as this thread does: a payload cut short or for another period fails it alike', async () => {
    const payload = await simulatorPayload(1024 * 1024)
    const cut = payload.subarray(0, payload.length - 100)
    const other = Buffer.from(
      `{"users":[{"id":1}],"timePeriods":[{"timePeriodId":"2026_Q2"}]}`.padEnd(300_000, ' ')
    )
    for (const bad of [cut, other]) {
      const here = await download(new PeriodTables(request('csv')), bad).catch((e: unknown) => e)
      const tables = onWorker('csv')
      const there = await download(tables, bad).catch((e: unknown) => e)
      expect(there).toBeInstanceOf(Error)
      expect(there).toEqual(here)
      expect((there as Error).constructor).toBe((here as Error).constructor)
      await tables.discard()
    }
  })

  it('fails the tables, and removes their files, when the worker itself stops', async () => {
    const payload = await simulatorPayload(1024 * 1024)
    const tables = onCrashingWorker('ndjson')
    const error = await tables.finish(await download(tables, payload)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TablesError)
    expect((error as TablesError).message).toMatch(/^tables: the tables worker failed \(.*planted/)
    expect(await filesLeft()).toEqual([])
    expect(tables.running).toBe(false)
  })
})

describe('WorkerTables: a worker that stops', () => {
  it('leaves the download checked all the same: a payload cut short fails it', async () => {
    const payload = await simulatorPayload(1024 * 1024)
    const cut = payload.subarray(0, payload.length - 100)
    const expected = await download(new PeriodTables(request('csv')), cut).catch((e: unknown) => e)
    const tables = onCrashingWorker('csv')
    const error = await download(tables, cut).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(Error)
    expect(error).toEqual(expected)
  })
})

describe('WorkerTables: the worker’s heap', () => {
  it('bounds its old generation, so what dies there (each Parquet page’s zlib engine) is collected soon', async () => {
    const payload = await simulatorPayload(64 * 1024)
    const tables = onCrashingWorker('parquet')
    const error = await tables.finish(await download(tables, payload)).catch((e: unknown) => e)
    // Node's default follows the machine's memory (GBs), and lets the heap grow 4 times between
    // full collections; far above the worker's 10-20 MB, 512 keeps that to 1.4 times.
    expect((error as TablesError).message).toContain('(old generation 512 MB)')
  })
})

describe('openTables', () => {
  it('makes the tables on this thread when no bundled worker is beside the running file', () => {
    expect(openTables(request('csv'))).toBeInstanceOf(PeriodTables)
  })
})

describe('PeriodTables: Parquet', () => {
  it('a Parquet table is the same bytes however the download chunked the payload', async () => {
    const payload = await simulatorPayload(8 * 1024 * 1024)
    // Small odd-sized pieces, as a slow download might bring them (the worker reads 64 KiB).
    const pieces: Buffer[] = []
    for (let at = 0; at < payload.length; at += 4093) pieces.push(payload.subarray(at, at + 4093))
    const small = new PeriodTables(request('parquet'))
    const inPieces = await small.finish(
      await download(small, payload, { body: Readable.from(pieces) })
    )
    // Entries of more than one row group (4 MiB of values each).
    const [groups] = await duckdbRows(
      `SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${sqlPath(path.join(dir, inPieces.tables.entries.file))})`
    )
    expect(Number(groups!.n)).toBeGreaterThan(1)
    const piecesFiles = await filesOf(inPieces)
    await rm(path.join(dir, 'tables'), { recursive: true })

    const whole = new PeriodTables(request('parquet'))
    const body = Readable.from([payload])
    expect(await filesOf(await whole.finish(await download(whole, payload, { body })))).toEqual(
      piecesFiles
    )
  })
})

describe('WorkerTables: the chunks a download hands over', () => {
  const HOLDING = fileURLToPath(new URL('../../helpers/holding-tables-worker.mjs', import.meta.url))
  const KiB = 1024

  /** Whether `promise` settles within `ms`. */
  function settlesWithin(promise: Promise<unknown>, ms = 300): Promise<boolean> {
    return Promise.race([
      promise.then(() => true),
      new Promise<boolean>(resolve => setTimeout(() => resolve(false), ms))
    ])
  }

  function onHoldingWorker(extra: Partial<TablesRequest> = {}): WorkerTables {
    const tables = new WorkerTables(request('csv', extra), HOLDING)
    made.push(tables)
    return tables
  }

  it('gathers small chunks into few messages, and waits while more than 1 MiB is unread', async () => {
    const tables = onHoldingWorker()
    expect(tables.running).toBe(false)
    const tap = await tables.forDownload()
    expect(tables.running).toBe(true)

    // 1,000,000 bytes in 1,000 chunks: four 256 KiB slabs, and no wait (less than 1 MiB).
    for (let i = 0; i < 1000; i++) {
      expect(await settlesWithin(tap.afterChunk(Buffer.alloc(1000, i)))).toBe(true)
    }
    expect(await tap.verdict?.()).toEqual({ messages: 4, bytes: 1_000_000 })

    // All acked: 1 MiB more is sent at once; a byte beyond waits for the worker.
    for (let i = 0; i < 4; i++) {
      expect(await settlesWithin(tap.afterChunk(Buffer.alloc(256 * KiB)))).toBe(true)
    }
    const beyond = tap.afterChunk(Buffer.alloc(256 * KiB))
    expect(await settlesWithin(beyond)).toBe(false)

    // The worker stops: the download no longer waits, the tables fail with the reason.
    const error = await tables.finish(path.join(dir, 'payload.json')).catch((e: unknown) => e)
    expect(await settlesWithin(beyond)).toBe(true)
    expect(error).toBeInstanceOf(TablesError)
    expect((error as TablesError).message).toBe('tables: the tables worker stopped (exit code 3)')
    expect(tables.running).toBe(false)
  })

  it.each([
    ['aborts during the download', false],
    ['was aborted before the download', true]
  ])('tells the worker when the signal %s', async (_name, before) => {
    const controller = new AbortController()
    if (before) controller.abort()
    const tables = onHoldingWorker({ signal: controller.signal })
    await tables.forDownload()
    controller.abort()
    // The worker exits at the abort it is told of.
    await vi.waitFor(() => expect(tables.running).toBe(false), { timeout: 5000 })
  })
})
