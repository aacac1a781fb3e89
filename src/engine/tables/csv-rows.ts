import type { TableName } from '../table-layout.js'
import { binaryOf, csvField, decodeToBinary, toBinary } from './binary-text.js'
import type { DerivedValue } from './derived-columns.js'
import {
  byteSet,
  PendingBytes,
  WRITE_BYTES,
  writePending,
  type WriteBytes
} from './pending-bytes.js'
import { isString, type RowEngine, type TableRows } from './row-engine.js'
import type { RowsWriter } from './rows-writer.js'

/**
 * CSV rows (RFC 4180, CRLF, UTF-8) under a header of the action's columns, the list's declared
 * fields (schema.ts) and then every other member in the order its first value came, nested
 * objects flattened into `parent.child` columns (a name taken twice gets a suffix), lists (and an
 * object where the column holds other values too) as JSON text.
 *
 * The header is written before the first row, so a column first met after rows were written
 * makes that table's file wrong: it is then left to a pass of its own (`redo`), which reads the
 * payload again with every column known. Clari's lists keep to their declared fields, so one pass
 * is the rule.
 *
 * With `formulaGuard`, a string cell that a spreadsheet would run as a formula (starting with
 * `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's list) gets a leading `'`.
 */
export class CsvRows implements RowsWriter {
  readonly wantsSpan = false
  readonly redo = new Set<TableName>()
  private readonly out = new Map<TableName, PendingBytes>()
  /** Per table, once its header is written: the columns it has, in order. */
  private readonly headers = new Map<TableName, number[]>()
  private readonly constants = new Map<TableName, string>()

  constructor(
    private readonly engine: RowEngine,
    private readonly formulaGuard: boolean,
    /** The tables this pass writes (a redo pass writes only its own). */
    private readonly only?: ReadonlySet<TableName>
  ) {
    for (const table of engine.tables.values()) {
      this.out.set(table.name, new PendingBytes())
      const values = table.constants.map(c => {
        const value = c.constant(engine.context)
        return typeof value === 'string' ? toBinary(value) : value
      })
      this.constants.set(table.name, values.map(v => this.cell(v)).join(','))
    }
    engine.onLeaf = (table: TableRows) => {
      if (this.headers.has(table.name)) this.redo.add(table.name)
    }
  }

  row(table: TableRows, element: number): void {
    const name = table.name
    if (this.redo.has(name) || (this.only && !this.only.has(name))) return
    const out = this.out.get(name)!
    const header = this.headers.get(name) ?? this.writeHeader(table, out)
    out.text(this.constants.get(name)!)
    const { values } = table
    for (let i = 0; i < values.length; i++) {
      out.byte(0x2c)
      const value = values[i]
      if (!(value instanceof Uint8Array)) out.text(this.cell(value))
      else if (value.length === 0 || !this.plainField(out, value, 0, value.length)) {
        out.text(this.text(binaryOf(value)))
      }
    }
    const { stamps, sources, froms, tos } = table
    for (let i = 0; i < header.length; i++) {
      out.byte(0x2c)
      const column = header[i]!
      if (stamps[column] !== element) continue
      const source = sources[column]!
      const from = froms[column]!
      const to = tos[column]!
      const { bytes } = source
      const first = bytes[from]
      // Straight from the chunk when the bytes are the field as they are.
      // Stryker disable next-line BlockStatement: without the fast path, jsonCell writes the very same field
      if (bytes.length > 0) {
        if (first === 0x6e) continue // null
        // Stryker disable next-line BlockStatement: a string left to jsonCell is decoded and quoted to the very same field
        if (first === 0x22) {
          if (to - from > 2 && this.plainField(out, bytes, from + 1, to - 1)) continue
        } else if (first !== 0x5b && first !== 0x7b) {
          out.bytes(bytes, from, to) // a number, true or false
          continue
        }
      }
      out.text(this.jsonCell(source.text.slice(from, to)))
    }
    out.text('\r\n')
  }

  private writeHeader(table: TableRows, out: PendingBytes): number[] {
    const header = [...table.leaves]
    this.headers.set(table.name, header)
    const names = [
      ...table.constants.map(c => c.name),
      ...table.computing.map(c => c.column.name),
      ...header.map(i => table.columns[i]!.name)
    ]
    out.text(`${names.map(name => this.text(name)).join(',')}\r\n`)
    return header
  }

  flush(write: WriteBytes): Promise<void> {
    return writePending(this.out, write, WRITE_BYTES)
  }

  async finish(write: WriteBytes): Promise<void> {
    // A table without rows still gets its header.
    for (const table of this.engine.tables.values()) {
      if (this.only && !this.only.has(table.name)) continue
      if (!this.headers.has(table.name)) this.writeHeader(table, this.out.get(table.name)!)
    }
    await writePending(this.out, write, 1)
  }

  notes(): string[] {
    return [...this.engine.tables.values()].flatMap(t =>
      t.renamed.map(r => `${t.name}: two members flatten to one CSV name (${r})`)
    )
  }

  /**
   * Bytes of binary text (or of a JSON string's contents) as a field, guarded against formulas,
   * when they need neither quoting nor decoding; else adds nothing and returns false.
   */
  private plainField(out: PendingBytes, bytes: Uint8Array, from: number, to: number): boolean {
    const start = out.length
    if (this.formulaGuard && FORMULA_START[bytes[from]!] === 1) out.byte(0x27)
    if (out.plainBytes(bytes, from, to, PLAIN_FIELD)) return true
    out.length = start
    return false
  }

  /** A field of binary text, guarded against formulas. */
  private text(binary: string): string {
    const guarded = this.formulaGuard && FORMULA_START[binary.charCodeAt(0)] === 1
    return csvField(guarded ? `'${binary}` : binary)
  }

  private cell(value: DerivedValue): string {
    if (value === undefined) return ''
    return typeof value === 'string' ? this.text(value) : String(value)
  }

  /** A field from a value's JSON text: strings decoded, null empty, lists and objects as JSON. */
  private jsonCell(json: string): string {
    if (isString(json)) return this.text(decodeToBinary(json))
    if (json === 'null') return ''
    const c = json.charCodeAt(0)
    return c === 0x5b || c === 0x7b ? csvField(json) : json
  }
}

/** `=`, `+`, `-`, `@`, tab and carriage return start what spreadsheets run as formulas. */
const FORMULA_START = new Uint8Array(256)
for (const c of '=+-@\t\r') FORMULA_START[c.charCodeAt(0)] = 1

/**
 * Bytes that keep a field from being copied as it is: a comma, a quote or a line break needs
 * quoting, and a backslash in a JSON string's bytes starts an escape (rarer in decoded text, which
 * then takes the slower way too).
 */
const PLAIN_FIELD = byteSet([0x2c, 0x22, 0x0d, 0x0a, 0x5c])
