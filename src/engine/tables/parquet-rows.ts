import { gzipSync } from 'node:zlib'
import type { TableName } from '../table-layout.js'
import { decodeToBinary, toBinary } from './binary-text.js'
import type { ComputedValue, DerivedValue } from './derived-columns.js'
import {
  BOOLEAN,
  BYTE_ARRAY,
  constantIndexes,
  dataPageHeader,
  definitionLevels,
  dictionaryPage,
  DOUBLE,
  footer,
  GZIP,
  INT64,
  MAGIC,
  UNCOMPRESSED,
  type ChunkMeta,
  type ColumnSchema,
  type RowGroupMeta
} from './parquet-format.js'
import { PendingBytes, type WriteBytes } from './pending-bytes.js'
import type { TokenSource } from '../checks/json-tap.js'
import type { RowEngine, TableRows } from './row-engine.js'
import { PAYLOAD_FIELDS, type ColumnType } from './schema.js'
import type { RowsWriter } from './rows-writer.js'

// A row group is written when it holds this many rows or bytes of values, whichever comes first:
// what memory holds of a table at once. (1 MiB groups cut the worker's array buffers from 16 to
// 10 MB on average, but not its peak RSS, and cost Parquet about a tenth more CPU: measured.)
const ROW_GROUP_ROWS = 64 * 1024
const ROW_GROUP_BYTES = 4 * 1024 * 1024
const CREATED_BY = 'clari-forecast-export-action'

/** One column of a table's file, and its values in the row group being filled. */
interface Slot {
  schema: ColumnSchema
  type: ColumnType
  codec: number
  values: PendingBytes
  /** Per row of the group: 1 when it has a value. */
  defined: Uint8Array
  /** A constant column's one value, PLAIN-encoded. */
  constant?: Buffer
}

/** A table's file: its columns, the row group being filled, and where the earlier ones went. */
interface ParquetTable {
  constants: Slot[]
  computed: Slot[]
  /** The declared fields, each with the engine's column it reads. */
  declared: { slot: Slot; column: number }[]
  extra: Slot
  slots: Slot[]
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
  private readonly gzipInput = new PendingBytes()

  constructor(private readonly engine: RowEngine) {
    for (const table of engine.tables.values()) this.tables.set(table.name, this.layout(table))
  }

  private layout(table: TableRows): ParquetTable {
    const constants = table.constants.map(c => {
      const s = slot(c.name, c.type, true)
      s.constant = plainValue(c.type, c.constant(this.engine.context))
      return s
    })
    const computed = table.computing.map(c => slot(c.column.name, c.column.type, false))
    const declared = PAYLOAD_FIELDS[table.name].map(field => ({
      slot: slot(field.name, field.type, false),
      column: table.resolve([field.name])[0]!
    }))
    const extra = slot('extra', 'json', false)
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
    const row = file.rows++
    const { values } = table
    for (let i = 0; i < file.computed.length; i++) putDerived(file.computed[i]!, row, values[i])
    let extra = ''
    const { columns, stamps, sources, froms, tos } = table
    const { declared } = file
    for (let i = 0; i < declared.length; i++) {
      const { slot, column } = declared[i]!
      if (stamps[column] !== element) {
        define(slot, row, 0)
        continue
      }
      const source = sources[column]!
      const fits = put(slot, source, froms[column]!, tos[column]!)
      define(slot, row, fits === PUT ? 1 : 0)
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
    if (extra === '') define(file.extra, row, 0)
    else {
      putBytes(file.extra.values, `{${extra}}`)
      define(file.extra, row, 1)
    }
    // Cut by the rows, never where a chunk ends: the file is the same however the payload came.
    if (file.rows >= ROW_GROUP_ROWS || valueBytes(file) >= ROW_GROUP_BYTES) this.rowGroup(file)
  }

  async flush(write: WriteBytes): Promise<void> {
    for (const [name, file] of this.tables) {
      if (file.out.length > 0) await write(name, file.out.take())
    }
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
      await write(name, file.out.take())
    }
  }

  notes(): string[] {
    return []
  }

  /** Encodes the rows so far as one row group into `out`. */
  private rowGroup(file: ParquetTable): void {
    const rows = file.rows
    const chunks = file.slots.map(s => encode(s, rows, this.gzipInput))
    const metas: ChunkMeta[] = []
    let bytes = 0
    file.slots.forEach((s, i) => {
      const { pages, uncompressed } = chunks[i]!
      const offset = file.offset
      let dataOffset = offset
      for (const [j, page] of pages.entries()) {
        // With a dictionary, the data page is the third part: dictionary page, its header, data.
        if (s.constant !== undefined && j === 1) dataOffset = file.offset
        file.out.bytes(page, 0, page.length)
        file.offset += page.length
      }
      bytes += uncompressed
      metas.push({
        column: s.schema,
        codec: s.codec,
        values: rows,
        offset: dataOffset,
        ...(s.constant !== undefined ? { dictionaryOffset: offset } : {}),
        uncompressedSize: uncompressed,
        compressedSize: file.offset - offset
      })
      s.values.clear()
    })
    file.groups.push({ rows, bytes, chunks: metas })
    file.rows = 0
  }
}

