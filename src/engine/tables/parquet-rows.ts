import type { TableName } from '../table-layout.js'
import { decodeToBinary, toBinary } from './binary-text.js'
import type { ComputedValue, DerivedValue } from './derived-columns.js'
import { footer, MAGIC, type ChunkMeta, type RowGroupMeta } from './parquet-format.js'
import { ParquetColumn } from './parquet-column.js'
import { PendingBytes, WRITE_BYTES, type WriteBytes } from './pending-bytes.js'
import type { TokenSource } from '../checks/json-tap.js'
import type { RowEngine, TableRows } from './row-engine.js'
import { PAYLOAD_FIELDS, type ColumnType } from './schema.js'
import type { RowsWriter } from './rows-writer.js'

// A row group is written when it holds this many rows or bytes of values, whichever comes first.
// Until then memory holds its pages, each compressed once full (parquet-column.ts).
const ROW_GROUP_ROWS = 64 * 1024
const ROW_GROUP_BYTES = 4 * 1024 * 1024
const CREATED_BY = 'clari-forecast-export-action'

/** A table's file: its columns, the row group being filled, and where the earlier ones went. */
interface ParquetTable {
  constants: ParquetColumn[]
  computed: ParquetColumn[]
  /** The declared fields, each with the engine's column it reads. */
  declared: { slot: ParquetColumn; column: number }[]
  extra: ParquetColumn
  slots: ParquetColumn[]
  rows: number
  groups: RowGroupMeta[]
  /** Bytes of the file so far, written or waiting in `out`. */
  offset: number
  out: PendingBytes
}

/**
 * Parquet rows with typed columns: the action's columns, then each declared field of the list
 * (schema.ts) as its type, then `extra`, a JSON object of every other member and of any member
 * whose value does not fit its declared type, so nothing Clari sent is dropped (null when there
 * is none). Strings and JSON are GZIP-compressed (numbers and booleans, which gain little, are
 * not); constant columns are dictionary-encoded. Row groups keep memory bounded.
 */
export class ParquetRows implements RowsWriter {
  readonly wantsSpan = false
  readonly redo = new Set<TableName>()
  private readonly tables = new Map<TableName, ParquetTable>()
  /** A page's levels and values, joined to be compressed (one page at a time). */
  private readonly gzipInput = new PendingBytes(1024)

  constructor(private readonly engine: RowEngine) {
    for (const table of engine.tables.values()) this.tables.set(table.name, this.layout(table))
  }

  private layout(table: TableRows): ParquetTable {
    const column = (name: string, type: ColumnType, constant?: Buffer): ParquetColumn =>
      new ParquetColumn(name, type, constant, this.gzipInput)
    const constants = table.constants.map(c =>
      column(c.name, c.type, plainValue(c.type, c.constant(this.engine.context)))
    )
    const computed = table.computing.map(c => column(c.column.name, c.column.type))
    const declared = PAYLOAD_FIELDS[table.name].map(field => ({
      slot: column(field.name, field.type),
      column: table.resolve([field.name])[0]!
    }))
    const extra = column('extra', 'json')
    const out = new PendingBytes()
    out.bytes(MAGIC, 0, MAGIC.length)
    return {
      constants,
      computed,
      declared,
      extra,
      slots: [...constants, ...computed, ...declared.map(d => d.slot), extra],
      rows: 0,
      groups: [],
      offset: MAGIC.length,
      out
    }
  }

  row(table: TableRows, element: number): void {
    const file = this.tables.get(table.name)!
    file.rows++
    const { values } = table
    for (let i = 0; i < file.computed.length; i++) putDerived(file.computed[i]!, values[i])
    let extra = ''
    const { columns, stamps, sources, froms, tos } = table
    const { declared } = file
    for (let i = 0; i < declared.length; i++) {
      const { slot, column } = declared[i]!
      if (stamps[column] !== element) {
        slot.define(0)
        continue
      }
      slot.room()
      const fits = put(slot, sources[column]!, froms[column]!, tos[column]!)
      slot.define(fits === PUT ? 1 : 0)
      if (fits === MISFIT) {
        const json = table.json(column, element)!
        extra += `${extra === '' ? '' : ','}${columns[column]!.jsonKey}:${json}`
      }
    }
    const { order } = table
    for (let i = 0; i < table.orderLength; i++) {
      const column = columns[order[i]!]!
      if (column.declared !== undefined || column.ours) continue
      extra += `${extra === '' ? '' : ','}${column.jsonKey}:${table.json(order[i]!, element)}`
    }
    if (extra === '') file.extra.define(0)
    else {
      file.extra.room()
      putBytes(file.extra.values, `{${extra}}`)
      file.extra.define(1)
    }
    // Cut by the rows, never where a chunk ends: the file is the same however the payload came.
    if (file.rows >= ROW_GROUP_ROWS || valueBytes(file) >= ROW_GROUP_BYTES) this.rowGroup(file)
  }

