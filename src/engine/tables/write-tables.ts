import { lstat, mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { JsonStreamCheck } from '../checks/json-tokenizer.js'
import {
  TABLE_NAMES,
  TABLES_DIR,
  tableFileName,
  type TableFormat,
  type WrittenTables
} from '../table-layout.js'
import { fileChunks } from './file-chunks.js'
import { RowCollector } from './row-collector.js'
import { TableFile } from './table-file.js'
import { TablesError } from './tables-error.js'
import { errorMessage } from '../../base/error-message.js'

export interface TablesRequest {
  /** The folder that holds `tables/`: the output folder. */
  outputDir: string
  forecastId: string
  /** The period the payload must be for (its timePeriods[0].timePeriodId, when it has one). */
  period: string
  format: TableFormat
  signal?: AbortSignal
}

// Peak memory grows with the chunk (its bytes, their text and the rows made of them are garbage
// once written); 64 KiB keeps the tables pass well under the download's own peak.
const READ_CHUNK_BYTES = 64 * 1024

/**
 * Writes the five tables of a JSON payload on disk to `tables/<table>/<forecast>_<period>.<format>`
 * by streaming passes over the file (NDJSON one, CSV two: columns, then rows), so memory does
 * not grow with the payload. The payload is checked again on the way. Each table file appears
 * only complete; when any table fails, none of this period's tables is left behind.
 */
export async function writeTables(
  payloadPath: string,
  request: TablesRequest
): Promise<WrittenTables> {
  const { outputDir, forecastId, period, format } = request
  const rows = new RowCollector(request)
  const names = TABLE_NAMES.map(table => tableFileName(table, forecastId, period, format))
  const files: TableFile[] = []
  try {
    if (format === 'csv') {
      await readPayload(payloadPath, rows, request, async () => {})
      rows.startWriting()
    }
    await makeFolders(outputDir)
    for (const name of names) files.push(await TableFile.create(path.join(outputDir, name)))
    const flush = async (): Promise<void> => {
      for (const [i, table] of TABLE_NAMES.entries()) {
        const bytes = rows.take(table)
        if (bytes.length > 0) await files[i]!.write(bytes)
      }
    }
    if (format === 'csv') {
      for (const [i, table] of TABLE_NAMES.entries()) {
        await files[i]!.write(Buffer.from(rows.header(table), 'latin1'))
      }
    }
    await readPayload(payloadPath, rows, request, flush)
    const written: Partial<WrittenTables> = {}
    for (const [i, table] of TABLE_NAMES.entries()) {
      written[table] = { file: names[i]!, rows: rows.rows(table), sha256: await files[i]!.commit() }
    }
    return written as WrittenTables
  } catch (error) {
    await Promise.all(files.map(file => file.discard()))
    // Tables left by an earlier run of this period would no longer match its payload.
    await Promise.all(names.map(name => rm(path.join(outputDir, name), { force: true })))
    if (error instanceof TablesError || request.signal?.aborted) throw error
    throw new TablesError(`could not write the table files (${errorMessage(error)})`)
  }
}

/** One streaming pass: every chunk is checked, turned into rows, and the rows flushed. */
async function readPayload(
  payloadPath: string,
  rows: RowCollector,
  request: TablesRequest,
  flush: () => Promise<void>
): Promise<void> {
  const check = new JsonStreamCheck(rows)
  const chunks = fileChunks(payloadPath, READ_CHUNK_BYTES)
  try {
    for (;;) {
      const next = await chunks.next().catch((error: unknown) => {
        throw new TablesError(`could not read the payload (${errorMessage(error)})`)
      })
      if (next.done) break
      request.signal?.throwIfAborted()
      check.update(next.value)
      await flush()
    }
  } finally {
    await chunks.return(undefined)
  }
  const result = check.finish()
  if (!result.valid) {
    // Also what a value past the tokens' size limit reports.
    throw new TablesError(
      `the payload could not be read as JSON (${result.reason} at byte ${result.offset})`
    )
  }
  const got = result.firstTimePeriodId
  if (got !== undefined && got !== request.period) {
    throw new TablesError(`the payload is for period ${got.slice(0, 40)}, not ${request.period}`)
  }
}

/** The table folders, refusing a symlink or a file in their place. */
async function makeFolders(outputDir: string): Promise<void> {
  const folders = [TABLES_DIR, ...TABLE_NAMES.map(table => path.join(TABLES_DIR, table))]
  for (const folder of folders) {
    const full = path.join(outputDir, folder)
    await mkdir(full, { recursive: true })
    const stat = await lstat(full)
    if (!stat.isDirectory()) {
      throw new TablesError(`${folder} in the output folder is not a folder (a symlink?)`)
    }
  }
}
