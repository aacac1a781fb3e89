/**
 * The parts of the Parquet format (github.com/apache/parquet-format, parquet.thrift) the tables
 * need: flat schemas of optional or required columns, data pages (v1, PLAIN values, RLE
 * definition levels), constant columns dictionary-encoded, and the footer, in
 * Thrift's compact protocol. What DuckDB, BigQuery and Snowflake read; nothing more.
 */

/** Physical types (parquet.thrift `Type`). */
export const BOOLEAN = 0
export const INT64 = 2
export const DOUBLE = 5
export const BYTE_ARRAY = 6

/** Compression codecs (`CompressionCodec`). */
export const UNCOMPRESSED = 0
export const GZIP = 2

// Encodings, page types, repetition and converted types.
const PLAIN = 0
const RLE = 3
const RLE_DICTIONARY = 8
const DATA_PAGE = 0
const DICTIONARY_PAGE = 2
const REQUIRED = 0
const OPTIONAL = 1
const UTF8 = 0
const TIMESTAMP_MILLIS = 9
const JSON_CONVERTED = 19

export const MAGIC = Buffer.from('PAR1', 'latin1')

/** How a column is stored and what it means. */
export interface ColumnSchema {
  name: string
  physical: number
  /** STRING, JSON or TIMESTAMP (UTC, milliseconds) on top of the physical type. */
  logical?: 'string' | 'json' | 'timestamp'
  required: boolean
}

/** Where one column chunk landed in the file, for the footer. */
export interface ChunkMeta {
  column: ColumnSchema
  codec: number
  values: number
  offset: number
  dictionaryOffset?: number
  uncompressedSize: number
  compressedSize: number
}

export interface RowGroupMeta {
  rows: number
  bytes: number
  chunks: ChunkMeta[]
}

/** The header of a data page of `size` bytes (`uncompressed` before compression). */
export function dataPageHeader(
  values: number,
  uncompressed: number,
  size: number,
  dictionary = false
): Buffer {
  const header = new CompactWriter()
  header.i32(1, DATA_PAGE)
  header.i32(2, uncompressed)
  header.i32(3, size)
  header.begin(5)
  header.i32(1, values)
  header.i32(2, dictionary ? RLE_DICTIONARY : PLAIN)
  header.i32(3, RLE)
  header.i32(4, RLE)
  header.end()
  header.end()
  return header.bytes()
}

/** A dictionary page of one PLAIN value (a constant column's). */
export function dictionaryPage(value: Uint8Array): Buffer {
  const header = new CompactWriter()
  header.i32(1, DICTIONARY_PAGE)
  header.i32(2, value.length)
  header.i32(3, value.length)
  header.begin(7)
  header.i32(1, 1)
  header.i32(2, PLAIN)
  header.end()
  header.end()
  return Buffer.concat([header.bytes(), value])
}

/** A data page's values for `rows` rows that all take entry 0 of a dictionary. */
export function constantIndexes(rows: number): Buffer {
  // Bit width 1, then one RLE run of zeros.
  return Buffer.from([1, ...varint(rows * 2), 0])
}

/**
 * An optional column's definition levels (1 defined, 0 null), RLE/bit-packed hybrid with its
 * length in front, as data page v1 holds them: one run when all are alike, else bit-packed.
 */
export function definitionLevels(defined: Uint8Array, rows: number): Buffer {
  let ones = 0
  for (let i = 0; i < rows; i++) ones += defined[i]!
  if (ones === rows || ones === 0) return withLength([...varint(rows * 2), ones === 0 ? 0 : 1])
  // Bit-packed straight into the page's bytes: per row, no list of numbers to build and copy.
  const groups = Math.ceil(rows / 8)
  const run = varint(groups * 2 + 1)
  const out = Buffer.alloc(4 + run.length + groups)
  out.writeUInt32LE(run.length + groups, 0)
  out.set(run, 4)
  let at = 4 + run.length
  for (let first = 0; first < rows; first += 8) {
    let byte = 0
    const bits = Math.min(8, rows - first)
    for (let bit = 0; bit < bits; bit++) byte |= defined[first + bit]! << bit
    out[at++] = byte
  }
  return out
}

/** Bytes with their length in front (four bytes, little-endian). */
function withLength(bytes: number[]): Buffer {
  const out = Buffer.alloc(4 + bytes.length)
  out.writeUInt32LE(bytes.length, 0)
  out.set(bytes, 4)
  return out
}