  async flush(write: WriteBytes): Promise<void> {
    // A table with no bytes waiting is given none: writeInPieces writes nothing.
    for (const [name, file] of this.tables) await writeInPieces(write, name, file.out.take())
  }

  async finish(write: WriteBytes): Promise<void> {
    for (const [name, file] of this.tables) {
      if (file.rows > 0) this.rowGroup(file)
      const end = footer(
        file.slots.map(s => s.schema),
        file.groups,
        CREATED_BY
      )
      file.out.bytes(end, 0, end.length)
      await writeInPieces(write, name, file.out.take())
    }
  }

  notes(): string[] {
    return []
  }

  /** Writes the rows so far as one row group into `out`. */
  private rowGroup(file: ParquetTable): void {
    const rows = file.rows
    const chunks: ChunkMeta[] = []
    let bytes = 0
    for (const column of file.slots) {
      const offset = file.offset
      const start = file.out.length
      const { dataStart, uncompressed } = column.writeChunk(file.out, rows)
      const size = file.out.length - start
      file.offset += size
      bytes += uncompressed
      chunks.push({
        column: column.schema,
        codec: column.codec,
        values: rows,
        offset: offset + dataStart,
        ...(column.constant !== undefined ? { dictionaryOffset: offset } : {}),
        uncompressedSize: uncompressed,
        compressedSize: size
      })
    }
    file.groups.push({ rows, bytes, chunks })
    file.rows = 0
  }
}

/**
 * A row group's bytes in writes of at most WRITE_BYTES, as the other formats write: the worker's
 * buffers for them (table-files-host.ts) then all have one size and are reused.
 */
async function writeInPieces(write: WriteBytes, table: TableName, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; at += WRITE_BYTES)
    await write(table, bytes.subarray(at, at + WRITE_BYTES))
}

/** Bytes of values in the row group being filled. */
function valueBytes(file: ParquetTable): number {
  let bytes = 0
  for (const s of file.slots) bytes += s.valueBytes
  return bytes
}

/** A BYTE_ARRAY value: its length, then its bytes (binary text). */
function putBytes(values: PendingBytes, binary: string): void {
  values.uint32(binary.length)
  values.text(binary)
}

// What became of a member's value in its typed column.
const PUT = 0
const NULL = 1
const MISFIT = 2

/**
 * A member's value (its JSON text at `source[from..to)`) into the slot's typed column: PUT, NULL
 * (JSON null), or MISFIT when it is not of the slot's type. Read from the chunk's bytes where it
 * can be, making no string.
 */
function put(slot: ParquetColumn, source: TokenSource, from: number, to: number): number {
  const { values } = slot
  const { text, bytes } = source
  const first = text.charCodeAt(from)
  if (first === 0x6e) return NULL
  switch (slot.type) {
    case 'string': {
      if (first !== 0x22) return MISFIT
      const start = values.length
      values.uint32(to - from - 2)
      // Bytes with no escape are the string's UTF-8 already.
      if (bytes.length > 0 && values.plainBytes(bytes, from + 1, to - 1)) return PUT
      values.length = start
      putBytes(values, decodeToBinary(text.slice(from, to)))
      return PUT
    }
    case 'json':
      values.uint32(to - from)
      values.slice(text, from, to)
      return PUT
    case 'double':
      if (first !== 0x2d && (first < 0x30 || first > 0x39)) return MISFIT
      values.float64(decimal(text, from, to) ?? Number(text.slice(from, to)))
      return PUT
    case 'int64':
    case 'timestamp': {
      const n = wholeNumber(text, from, to)
      if (n === undefined) return MISFIT
      values.int64(n)
      return PUT
    }
    case 'boolean':
      if (first !== 0x74 && first !== 0x66) return MISFIT
      values.byte(first === 0x74 ? 1 : 0)
      return PUT
  }
}

