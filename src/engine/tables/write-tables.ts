import { lstat, mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { PayloadTap } from '../checks/payload-file.js'
import { JsonStreamCheck } from '../checks/json-tokenizer.js'
import {
  TABLE_NAMES,
  tableFileName,
  type SnapshotIdentity,
  type TableFormat,
  type TableName,
  type WrittenTables
} from '../table-layout.js'
import { CsvRows } from './csv-rows.js'
import type { ComputedColumn } from './derived-columns.js'
import { DuplicateKeys } from './duplicate-keys.js'
import { fileChunks } from './file-chunks.js'
import { NdjsonRows } from './ndjson-rows.js'
import { ParquetRows } from './parquet-rows.js'
import { RowEngine } from './row-engine.js'
import type { RowsWriter } from './rows-writer.js'
import { TableFile, type OpenTableFile, type TableOutput } from './table-file.js'
import { TablesError } from './tables-error.js'
import { errorMessage } from '../../base/error-message.js'

export interface TablesRequest {
  /** The folder that holds `tables/`: the output folder. */
  outputDir: string
  forecastId: string
  /** The period the payload must be for (its timePeriods[0].timePeriodId, when it has one). */
  period: string
  /** Which snapshot the payload is: in every row, and in the file names. */
  snapshot: SnapshotIdentity
  format: TableFormat
  /** CSV: a cell a spreadsheet would run as a formula gets a leading `'` (input csv-formula-guard). */
  csvFormulaGuard: boolean
  signal?: AbortSignal
  /** Payload bytes read so far by a pass over the file, for a progress line. */
  onProgress?: (bytes: number) => void
  /** The computed columns; derived-columns.ts's unless a test passes its own. */
  columns?: readonly ComputedColumn[]
}

export interface TablesResult {
  tables: WrittenTables
  /** Entries whose key repeats an earlier entry's (duplicate-keys.ts); undefined: not counted. */
  duplicateKeys?: number
  /** Strings written with U+FFFD, their bytes not UTF-8 or a surrogate escaped alone. */
  repairedText: number
  /** What the user should know about these tables, one line each. */
  warnings: string[]
}

// Peak memory grows with the chunk (its bytes, their text and the rows made of them are garbage
// once written); 64 KiB keeps the tables pass well under the download's own peak.
const READ_CHUNK_BYTES = 64 * 1024

/** A period's tables, made on this thread (PeriodTables) or on a worker (worker-tables.ts). */
export interface TablesOfPeriod {
  /** A tap for one download of the payload (a retry's download starts afresh). */
  forDownload(): Promise<PayloadTap>
  /**
   * Completes the tables of the payload at `payloadPath` (which the download, if any, wrote
   * through `forDownload`'s tap) and gives them their names. Throws TablesError, or the abort's
   * reason.
   */
  finish(payloadPath: string): Promise<TablesResult>
  /** Removes every file of this period's tables; never throws. */
  discard(): Promise<void>
}

/**
 * The five tables of one period's JSON payload, written by streaming passes (memory does not
 * grow with the payload) to `tables/<table>/snapshot_date=…/<forecast>_<period>_<job>.<format>`.
 *
 * The first pass is the download itself when there is one (`forDownload`: rows are made as the
 * bytes arrive, so the tables cost no second reading); a payload already on disk is read once.
 * A pass over the file follows only when the rows need it: a derived column's lookup, or a CSV
 * table that met a new column after its header was written. Each table file appears only
 * complete; when any table fails, none of this period's tables is left behind.
 */
export class PeriodTables implements TablesOfPeriod {
  private pass: TablesPass | undefined
  private readonly names: Record<TableName, string>

  constructor(
    private readonly request: TablesRequest,
    /** Where the table files are written: on this thread unless a worker passes its own. */
    private readonly openFile: OpenTableFile = TableFile.create
  ) {
    this.names = tableNames(request)
  }

  async forDownload(): Promise<PayloadTap> {
    await this.pass?.discard()
    this.pass = new TablesPass(this.request, this.names, this.openFile)
    return this.pass
  }

  async finish(payloadPath: string): Promise<TablesResult> {
    try {
      let pass = this.pass
      if (pass === undefined) {
        pass = this.pass = new TablesPass(this.request, this.names, this.openFile)
        await readPayload(payloadPath, pass, this.request)
      }
      return await pass.complete(payloadPath)
    } catch (error) {
      await this.discard()
      if (error instanceof TablesError || this.request.signal?.aborted) throw error
      throw TablesError.unwritten(errorMessage(error))
    }
  }

  async discard(): Promise<void> {
    await this.pass?.discard()
    this.pass = undefined
    await removeTables(this.request.outputDir, this.names)
  }
}

/** The file names (inside the output folder) of a period's tables. */
export function tableNames(request: TablesRequest): Record<TableName, string> {
  const { forecastId, period, snapshot, format } = request
  return Object.fromEntries(
    TABLE_NAMES.map(table => [table, tableFileName(table, forecastId, period, snapshot, format)])
  ) as Record<TableName, string>
}

/**
 * Removes these tables' files (tables left by an earlier run of this snapshot would no longer
 * match its payload). Never throws.
 */
export async function removeTables(
  outputDir: string,
  names: Record<TableName, string>
): Promise<void> {
  await Promise.all(
    Object.values(names).map(name =>
      rm(path.join(outputDir, name), { force: true }).catch(() => {})
    )
  )
}

/** The tables of a JSON payload already on disk (one pass, more only when the rows need them). */
export function writeTables(payloadPath: string, request: TablesRequest): Promise<TablesResult> {
  return new PeriodTables(request).finish(payloadPath)
}

/** One reading of the payload with the rows it writes, and the files they go to. */
class TablesPass implements PayloadTap {
  readonly tap: RowEngine
  private readonly duplicates: DuplicateKeys
  private writer: RowsWriter | undefined
  private readonly files = new Map<TableName, TableOutput>()
  private opened: Promise<void> | undefined

  constructor(
    private readonly request: TablesRequest,
    private readonly names: Record<TableName, string>,
    private readonly openFile: OpenTableFile
  ) {
    const { forecastId, period, snapshot, columns } = request
    this.tap = new RowEngine({ forecastId, period, snapshot }, columns)
    this.duplicates = new DuplicateKeys(this.tap.tables.get('entries')!)
    this.tap.addObserver(this.duplicates)
    // With a lookup, the first pass only reads: rows need the whole of another list first.
    this.writer = this.tap.needsLookups ? undefined : this.newWriter()
    this.tap.startPass(this.writer, { observe: true, freeze: false })
  }

  private newWriter(only?: ReadonlySet<TableName>): RowsWriter {
    const { format } = this.request
    if (format === 'ndjson') return new NdjsonRows(this.tap)
    if (format === 'csv') return new CsvRows(this.tap, this.request.csvFormulaGuard, only)
    return new ParquetRows(this.tap)
  }

  /** Writes what the last chunk made. Never rejects: a problem waits in the engine's failure. */
  async afterChunk(): Promise<void> {
    if (this.writer === undefined || this.tap.failure !== undefined) return
    try {
      this.opened ??= this.open(TABLE_NAMES)
      await this.opened
      await this.writer.flush(this.write)
    } catch (error) {
      this.tap.failure ??= error
    }
  }

  private readonly write = async (table: TableName, bytes: Buffer): Promise<void> => {
    await this.files.get(table)!.write(bytes)
  }

  /** Folders and temporary files for these tables. */
  private async open(tables: readonly TableName[]): Promise<void> {
    const { outputDir } = this.request
    for (const table of tables) {
      const target = path.join(outputDir, this.names[table])
      await makeFolders(outputDir, path.dirname(this.names[table]))
      await this.files.get(table)?.discard()
      this.files.set(table, await this.openFile(target))
    }
  }

  /** The payload was read through this pass: the passes it still needs, then the names. */
  async complete(payloadPath: string): Promise<TablesResult> {
    this.throwIfFailed()
    if (this.writer === undefined) {
      // The lookups are complete: now the rows, every column known.
      this.writer = this.newWriter()
      await this.again(payloadPath, TABLE_NAMES)
    }
    await this.finishWriter()
    for (let redo = this.writer.redo; redo.size > 0; redo = this.writer.redo) {
      this.writer = this.newWriter(redo)
      await this.again(payloadPath, [...redo])
      await this.finishWriter()
    }
    const written: Partial<WrittenTables> = {}
    for (const table of TABLE_NAMES) {
      const rows = this.tap.tables.get(table)!.rows
      written[table] = {
        file: this.names[table],
        rows,
        sha256: await this.files.get(table)!.commit()
      }
    }
    this.files.clear()
    return {
      tables: written as WrittenTables,
      ...(this.duplicates.gaveUp ? {} : { duplicateKeys: this.duplicates.count }),
      repairedText: this.tap.repairedText,
      warnings: [
        ...[this.duplicates.warning()].flatMap(w => (w === undefined ? [] : [w])),
        ...(this.tap.repairedText > 0
          ? [
              `${this.tap.repairedText} string(s) held bytes that are not UTF-8 or half a surrogate pair; the tables have U+FFFD in their place (the payload is kept as sent)`
            ]
          : []),
        ...this.writer.notes()
      ]
    }
  }

  private async finishWriter(): Promise<void> {
    await this.afterChunk()
    this.throwIfFailed()
    await this.writer!.finish(this.write)
  }

  /** Another pass over the payload on disk, writing only `tables` (their files made anew). */
  private async again(payloadPath: string, tables: readonly TableName[]): Promise<void> {
    this.opened = this.open(tables)
    this.tap.startPass(this.writer, { observe: false, freeze: true })
    await readPayload(payloadPath, this, this.request)
  }

  throwIfFailed(): void {
    const failure = this.tap.failure
    if (failure !== undefined) throw failure
  }

  async discard(): Promise<void> {
    await this.opened?.catch(() => {})
    await Promise.all([...this.files.values()].map(file => file.discard()))
    this.files.clear()
  }
}

/** One streaming pass over the payload on disk: every chunk is checked and turned into rows. */
async function readPayload(
  payloadPath: string,
  pass: TablesPass,
  request: TablesRequest
): Promise<void> {
  const check = new JsonStreamCheck(pass.tap)
  const chunks = fileChunks(payloadPath, READ_CHUNK_BYTES)
  let read = 0
  try {
    for (;;) {
      const next = await chunks.next().catch((error: unknown) => {
        throw new TablesError(`could not read the payload (${errorMessage(error)})`)
      })
      if (next.done) break
      request.signal?.throwIfAborted()
      check.update(next.value)
      await pass.afterChunk()
      pass.throwIfFailed()
      read += next.value.length
      request.onProgress?.(read)
    }
  } finally {
    await chunks.return(undefined)
  }
  const result = check.finish()
  if (!result.valid) {
    throw new TablesError(
      `the payload could not be read as JSON (${result.reason} at byte ${result.offset})`
    )
  }
  const got = result.firstTimePeriodId
  if (got !== undefined && got !== request.period) {
    throw new TablesError(`the payload is for period ${got.slice(0, 40)}, not ${request.period}`)
  }
}

/** The folders of `relative` (inside the output folder), refusing a symlink or a file in their place. */
async function makeFolders(outputDir: string, relative: string): Promise<void> {
  await mkdir(outputDir, { recursive: true })
  let folder = ''
  for (const part of relative.split('/')) {
    folder = folder === '' ? part : `${folder}/${part}`
    const full = path.join(outputDir, folder)
    await mkdir(full).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error
    })
    const stat = await lstat(full)
    if (!stat.isDirectory()) {
      throw new TablesError(`${folder} in the output folder is not a folder (a symlink?)`)
    }
  }
}