/** The footer: FileMetaData, its length and the magic. */
export function footer(schema: ColumnSchema[], groups: RowGroupMeta[], createdBy: string): Buffer {
  const meta = new CompactWriter()
  meta.i32(1, 1)
  meta.list(2, STRUCT, schema.length + 1)
  meta.begin()
  meta.string(4, 'schema')
  meta.i32(5, schema.length)
  meta.end()
  for (const column of schema) {
    meta.begin()
    meta.i32(1, column.physical)
    meta.i32(3, column.required ? REQUIRED : OPTIONAL)
    meta.string(4, column.name)
    if (column.logical === 'string') meta.i32(6, UTF8)
    if (column.logical === 'json') meta.i32(6, JSON_CONVERTED)
    if (column.logical === 'timestamp') meta.i32(6, TIMESTAMP_MILLIS)
    if (column.logical !== undefined) {
      meta.begin(10)
      if (column.logical === 'timestamp') {
        meta.begin(8)
        meta.bool(1, true)
        meta.begin(2)
        meta.begin(1)
        meta.end()
        meta.end()
        meta.end()
      } else {
        meta.begin(column.logical === 'string' ? 1 : 12)
        meta.end()
      }
      meta.end()
    }
    meta.end()
  }
  meta.i64(
    3,
    groups.reduce((sum, g) => sum + g.rows, 0)
  )
  meta.list(4, STRUCT, groups.length)
  for (const group of groups) {
    meta.begin()
    meta.list(1, STRUCT, group.chunks.length)
    for (const chunk of group.chunks) {
      meta.begin()
      meta.i64(2, chunk.dictionaryOffset ?? chunk.offset)
      meta.begin(3)
      meta.i32(1, chunk.column.physical)
      const dictionary = chunk.dictionaryOffset !== undefined
      const encodings = dictionary ? [PLAIN, RLE, RLE_DICTIONARY] : [PLAIN, RLE]
      meta.list(2, I32, encodings.length)
      for (const encoding of encodings) meta.varint(zigzag(encoding))
      meta.list(3, BINARY, 1)
      meta.binary(Buffer.from(chunk.column.name, 'utf8'))
      meta.i32(4, chunk.codec)
      meta.i64(5, chunk.values)
      meta.i64(6, chunk.uncompressedSize)
      meta.i64(7, chunk.compressedSize)
      meta.i64(9, chunk.offset)
      if (dictionary) meta.i64(11, chunk.dictionaryOffset!)
      meta.end()
      meta.end()
    }
    meta.i64(2, group.bytes)
    meta.i64(3, group.rows)
    meta.end()
  }
  meta.string(6, createdBy)
  meta.end()
  const bytes = meta.bytes()
  const length = Buffer.alloc(4)
  length.writeUInt32LE(bytes.length, 0)
  return Buffer.concat([bytes, length, MAGIC])
}

// Compact protocol types.
const TRUE = 1
const FALSE = 2
const I32 = 5
const I64 = 6
const BINARY = 8
const LIST = 9
const STRUCT = 12

/** Thrift's compact protocol, for the few shapes above: structs of ints, strings and lists. */
class CompactWriter {
  private readonly out: number[] = []
  private last = 0
  private readonly lasts: number[] = []

  // Short form only: every struct above writes its fields in ascending order, none more than 15
  // ids after the one before (the long form, a zigzag id, would serve other orders).
  private field(id: number, type: number): void {
    this.out.push(((id - this.last) << 4) | type)
    this.last = id
  }

  i32(id: number, value: number): void {
    this.field(id, I32)
    this.varint(zigzag(value))
  }

  i64(id: number, value: number): void {
    this.field(id, I64)
    this.varint(zigzag(value))
  }

  bool(id: number, value: boolean): void {
    this.field(id, value ? TRUE : FALSE)
  }

  string(id: number, value: string): void {
    this.field(id, BINARY)
    this.binary(Buffer.from(value, 'utf8'))
  }

  binary(bytes: Uint8Array): void {
    this.varint(bytes.length)
    for (const byte of bytes) this.out.push(byte)
  }

  /** A struct: the value of field `id`, or (no id) an element of a list. */
  begin(id?: number): void {
    if (id !== undefined) this.field(id, STRUCT)
    this.lasts.push(this.last)
    this.last = 0
  }

  end(): void {
    this.out.push(0)
    this.last = this.lasts.pop() ?? 0
  }

  list(id: number, type: number, size: number): void {
    this.field(id, LIST)
    if (size < 15) this.out.push((size << 4) | type)
    else {
      this.out.push(0xf0 | type)
      this.varint(size)
    }
  }

  varint(value: number): void {
    this.out.push(...varint(value))
  }

  bytes(): Buffer {
    return Buffer.from(this.out)
  }
}

/** ULEB128 of a whole number below 2^63 that doubles represent exactly. */
function varint(value: number): number[] {
  const out: number[] = []
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80)
    value = Math.floor(value / 0x80)
  }
  out.push(value)
  return out
}

// Zigzag of a number that is never negative here (a count, size, offset or enum): twice itself.
const zigzag = (value: number): number => value * 2
