import type { JsonTap, TokenSource } from '../checks/json-tap.js'
import { csvField, decodeToBinary, jsonString, toBinary } from './binary-text.js'
import { TABLE_LISTS, TABLE_NAMES, type TableFormat, type TableName } from '../table-layout.js'
import { TablesError } from './tables-error.js'

/** Limits that keep memory bounded whatever the payload holds. */
const MAX_COLUMNS = 10_000
const MAX_ROW_BYTES = 16 * 1024 * 1024
// Key positions remembered per table (see Table.seenRaw).
const KEY_CACHE = 256

const ENTRY_KEY = 'entryKey'
const ENTRY_KEY_MEMBER = `,"${ENTRY_KEY}":"`
/** entryKey is `timePeriodId|timeFrameId|userId|fieldId`: timeFrameId repeats across quarters. */
const ENTRY_KEY_PARTS = ['timePeriodId', 'timeFrameId', 'userId', 'fieldId']
const TABLE_OF_LIST = new Map(TABLE_NAMES.map(table => [TABLE_LISTS[table], table]))

export interface RowContext {
  format: TableFormat
  forecastId: string
  period: string
}

/** One table: its columns, the row being read, and rows not yet taken by the writer. */
class Table {
  rows = 0
  /** Finished rows waiting for the writer. */
  readonly pending = new PendingBytes()
  frozen = false
  readonly columns = new Map<string, number>()
  /** Column names as binary text, and as JSON strings for NDJSON. */
  readonly names: string[] = []
  readonly jsonNames: string[] = []
  /**
   * Per column: the element that last set it, and where its value's JSON text is (in the chunk it
   * was read from, kept until the row is written).
   */
  readonly stamps: number[] = []
  readonly sources: TokenSource[] = []
  readonly froms: number[] = []
  readonly tos: number[] = []
  /** The columns the current element set, in its order (NDJSON keeps the element's order). */
  readonly order: number[] = []
  orderLength = 0
  /** entries only: the columns of the entryKey parts, -1 until seen. */
  readonly keyParts: number[] | undefined
  /** forecastId, exportPeriod and (entries) entryKey: ours, never the element's. */
  readonly ownColumns: number
  // The keys met at each position of the elements so far. Elements of a list mostly share one
  // shape, so a key is mostly recognised by comparing its bytes, without slicing, decoding or
  // hashing it.
  readonly seenRaw: KeyBytes[] = []
  readonly seenPrefix: string[] = []
  readonly seenName: string[] = []
  /** -1: the key's name has no column yet. */
  readonly seenColumn: number[] = []

  constructor(readonly name: TableName) {
    const own = ['forecastId', 'exportPeriod']
    if (name === 'entries') {
      own.push(ENTRY_KEY)
      this.keyParts = ENTRY_KEY_PARTS.map(() => -1)
    }
    for (const column of own) this.column(column)
    this.ownColumns = own.length
  }

  column(name: string): number {
    const known = this.columns.get(name)
    if (known !== undefined) return known
    if (this.frozen) {
      throw new TablesError('the payload changed while its tables were being written', this.name)
    }
    if (this.names.length === MAX_COLUMNS) {
      throw new TablesError(`${this.name} has more than ${MAX_COLUMNS} distinct columns`, this.name)
    }
    const column = this.names.length
    this.columns.set(name, column)
    this.names.push(name)
    this.jsonNames.push(jsonString(name))
    this.stamps.push(0)
    this.sources.push(NO_SOURCE)
    this.froms.push(0)
    this.tos.push(0)
    const part = this.keyParts ? ENTRY_KEY_PARTS.indexOf(name) : -1
    if (part !== -1) this.keyParts![part] = column
    return column
  }

  value(column: number): string {
    return this.sources[column]!.text.slice(this.froms[column], this.tos[column])
  }
}

/**
 * Turns the tokens of the payload's five lists into table rows, one list element per row, as a
 * JsonTap of the streaming check: memory holds one element and the column names, never the list.
 *
 * Both formats add forecastId and exportPeriod to every row, and entryKey to entries. NDJSON keeps
 * each element as sent (nested values included; a repeated key keeps its first place and its last
 * value, as JSON.parse does). CSV flattens nested objects into `parent.child` columns and writes
 * arrays as JSON text; its columns are the union of the keys in first-seen order, so CSV reads the
 * payload twice: once to learn the columns (`writing` false), once to write the rows.
 */