const POWERS = Array.from({ length: 23 }, (_, i) => 10 ** i)

/**
 * A plain decimal (`-123.45`: no exponent, at most 15 digits) as the double Number() gives,
 * without making a string: both its digits and the power of ten are exact doubles, so one
 * division rounds correctly. Undefined for anything else (the caller uses Number()).
 */
function decimal(text: string, from: number, to: number): number | undefined {
  const negative = text.charCodeAt(from) === 0x2d
  let digits = 0
  let n = 0
  let point = -1
  // Stryker disable next-line ArithmeticOperator,UpdateOperator: speed only: a start before the digits, or a walk back, meets a character no number has there, and Number() reads the value
  for (let i = negative ? from + 1 : from; i < to; i++) {
    const c = text.charCodeAt(i)
    // A JSON number (the tokenizer checked it) has at most one point.
    // Stryker disable next-line BlockStatement: speed only: a point not taken is no digit, which leaves the value to Number()
    if (c === 0x2e) {
      point = i
      continue
    }
    // Stryker disable next-line EqualityOperator: speed only: a digit refused (0, 9 or all) leaves the value to Number()
    if (c < 0x30 || c > 0x39) return undefined
    n = n * 10 + (c - 0x30)
    // Stryker disable next-line EqualityOperator: speed only: a lower bound leaves more values to Number(), which reads the same double
    if (++digits > 15) return undefined
  }
  const value = point === -1 ? n : n / POWERS[to - point - 1]!
  return negative ? -value : value
}

/** A JSON number that is a safe integer (epoch milliseconds, a year), else undefined. */
function wholeNumber(text: string, from: number, to: number): number | undefined {
  const negative = text.charCodeAt(from) === 0x2d
  let n = 0
  // Stryker disable next-line ArithmeticOperator: speed only: a start before the sign meets a character no number has there, and the long way reads the value
  let i = negative ? from + 1 : from
  // Fifteen digits are always exact; a longer or fractional number goes the long way.
  // Stryker disable next-line ArithmeticOperator,BlockStatement: speed only: skipping the fast path leaves every value to Number(), which reads the same integer
  if (to - i <= 15) {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only: a loop cut short goes the long way; a step past the end meets the delimiter (no digit: same n) or NaN (the long way)
    for (; i < to; i++) {
      // Stryker disable next-line ArithmeticOperator: speed only: every character then reads as no digit, and the long way reads the value
      const c = text.charCodeAt(i) - 0x30
      if (c < 0 || c > 9) break
      n = n * 10 + c
    }
    // Every character a digit (a token is never empty, and "-" alone is no JSON): a whole number.
    if (i === to) return negative ? -n : n
  }
  // Number() makes NaN, no safe integer, of a value that is no number (a string, a literal, …).
  const value = Number(text.slice(from, to))
  return Number.isSafeInteger(value) ? value : undefined
}

/** A derived value (a timestamp is ISO text; strings are binary text). */
function putDerived(slot: ParquetColumn, value: ComputedValue): void {
  if (value === undefined) return slot.define(0)
  slot.room()
  slot.define(1)
  const { values } = slot
  if (value instanceof Uint8Array) {
    values.uint32(value.length)
    values.bytes(value, 0, value.length)
  } else if (slot.type === 'timestamp') values.int64(Date.parse(String(value)))
  else if (slot.type === 'double') values.float64(Number(value))
  else if (slot.type === 'int64') values.int64(Number(value))
  else if (slot.type === 'boolean') values.byte(value === true ? 1 : 0)
  else putBytes(values, String(value))
}

/** A constant's one value, PLAIN-encoded (it is ordinary text: made binary here). */
function plainValue(type: ColumnType, value: DerivedValue): Buffer {
  // Sized for a short value (it grows as needed), not a table's rows.
  const bytes = new PendingBytes(16)
  if (type === 'timestamp') bytes.int64(Date.parse(String(value)))
  else putBytes(bytes, toBinary(String(value)))
  return Buffer.from(bytes.contents())
}