/** Bytes of values in the row group being filled. */
function valueBytes(file: ParquetTable): number {
  let bytes = 0
  for (const s of file.slots) bytes += s.values.length
  return bytes
}

function slot(name: string, type: ColumnType, required: boolean): Slot {
  const physical =
    type === 'double'
      ? DOUBLE
      : type === 'boolean'
        ? BOOLEAN
        : type === 'int64' || type === 'timestamp'
          ? INT64
          : BYTE_ARRAY
  const logical = type === 'string' || type === 'json' || type === 'timestamp' ? type : undefined
  return {
    schema: { name, physical, required, ...(logical ? { logical } : {}) },
    type,
    codec: physical === BYTE_ARRAY && !required ? GZIP : UNCOMPRESSED,
    // Both grow as a row group needs (a table of a few rows, or a constant, needs little).
    values: new PendingBytes(1024),
    defined: new Uint8Array(1024)
  }
}

function define(slot: Slot, row: number, defined: number): void {
  if (row >= slot.defined.length) {
    const larger = new Uint8Array(2 * slot.defined.length)
    larger.set(slot.defined)
    slot.defined = larger
  }
  slot.defined[row] = defined
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
function put(slot: Slot, source: TokenSource, from: number, to: number): number {
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
  for (let i = negative ? from + 1 : from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (c === 0x2e && point === -1) point = i
    else if (c >= 0x30 && c <= 0x39) {
      n = n * 10 + (c - 0x30)
      if (++digits > 15) return undefined
    } else return undefined
  }
  const value = point === -1 ? n : n / POWERS[to - point - 1]!
  return negative ? -value : value
}

/** A JSON number that is a safe integer (epoch milliseconds, a year), else undefined. */
function wholeNumber(text: string, from: number, to: number): number | undefined {
  const negative = text.charCodeAt(from) === 0x2d
  let n = 0
  let i = negative ? from + 1 : from
  // Fifteen digits are always exact; a longer or fractional number goes the long way.
  if (to - i <= 15) {
    for (; i < to; i++) {
      const c = text.charCodeAt(i) - 0x30
      if (c < 0 || c > 9) break
      n = n * 10 + c
    }
    if (i === to && to > from + (negative ? 1 : 0)) return negative ? -n : n
  }
  const c = text.charCodeAt(from)
  if (c !== 0x2d && (c < 0x30 || c > 0x39)) return undefined
  const value = Number(text.slice(from, to))
  return Number.isSafeInteger(value) ? value : undefined
}

/** A derived value (a timestamp is ISO text; strings are binary text). */
function putDerived(slot: Slot, row: number, value: ComputedValue): void {
  if (value === undefined) return define(slot, row, 0)
  define(slot, row, 1)
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
  const bytes = new PendingBytes()
  if (type === 'timestamp') bytes.int64(Date.parse(String(value)))
  else putBytes(bytes, toBinary(String(value)))
  return Buffer.from(bytes.contents())
}

/**
 * A column chunk of `rows` rows: its pages, in order, each in parts to append (compressed as
 * the slot says), and their size before compression.
 */
function encode(
  slot: Slot,
  rows: number,
  gzipInput: PendingBytes
): { pages: Uint8Array[]; uncompressed: number } {
  if (slot.constant) {
    const dictionary = dictionaryPage(slot.constant)
    const indexes = constantIndexes(rows)
    const header = dataPageHeader(rows, indexes.length, indexes.length, true)
    return {
      pages: [dictionary, header, indexes],
      uncompressed: dictionary.length + header.length + indexes.length
    }
  }
  // A data page (v1) holds the definition levels, then the values.
  const levels = slot.schema.required ? NO_BYTES : definitionLevels(slot.defined, rows)
  const values = slot.type === 'boolean' ? packBits(slot.values.contents()) : slot.values.contents()
  const size = levels.length + values.length
  const parts = slot.codec === GZIP ? [gzipped(levels, values, gzipInput)] : [levels, values]
  const stored = parts.reduce((sum, part) => sum + part.length, 0)
  const header = dataPageHeader(rows, size, stored)
  return { pages: [header, ...parts], uncompressed: header.length + size }
}

/**
 * GZIP of a data page's levels and values. Synchronous, on purpose: a compression in the thread
 * pool outlives a few young-generation collections, so its output buffers could be promoted and
 * then held until a full collection, which V8 starts only after 64 MB more of such memory.
 * Compressed at once, they die young.
 */
function gzipped(levels: Uint8Array, values: Uint8Array, input: PendingBytes): Buffer {
  input.clear()
  input.bytes(levels, 0, levels.length)
  input.bytes(values, 0, values.length)
  return gzipSync(input.contents(), GZIP_OPTIONS)
}

const GZIP_OPTIONS = { level: 1, memLevel: 5, windowBits: 13 }

const NO_BYTES = Buffer.alloc(0)

/** PLAIN booleans: one bit each, the first in the lowest bit. */
function packBits(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.ceil(bytes.length / 8))
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 1) out[i >> 3] = out[i >> 3]! | (1 << (i & 7))
  }
  return out
}