export class RowCollector implements JsonTap {
  private readonly tables = new Map(TABLE_NAMES.map(name => [name, new Table(name)]))
  private readonly csv: boolean
  private readonly ndjsonHead: string
  private readonly csvHead: string
  private writing: boolean
  private readonly listsSeen = new Set<TableName>()
  private table: Table | undefined
  // Containers open inside the list: 1 inside the list, 2 inside an element, more when nested.
  private depth = 0
  private element = 0 // a number unique to the element being read
  private elementBytes = 0
  // NDJSON writes an element as sent when it is compact (its length is what its tokens take)
  // and plain (no repeated key, none of our columns); else it writes it again from its tokens.
  private compactLength = 0
  private plain = true
  private name = '' // of the member whose value comes next (CSV: with its parents' prefix)
  private column = -1 // its column; -1 until its first value makes one
  private keyIndex = 0 // of that key, counting every key of the element
  private prefix = '' // CSV: 'parent.' inside a flattened object
  private readonly prefixes: string[] = []
  // A nested value copied whole as compact JSON text (NDJSON objects and arrays; CSV arrays).
  private copy = ''
  private readonly closers: string[] = []
  private afterValue = false // a ',' comes before the next key or value
  // A view of the chunk being read, for comparing keys four bytes at a time.
  private viewed: TokenSource = NO_SOURCE
  private view = new DataView(NO_SOURCE.bytes.buffer)

  constructor(context: RowContext) {
    this.csv = context.format === 'csv'
    this.writing = !this.csv
    const forecastId = toBinary(context.forecastId)
    const period = toBinary(context.period)
    this.ndjsonHead = `{"forecastId":${jsonString(forecastId)},"exportPeriod":${jsonString(period)}`
    this.csvHead = `${csvField(forecastId)},${csvField(period)}`
  }

  /** CSV: the columns are known; read the payload again to write the rows under this header. */
  startWriting(): void {
    for (const table of this.tables.values()) {
      table.frozen = true
      table.rows = 0
    }
    this.listsSeen.clear()
    this.writing = true
  }

  rows(name: TableName): number {
    return this.tables.get(name)!.rows
  }

  /**
   * The rows finished so far. The bytes stay as they are until the take after next, so they can
   * be written while the next chunk is read.
   */
  take(name: TableName): Buffer {
    return this.tables.get(name)!.pending.take()
  }

  /** The CSV header row: our columns, then the union of the keys in first-seen order. */
  header(name: TableName): string {
    return `${this.tables.get(name)!.names.map(csvField).join(',')}\r\n`
  }

  select(key: string): boolean {
    const name = TABLE_OF_LIST.get(key)
    if (name === undefined) return false
    if (this.listsSeen.has(name)) {
      throw new TablesError(`the payload has more than one "${key}" list`, name)
    }
    this.listsSeen.add(name)
    this.table = this.tables.get(name)
    this.depth = 0
    return true
  }

  end(): void {
    this.table = undefined
  }

  open(isArray: boolean): boolean {
    const nested = this.depth >= 2
    if (nested) this.count(1)
    if (this.closers.length > 0 || (nested && (isArray || !this.csv))) {
      this.copyText(isArray ? '[' : '{')
      this.closers.push(isArray ? ']' : '}')
      this.afterValue = false
      return false
    }
    this.afterValue = false
    const table = this.table!
    if (this.depth === 0 && !isArray) throw this.notAList('an object')
    if (this.depth === 1) {
      if (isArray) throw this.notAnObject('a list')
      this.element++
      this.elementBytes = 0
      this.compactLength = 2
      this.plain = true
      this.keyIndex = -1
      table.orderLength = 0
    } else if (this.depth >= 2) {
      // CSV: the object's members become columns named after it.
      this.prefixes.push(this.prefix)
      this.prefix = `${this.name}.`
    }
    this.depth++
    // An element's text also tells which chunk its values' bytes are still in.
    return this.depth === 2 && this.writing
  }

