import { gzipSync } from 'node:zlib'
import {
  BOOLEAN,
  BYTE_ARRAY,
  constantIndexes,
  dataPageHeader,
  definitionLevels,
  dictionaryPage,
  DOUBLE,
  GZIP,
  INT64,
  UNCOMPRESSED,
  type ColumnSchema
} from './parquet-format.js'
import { PendingBytes } from './pending-bytes.js'
import type { ColumnType } from './schema.js'

// A column's values are cut into pages of about this many bytes as they come, each encoded and
// compressed at once: until its row group is written, memory holds the group's pages compressed
// rather than its values (measured: see docs/performance.md). The values' buffer grows by doubling
// to 128 KiB; a page is cut below that with room for the row after, so the buffer stays there.
// Fewer pages cost less CPU: each is a zlib engine that outlives young collections.
const PAGE_BYTES = 120 * 1024

/**
 * One column of a Parquet table's file and its part of the row group being filled: the finished
 * pages (data page v1: definition levels, then PLAIN values; strings and JSON GZIP-compressed,
 * numbers and booleans, which gain little, not), and the values of the page being filled. A
 * constant column holds no values: its chunk is a dictionary of its one value and a page of
 * indexes to it.
 */
export class ParquetColumn {
  readonly schema: ColumnSchema
  readonly codec: number
  /** The values of the page being filled, PLAIN-encoded. */
  readonly values = new PendingBytes(1024)
  /** Per row of that page: 1 when it has a value. */
  private defined = new Uint8Array(1024)
  private pageRows = 0
  /** The row group's finished pages, each with its header. */
  private readonly pages = new PendingBytes(1024)
  /** Their size before compression, headers included. */
  private uncompressed = 0
  /** Bytes of values in them. */
  private pagedBytes = 0

  constructor(
    name: string,
    readonly type: ColumnType,
    /** Set for a constant column: its one value, PLAIN-encoded. */
    readonly constant: Buffer | undefined,
    /** Where a page's levels and values are joined to be compressed (shared: one page at a time). */
    private readonly gzipInput: PendingBytes
  ) {
    const physical =
      type === 'double'
        ? DOUBLE
        : type === 'boolean'
          ? BOOLEAN
          : type === 'int64' || type === 'timestamp'
            ? INT64
            : BYTE_ARRAY
    const logical = type === 'string' || type === 'json' || type === 'timestamp' ? type : undefined
    const required = constant !== undefined
    this.schema = { name, physical, required, ...(logical ? { logical } : {}) }
    this.codec = physical === BYTE_ARRAY && !required ? GZIP : UNCOMPRESSED
  }

  /** Bytes of values in the row group so far: what decides where it is cut. */
  get valueBytes(): number {
    return this.pagedBytes + this.values.length
  }

  /** The next row's definition level: 1 when it has a value. */
  define(defined: number): void {
    const row = this.pageRows++
    if (row >= this.defined.length) {
      const larger = new Uint8Array(2 * this.defined.length)
      larger.set(this.defined)
      this.defined = larger
    }
    this.defined[row] = defined
  }

  /** Called before a row's value is added: a full page is finished first, at a row's edge. */
  room(): void {
    if (this.values.length >= PAGE_BYTES) this.page()
  }

  /**
   * Appends the row group's column chunk (`rows` rows) to `out`, and starts the next group.
   * Returns where its data pages start in it (after a constant's dictionary page) and its size
   * before compression.
   */
  writeChunk(out: PendingBytes, rows: number): { dataStart: number; uncompressed: number } {
    if (this.constant !== undefined) {
      const dictionary = dictionaryPage(this.constant)
      const indexes = constantIndexes(rows)
      const header = dataPageHeader(rows, indexes.length, indexes.length, true)
      for (const part of [dictionary, header, indexes]) out.bytes(part, 0, part.length)
      return {
        dataStart: dictionary.length,
        uncompressed: dictionary.length + header.length + indexes.length
      }
    }
    this.page()
    const { pages, uncompressed } = this
    out.bytes(pages.contents(), 0, pages.length)
    pages.clear()
    this.uncompressed = 0
    this.pagedBytes = 0
    return { dataStart: 0, uncompressed }
  }

  /** The page being filled, encoded (and compressed) onto the finished ones. */
  private page(): void {
    const { values, pages } = this
    const rows = this.pageRows
    const levels = this.schema.required ? NO_BYTES : definitionLevels(this.defined, rows)
    const plain = this.type === 'boolean' ? packBits(values.contents()) : values.contents()
    const size = levels.length + plain.length
    const body = this.codec === GZIP ? this.gzipped(levels, plain) : undefined
    const header = dataPageHeader(rows, size, body?.length ?? size)
    pages.bytes(header, 0, header.length)
    if (body !== undefined) pages.bytes(body, 0, body.length)
    else {
      pages.bytes(levels, 0, levels.length)
      pages.bytes(plain, 0, plain.length)
    }
    this.uncompressed += header.length + size
    this.pagedBytes += values.length
    values.clear()
    this.pageRows = 0
  }

  /**
   * GZIP of a data page's levels and values. Synchronous, on purpose: a compression in the thread
   * pool outlives a few young-generation collections, so its output buffers could be promoted and
   * then held until a full collection, which V8 starts only after 64 MB more of such memory.
   * Compressed at once, they die young.
   */
  private gzipped(levels: Uint8Array, values: Uint8Array): Buffer {
    const input = this.gzipInput
    input.clear()
    input.bytes(levels, 0, levels.length)
    input.bytes(values, 0, values.length)
    return gzipUnpooled(input.contents())
  }
}

// Each gzipSync leaves its first output chunk with its engine object, which outlives young
// collections and is freed only by a full one. A chunk from Node's buffer pool keeps the pool's
// whole 8 KiB slab alive (each page's engine a different slab: 3,000 pages of 120 KiB in a loop
// held up to 20-32 MB); one of its own holds only its size (1.5 MB with 256 bytes, 3.5 with 1 KiB).
const GZIP_OPTIONS = { level: 1, memLevel: 5, windowBits: 13, chunkSize: 256 }

/** gzipSync whose buffers are not slices of Node's pool (see GZIP_OPTIONS). */
export function gzipUnpooled(input: Uint8Array): Buffer {
  const poolSize = Buffer.poolSize
  // Documented as modifiable; allocations below half of it come from the pool.
  Buffer.poolSize = 0
  try {
    return gzipSync(input, GZIP_OPTIONS)
  } finally {
    Buffer.poolSize = poolSize
  }
}

const NO_BYTES = Buffer.alloc(0)

/** PLAIN booleans: one bit each, the first in the lowest bit. */
function packBits(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(Math.ceil(bytes.length / 8))
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 1) out[i >> 3] = out[i >> 3]! | (1 << (i & 7))
  }
  return out
}
