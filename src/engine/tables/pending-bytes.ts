import type { TableName } from '../table-layout.js'
import { binaryOf, jsonString } from './binary-text.js'

/** Writes bytes to a table's file, in order; resolves when the next bytes may be made. */
export type WriteBytes = (table: TableName, bytes: Buffer) => Promise<void>

/** Rows gathered for one write: fewer, larger writes cost less per byte than one per chunk. */
export const WRITE_BYTES = 256 * 1024

/** Writes each table's pending bytes once they are `least` or more (at least 1: all there are). */
export async function writePending(
  out: ReadonlyMap<TableName, PendingBytes>,
  write: WriteBytes,
  least: number
): Promise<void> {
  for (const [table, bytes] of out) {
    if (bytes.length >= least) await write(table, bytes.take())
  }
}

/**
 * Bytes of finished rows, in two buffers taken in turn: what one take hands over stays untouched
 * until the take after next, long enough for its write (a TableFile has one write in flight).
 * Rows go in piece by piece: no row string is built (and then copied), which keeps the garbage,
 * and so the process's memory, low.
 */
export class PendingBytes {
  private buffer: Buffer
  /** Made at the first take: bytes only ever cleared (a Parquet column's) need one buffer. */
  private other: Buffer | undefined
  length = 0

  /** `size`: the first buffer's; it grows as the bytes need. */
  // Stryker disable next-line ArithmeticOperator: the first size only sets when the buffer grows; the bytes are the same
  constructor(size = 64 * 1024) {
    this.buffer = Buffer.allocUnsafe(size)
  }

  /** Binary text (one char per byte). */
  text(binary: string): void {
    const length = binary.length
    // Short text: a loop beats the call into the native write.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only: both ways write the same bytes
    if (length > 64) {
      this.reserve(length)
      this.length += this.buffer.write(binary, this.length, 'latin1')
    } else this.slice(binary, 0, length)
  }

  /**
   * Binary text as a JSON string literal: copied as it is when nothing in it needs escaping (the
   * rule), else escaped by JSON.stringify.
   */
  jsonString(binary: string): void {
    const length = binary.length
    this.reserve(length + 2)
    const buffer = this.buffer
    const start = this.length
    buffer[start] = 0x22
    // Long text (a computed key, often a cons string): one native copy, then a look at the bytes.
    // Stryker disable next-line ConditionalExpression,EqualityOperator: speed only: both ways copy the same bytes
    if (length > 16) buffer.write(binary, start + 1, length, 'latin1')
    else for (let i = 0; i < length; i++) buffer[start + 1 + i] = binary.charCodeAt(i)
    const end = start + 1 + length
    // Stryker disable next-line ArithmeticOperator,UpdateOperator: reaching the opening quote sends all text to jsonString, which writes text needing no escape as it is
    for (let at = start + 1; at < end; at++) {
      const c = buffer[at]!
      if (c < 0x20 || c === 0x22 || c === 0x5c) {
        this.text(jsonString(binary))
        return
      }
    }
    buffer[end] = 0x22
    this.length = end + 1
  }

  byte(byte: number): void {
    this.reserve(1)
    this.buffer[this.length++] = byte
  }

  /** Part of binary text, copied char by char: cheaper than slicing it for short parts. */
  slice(binary: string, from: number, to: number): void {
    // Stryker disable next-line ArithmeticOperator: reserving more only grows the buffer sooner
    this.reserve(to - from)
    const buffer = this.buffer
    let at = this.length
    for (let i = from; i < to; i++) buffer[at++] = binary.charCodeAt(i)
    this.length = at
  }

  bytes(bytes: Uint8Array, from: number, to: number): void {
    // Stryker disable next-line ArithmeticOperator: reserving more only grows the buffer sooner
    this.reserve(to - from)
    // A plain view: Buffer's subarray costs a Buffer (its species) each time.
    // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: speed only: the view and the loop copy the same bytes
    if (to - from > 64)
      this.buffer.set(new Uint8Array(bytes.buffer, bytes.byteOffset + from, to - from), this.length)
    else {
      // Short runs: a loop beats making a view to copy from.
      const buffer = this.buffer
      let at = this.length
      for (let i = from; i < to; i++) buffer[at++] = bytes[i]!
    }
    this.length += to - from
  }

  /**
   * Copies bytes of which none is one of `stops` (1 per byte value that cannot be copied as it
   * is; by default the backslash: a JSON string's bytes that need no decoding) and returns true;
   * returns false, with nothing added, at the first that is. One pass both checks and copies.
   */
  plainBytes(bytes: Uint8Array, from: number, to: number, stops = BACKSLASH): boolean {
    // Stryker disable next-line ArithmeticOperator: reserving more only grows the buffer sooner
    this.reserve(to - from)
    const buffer = this.buffer
    let at = this.length
    for (let i = from; i < to; i++) {
      const c = bytes[i]!
      if (stops[c] === 1) return false
      buffer[at++] = c
    }
    this.length = at
    return true
  }

  /** Binary text, given as its bytes, as a JSON string literal (see jsonString). */
  jsonBytes(bytes: Uint8Array): void {
    const start = this.length
    this.byte(0x22)
    if (this.plainBytes(bytes, 0, bytes.length, JSON_ESCAPED)) this.byte(0x22)
    else {
      this.length = start
      this.text(jsonString(binaryOf(bytes)))
    }
  }

  /** Four bytes, little-endian. */
  uint32(value: number): void {
    this.reserve(4)
    const buffer = this.buffer
    const at = this.length
    buffer[at] = value
    buffer[at + 1] = value >>> 8
    buffer[at + 2] = value >>> 16
    buffer[at + 3] = value >>> 24
    this.length = at + 4
  }

  float64(value: number): void {
    this.reserve(8)
    FLOAT[0] = value
    const buffer = this.buffer
    const at = this.length
    for (let i = 0; i < 8; i++) buffer[at + i] = FLOAT_BYTES[i]!
    this.length = at + 8
  }

  /** A whole number of at most 2^53 in magnitude, as a little-endian int64. */
  int64(value: number): void {
    const high = Math.floor(value / 0x1_0000_0000)
    this.uint32(value - high * 0x1_0000_0000)
    this.uint32(high)
  }

  private reserve(length: number): void {
    if (this.length + length <= this.buffer.length) return
    const larger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + length))
    this.buffer.copy(larger, 0, 0, this.length)
    this.buffer = larger
  }

  /** The bytes so far, valid until more are added or the buffer is cleared. */
  contents(): Buffer {
    return this.buffer.subarray(0, this.length)
  }

  clear(): void {
    this.length = 0
  }

  /** The bytes so far; they stay as they are until the take after next. */
  take(): Buffer {
    const bytes = this.buffer.subarray(0, this.length)
    if (this.length > 0) {
      const other = this.other ?? Buffer.allocUnsafe(this.buffer.length)
      this.other = this.buffer
      this.buffer = other
    }
    this.length = 0
    return bytes
  }
}

/** Byte sets for plainBytes: 1 for the bytes in the set. */
export function byteSet(bytes: readonly number[]): Uint8Array {
  const set = new Uint8Array(256)
  for (const b of bytes) set[b] = 1
  return set
}

const BACKSLASH = byteSet([0x5c])
/** What a JSON string literal escapes: the quote, the backslash and control characters. */
const JSON_ESCAPED = byteSet([0x22, 0x5c, ...Array.from({ length: 0x20 }, (_, c) => c)])

// Where a double becomes its eight bytes (little-endian, as every platform Node runs on).
const FLOAT = new Float64Array(1)
const FLOAT_BYTES = new Uint8Array(FLOAT.buffer)