  close(span: TokenSource | undefined, from: number, to: number): void {
    if (this.closers.length > 0) {
      this.compactLength++
      this.afterValue = true
      this.copy += this.closers.pop()!
      if (this.closers.length === 0) this.set(textSource(this.copy), 0, this.copy.length)
      return
    }
    this.depth--
    if (this.depth >= 2) {
      this.compactLength++
      this.afterValue = true
      this.prefix = this.prefixes.pop()!
    } else if (this.depth === 1) this.finishRow(span, from, to)
  }

  key(source: TokenSource, from: number, to: number): void {
    this.count(to - from + 1)
    if (this.closers.length > 0) this.copyText(`${source.text.slice(from, to)}:`)
    this.afterValue = false
    if (this.closers.length > 0) return
    const table = this.table!
    const at = ++this.keyIndex
    const seen = table.seenRaw[at]
    if (source !== this.viewed) {
      const { bytes } = source
      this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
      this.viewed = source
    }
    if (
      seen !== undefined &&
      seen.matches(this.view, source.bytes, from, to) &&
      this.prefix === table.seenPrefix[at]
    ) {
      this.name = table.seenName[at]!
      this.column = table.seenColumn[at]!
      return
    }
    this.name = this.prefix + decodeToBinary(source.text.slice(from, to))
    this.column = table.columns.get(this.name) ?? -1
    if (at < KEY_CACHE) {
      table.seenRaw[at] = new KeyBytes(new Uint8Array(source.bytes.subarray(from, to)))
      table.seenPrefix[at] = this.prefix
      table.seenName[at] = this.name
      table.seenColumn[at] = this.column
    }
  }

  value(source: TokenSource, from: number, to: number): void {
    if (this.depth <= 1) {
      const json = source.text.slice(from, to)
      // A null list is an empty one.
      if (this.depth === 0 && json === 'null') return
      throw this.depth === 0
        ? this.notAList(describeScalar(json))
        : this.notAnObject(describeScalar(json))
    }
    this.count(to - from)
    if (this.closers.length > 0) this.copyText(source.text.slice(from, to))
    else this.set(source, from, to)
    this.afterValue = true
  }

  /** Counts a token of the element (and the comma before it) towards its compact length. */
  private count(length: number): void {
    this.compactLength += this.afterValue ? length + 1 : length
  }

  private copyText(json: string): void {
    if (this.closers.length === 0) this.copy = json
    else this.copy += this.afterValue ? `,${json}` : json
    if (this.copy.length > MAX_ROW_BYTES) throw this.tooLarge()
  }

  /** The current member's value: the last one wins, in the place of the first. */
  private set(source: TokenSource, from: number, to: number): void {
    const table = this.table!
    let column = this.column
    if (column === -1) {
      // A column is made by a value: a CSV object whose members are columns makes none itself.
      column = this.column = table.column(this.name)
      if (this.keyIndex < KEY_CACHE) table.seenColumn[this.keyIndex] = column
    }
    if (column < table.ownColumns) {
      this.plain = false
      return
    }
    this.elementBytes += to - from
    if (this.elementBytes > MAX_ROW_BYTES) throw this.tooLarge()
    if (table.stamps[column] !== this.element) {
      table.stamps[column] = this.element
      table.order[table.orderLength++] = column
    } else this.plain = false
    table.sources[column] = source
    table.froms[column] = from
    table.tos[column] = to
  }

  /** The element closed; `span` holds its JSON text (NDJSON asks for it). */
  private finishRow(span: TokenSource | undefined, from: number, to: number): void {
    const table = this.table!
    if (this.writing) {
      if (this.csv) this.csvRow(table, span)
      else this.ndjsonRow(table, span, from, to)
    }
    table.rows++
    // Let go of the chunks the values were read from.
    for (let i = 0; i < table.orderLength; i++) table.sources[table.order[i]!] = NO_SOURCE
  }

  // Rows go straight into the table's bytes, piece by piece: no row string is built (and then
  // copied), which keeps the garbage, and so the process's memory, low.

  private ndjsonRow(table: Table, span: TokenSource | undefined, from: number, to: number): void {
    const out = table.pending
    out.text(this.ndjsonHead)
    if (table.keyParts) {
      out.text(ENTRY_KEY_MEMBER)
      this.entryKey(table, out, span)
      out.byte(0x22)
    }
    if (span !== undefined && this.plain && to - from === this.compactLength) {
      // The element as sent, after our members.
      if (table.orderLength === 0) out.text('}\n')
      else {
        out.byte(0x2c)
        out.bytes(span.bytes, from + 1, to)
        out.byte(0x0a)
      }
      return
    }
    for (let i = 0; i < table.orderLength; i++) {
      const column = table.order[i]!
      out.byte(0x2c)
      out.text(table.jsonNames[column]!)
      out.byte(0x3a)
      out.slice(table.sources[column]!.text, table.froms[column]!, table.tos[column]!)
    }
    out.text('}\n')
  }

  private csvRow(table: Table, span: TokenSource | undefined): void {
    const out = table.pending
    out.text(this.csvHead)
    if (table.keyParts) {
      out.byte(0x2c)
      // Ids are mostly plain, so the key is its field as it is.
      if (this.plainKeyParts(table, span)) this.entryKey(table, out, span)
      else out.text(csvField(this.entryKey(table)))
    }
    const { names, stamps } = table
    for (let column = table.ownColumns; column < names.length; column++) {
      out.byte(0x2c)
      if (stamps[column] === this.element) this.csvCell(table, column, span, out)
    }
    out.text('\r\n')
  }

  /** Whether each entryKey part is in the element's chunk and needs no decoding or CSV quoting. */
  private plainKeyParts(table: Table, span: TokenSource | undefined): boolean {
    for (const column of table.keyParts!) {
      if (column === -1 || table.stamps[column] !== this.element) continue
      if (span === undefined || table.sources[column] !== span) return false
      if (!plainCsvBytes(span.bytes, table.froms[column]!, table.tos[column]!, 1)) return false
    }
    return true
  }

  /** Copies the bytes when they are still there and need no change; else goes through text. */
  private csvCell(table: Table, column: number, span: TokenSource | undefined, out: PendingBytes) {
    const source = table.sources[column]!
    const from = table.froms[column]!
    const to = table.tos[column]!
    if (source === span) {
      const { bytes } = source
      const first = bytes[from]
      if (first === 0x6e) return // null
      if (first === 0x22 && to - from > 2 && plainCsvBytes(bytes, from, to, 1)) {
        out.bytes(bytes, from + 1, to - 1)
        return
      }
      if (first !== 0x22 && first !== 0x5b) {
        out.bytes(bytes, from, to) // a number, true or false
        return
      }
    }
    out.text(csvCell(source.text.slice(from, to)))
  }

  /**
   * A string part is its contents (for NDJSON, written to `out` escaped as sent, which stays valid
   * inside the key's quotes; for CSV, returned decoded), a number its text; anything else, or a
   * missing part, is empty.
   */
  private entryKey(table: Table, out?: PendingBytes, span?: TokenSource): string {
    const parts = table.keyParts!
    let key = ''
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) {
        if (out) out.byte(0x7c)
        else key += '|'
      }
      const column = parts[i]!
      if (column === -1 || table.stamps[column] !== this.element) continue
      const source = table.sources[column]!
      const { text } = source
      let from = table.froms[column]!
      let to = table.tos[column]!
      const first = text.charCodeAt(from)
      const quoted = first === 0x22
      if (!quoted && first !== 0x2d && !(first >= 0x30 && first <= 0x39)) continue
      if (out === undefined)
        key += quoted ? decodeToBinary(text.slice(from, to)) : text.slice(from, to)
      else {
        if (quoted) {
          from++
          to--
        }
        // The element's own chunk is still there to copy from; an earlier one is not.
        if (source === span) out.bytes(source.bytes, from, to)
        else out.slice(text, from, to)
      }
    }
    return key
  }

  private notAList(what: string): TablesError {
    const list = TABLE_LISTS[this.table!.name]
    return new TablesError(`"${list}" is ${what}, not a list`, this.table!.name)
  }

  private notAnObject(what: string): TablesError {
    const list = TABLE_LISTS[this.table!.name]
    return new TablesError(
      `element ${this.table!.rows} of "${list}" is ${what}, not an object`,
      this.table!.name
    )
  }

  private tooLarge(): TablesError {
    const list = TABLE_LISTS[this.table!.name]
    return new TablesError(
      `element ${this.table!.rows} of "${list}" is larger than ${MAX_ROW_BYTES} bytes`,
      this.table!.name
    )
  }
}

/**
 * Bytes of finished rows, in two buffers taken in turn: what one take hands over stays untouched
 * until the take after next, long enough for its write (a TableFile has one write in flight).
 */
class PendingBytes {
  private buffer = Buffer.allocUnsafe(64 * 1024)
  private other = Buffer.allocUnsafe(64 * 1024)
  private length = 0

  /** Binary text (one char per byte). */
  text(binary: string): void {
    this.reserve(binary.length)
    this.length += this.buffer.write(binary, this.length, 'latin1')
  }

  byte(byte: number): void {
    this.reserve(1)
    this.buffer[this.length++] = byte
  }

  /** Part of binary text, copied char by char: cheaper than slicing it for short parts. */
  slice(binary: string, from: number, to: number): void {
    this.reserve(to - from)
    const buffer = this.buffer
    let at = this.length
    for (let i = from; i < to; i++) buffer[at++] = binary.charCodeAt(i)
    this.length = at
  }

  bytes(bytes: Uint8Array, from: number, to: number): void {
    this.reserve(to - from)
    if (to - from > 64) this.buffer.set(bytes.subarray(from, to), this.length)
    else {
      // Short runs: a loop beats making a view to copy from.
      const buffer = this.buffer
      let at = this.length
      for (let i = from; i < to; i++) buffer[at++] = bytes[i]!
    }
    this.length += to - from
  }

  private reserve(length: number): void {
    if (this.length + length <= this.buffer.length) return
    const larger = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + length))
    this.buffer.copy(larger, 0, 0, this.length)
    this.buffer = larger
  }

  take(): Buffer {
    const bytes = this.buffer.subarray(0, this.length)
    if (this.length > 0) [this.buffer, this.other] = [this.other, this.buffer]
    this.length = 0
    return bytes
  }
}

const NO_SOURCE: TokenSource = { bytes: new Uint8Array(0), text: '' }

/** A value assembled here (a copied nested value); only its text is read. */
function textSource(text: string): TokenSource {
  return { bytes: NO_SOURCE.bytes, text }
}

/** A key's bytes, compared four at a time (keys are mostly recognised, so mostly all of them). */
class KeyBytes {
  private readonly words: Int32Array

  constructor(private readonly bytes: Uint8Array) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
    this.words = Int32Array.from({ length: bytes.length >> 2 }, (_, i) =>
      view.getInt32(4 * i, true)
    )
  }

  /** Whether `bytes[from..to)`, which `view` also shows, are this key's bytes. */
  matches(view: DataView, bytes: Uint8Array, from: number, to: number): boolean {
    const own = this.bytes
    if (own.length !== to - from) return false
    const words = this.words
    let i = 0
    for (let w = 0; w < words.length; w++, i += 4) {
      if (view.getInt32(from + i, true) !== words[w]) return false
    }
    for (; i < own.length; i++) if (bytes[from + i] !== own[i]) return false
    return true
  }
}

// A value's JSON text tells its type by its first character.
const isString = (json: string): boolean => json.charCodeAt(0) === 0x22
const isNumber = (json: string): boolean => {
  const c = json.charCodeAt(0)
  return c === 0x2d || (c >= 0x30 && c <= 0x39)
}

/**
 * Whether a value's bytes are its CSV field as they are, `trim` bytes aside at each end (a
 * string's quotes): no escape, comma or quote.
 */
function plainCsvBytes(bytes: Uint8Array, from: number, to: number, trim: number): boolean {
  for (let i = from + trim; i < to - trim; i++) {
    const c = bytes[i]
    if (c === 0x5c || c === 0x2c || c === 0x22) return false
  }
  return true
}

/** A CSV field: strings decoded, numbers and booleans as sent, null empty, arrays as JSON. */
function csvCell(json: string): string {
  if (isString(json)) {
    // Most strings need neither decoding nor quoting ('""', the empty one, is its own field).
    const plain =
      json.indexOf('\\') === -1 &&
      json.indexOf(',') === -1 &&
      json.indexOf('"', 1) === json.length - 1
    return plain && json.length > 2 ? json.slice(1, -1) : csvField(decodeToBinary(json))
  }
  if (json === 'null') return ''
  return json.charCodeAt(0) === 0x5b ? csvField(json) : json
}

function describeScalar(json: string): string {
  if (isString(json)) return 'a string'
  if (isNumber(json)) return 'a number'
  return json === 'null' ? 'null' : 'a boolean'
}
