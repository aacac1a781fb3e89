import type { JsonTap, TokenSource } from '../checks/json-tap.js'
import { TABLE_LISTS, TABLE_NAMES, type TableName } from '../table-layout.js'
import { decodeToBinary, jsonString, repairedString } from './binary-text.js'
import {
  COMPUTED_COLUMNS,
  CONSTANT_COLUMNS,
  inTable,
  type ComputedColumn,
  type ComputedValue,
  type ConstantColumn,
  type ValueColumn,
  type MemberPath,
  type RowContext,
  type RowView
} from './derived-columns.js'
import { PendingBytes } from './pending-bytes.js'
import { PAYLOAD_FIELDS, type DeclaredField } from './schema.js'
import { TablesError } from './tables-error.js'

/** Limits that keep memory bounded whatever the payload holds. */
const MAX_COLUMNS = 10_000
export const MAX_ROW_BYTES = 16 * 1024 * 1024
// Key positions remembered per table (see TableRows.seenRaw).
const KEY_CACHE = 256

const TABLE_OF_LIST = new Map(TABLE_NAMES.map(table => [TABLE_LISTS[table], table]))

/** A member of the elements of a list, at the top or inside nested objects. */
export interface Column {
  /** The member's own name, decoded (binary text). */
  key: string
  /** `key` as a JSON string, for NDJSON. */
  jsonKey: string
  /** Its CSV name: the names leading to it joined with '.', made unique by a suffix. */
  name: string
  /** The object it is a member of; -1 for a member of the element itself. */
  parent: number
  /** It held a value other than an object (a string, number, literal or list): CSV writes it. */
  leaf: boolean
  /** Named like one of the action's columns: the element's own value is dropped (ours win). */
  ours: boolean
  declared?: DeclaredField
  children?: Map<string, number>
}

/**
 * A computed column of a table with the columns its reads resolved to, and its lookup's state or,
 * for a JoinedColumn, the bytes of its value in the current row.
 */
interface Computing {
  column: ComputedColumn
  reads: number[]
  lookup: unknown
  joined: { separator: string; bytes: PendingBytes } | undefined
}

/**
 * One list's rows: its columns (the union of its elements' members, declared fields first), the
 * element being read, and what the action adds to each row.
 */
export class TableRows {
  rows = 0
  readonly columns: Column[] = []
  /** The columns CSV writes, in the order they became such: declared fields first. */
  readonly leaves: number[] = []
  /** Column names CSV uses, to keep them unique. */
  private readonly names = new Set<string>()
  /** The CSV names that had to take a suffix: "name → name_2". */
  readonly renamed: string[] = []
  private readonly top = new Map<string, number>()
  /** No more columns: a later pass must find the same ones. */
  frozen = false
  /**
   * Per column: the element that last set it, and where its value's JSON text is (in the chunk it
   * was read from, kept until the row is written).
   */
  readonly stamps: number[] = []
  readonly sources: TokenSource[] = []
  readonly froms: number[] = []
  readonly tos: number[] = []
  /** The top-level columns the current element set, in its order (NDJSON keeps it). */
  readonly order: number[] = []
  orderLength = 0
  readonly constants: readonly ConstantColumn[]
  readonly computing: Computing[]
  /** The computed columns' values for the current element. */
  readonly values: ComputedValue[]
  // The keys met at each position of the elements so far. Elements of a list mostly share one
  // shape, so a key is mostly recognised by comparing its bytes, without slicing, decoding or
  // hashing it.
  readonly seenRaw: KeyBytes[] = []
  readonly seenParent: number[] = []
  readonly seenColumn: number[] = []

  constructor(
    readonly name: TableName,
    columns: readonly ComputedColumn[],
    /** Told when a column becomes a CSV column (see Column.leaf). */
    private readonly onLeaf: (table: TableRows, column: number) => void
  ) {
    // Stryker disable next-line MethodExpression: no constant column names its tables, so each is in every table
    this.constants = CONSTANT_COLUMNS.filter(c => inTable(c, name))
    const computed = columns.filter(c => inTable(c, name))
    for (const { name: own } of [...this.constants, ...computed]) {
      this.columns[this.member(-1, own)]!.ours = true
      this.names.add(own)
    }
    for (const field of PAYLOAD_FIELDS[name]) {
      const column = this.member(-1, field.name)
      this.columns[column]!.declared = field
      this.makeLeaf(column)
    }
    this.computing = computed.map(column => ({
      column,
      reads: this.resolve(column.reads),
      lookup: 'value' in column ? column.lookup?.start() : undefined,
      joined:
        'separator' in column
          ? { separator: column.separator, bytes: new PendingBytes(256) }
          : undefined
    }))
    this.values = computed.map(() => undefined)
  }

  /** The columns of these members (made now, so that reading them costs no lookup by name). */
  resolve(paths: readonly MemberPath[]): number[] {
    return paths.map(path =>
      [path].flat().reduce((parent: number, key) => this.member(parent, key), -1)
    )
  }

  /** The column of member `key` of `parent` (-1: of the element), made when new. */
  member(parent: number, key: string): number {
    const siblings = parent === -1 ? this.top : (this.columns[parent]!.children ??= new Map())
    const known = siblings.get(key)
    if (known !== undefined) return known
    if (this.frozen) {
      throw new TablesError('the payload changed while its tables were being written', this.name)
    }
    if (this.columns.length === MAX_COLUMNS) {
      throw new TablesError(`${this.name} has more than ${MAX_COLUMNS} distinct columns`, this.name)
    }
    const column = this.columns.length
    siblings.set(key, column)
    const path = parent === -1 ? key : `${this.columns[parent]!.name}.${key}`
    this.columns.push({
      key,
      jsonKey: jsonString(key),
      name: this.uniqueName(path),
      parent,
      leaf: false,
      ours: false
    })
    this.stamps.push(0)
    this.sources.push(NO_SOURCE)
    this.froms.push(0)
    this.tos.push(0)
    return column
  }

  /** `{"a.b": 1, "a": {"b": 2}}` flattens to `a.b` twice in CSV: the second is `a.b_2`. */
  private uniqueName(path: string): string {
    let name = path
    for (let n = 2; this.names.has(name); n++) name = `${path}_${n}`
    this.names.add(name)
    if (name !== path) this.renamed.push(`${path} → ${name}`)
    return name
  }

  makeLeaf(column: number): void {
    const c = this.columns[column]!
    if (c.leaf || c.ours) return
    c.leaf = true
    this.leaves.push(column)
    this.onLeaf(this, column)
  }

  /**
   * The column's string in the current element (`element`), decoded (binary text); undefined when
   * it has none. One slice when nothing in it is escaped (the rule), not one per step.
   */
  string(column: number, element: number): string | undefined {
    if (this.stamps[column] !== element) return undefined
    const { text } = this.sources[column]!
    const from = this.froms[column]!
    const to = this.tos[column]!
    if (text.charCodeAt(from) !== 0x22) return undefined
    // Stryker disable next-line ArithmeticOperator: the bytes just outside a string token (a delimiter, or none) are never a backslash
    for (let i = from + 1; i < to - 1; i++) {
      // Stryker disable next-line EqualityOperator: speed only: decoding a token without a backslash gives the same slice
      if (text.charCodeAt(i) === 0x5c) return decodeToBinary(text.slice(from, to))
    }
    return text.slice(from + 1, to - 1)
  }

  /**
   * Appends the column's string in the current element (`element`) to `out` straight from the
   * payload's bytes, and returns true, when nothing in it is escaped; else adds nothing and
   * returns false (`string` decodes it).
   */
  plainString(column: number, element: number, out: PendingBytes): boolean {
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BooleanLiteral: speed only: a column the element did not set holds the empty source (reset after each row), which the next check refuses; refused, `text` writes the same bytes; an unset one accepted writes nothing, as `text` does
    if (this.stamps[column] !== element) return false
    const { bytes } = this.sources[column]!
    const from = this.froms[column]!
    // An assembled value (a repaired string) has no bytes: `bytes[from]` is undefined then.
    if (bytes[from] !== 0x22) return false
    return out.plainBytes(bytes, from + 1, this.tos[column]! - 1)
  }

  /** The JSON text of the column's value in the current element (`element`), or undefined. */
  json(column: number, element: number): string | undefined {
    if (this.stamps[column] !== element) return undefined
    return this.sources[column]!.text.slice(this.froms[column], this.tos[column])
  }
}

/** Receives each finished element of a table, to write its row. */
export interface RowSink {
  /** Whether rows need the element's JSON text (NDJSON copies it). */
  readonly wantsSpan: boolean
  /**
   * Writes the row of `element` (TableRows.json reads its members, TableRows.values the computed
   * columns). `span` holds the element's JSON text as sent when the sink wants it and the element
   * is plain: compact, no repeated key, no member named like one of ours, no text repaired.
   */
  row(
    table: TableRows,
    element: number,
    span: TokenSource | undefined,
    from: number,
    to: number
  ): void
}

/** Sees every element of a payload once (the duplicate-key guard). */
export interface RowObserver {
  observe(table: TableRows, element: number): void
}

// What a container open inside an element is: flattened into columns, or only copied as text.
const FLAT_OBJECT = 0
const OPAQUE_OBJECT = 1
const OPAQUE_LIST = 2

/**
 * The generic list-to-rows engine: a JsonTap of the streaming check that turns the elements of
 * the payload's five lists into rows, one per element, memory holding one element and the
 * columns, never the list. It knows no format: a RowSink writes the rows.
 *
 * Per element it keeps where each member's value is (nested objects are also flattened into
 * child columns; lists, and objects at the top, are also kept as compact JSON text), computes the
 * declared columns (derived-columns.ts), and hands the element to the sink. A pass without a
 * sink only reads: it feeds the lookups and observers, and learns the columns.
 *
 * It never throws into the tokenizer: the first problem is kept in `failure` and the rest is
 * ignored, so that a download feeding it goes on whatever its tables meet.
 */
export class RowEngine implements JsonTap {
  readonly tables: ReadonlyMap<TableName, TableRows>
  /** The first problem met; nothing more is read after it. */
  failure: unknown
  /** Strings (keys or values) written with U+FFFD in the tables (binary-text.ts, repairedString). */
  repairedText = 0
  /** Told when a column becomes a CSV column. */
  onLeaf?: (table: TableRows, column: number) => void
  private sink: RowSink | undefined
  // Stryker disable BooleanLiteral,UnaryOperator,StringLiteral: initial values, each set again before it is read (by startPass, or when an element or a container opens)
  private observing = true
  private readonly observers: RowObserver[] = []
  private readonly lookups: {
    table: TableName
    lookup: NonNullable<ValueColumn['lookup']>
    reads: number[]
    state: unknown
  }[] = []
  private readonly listsSeen = new Set<TableName>()
  private readonly view = new ElementView()
  private table: TableRows | undefined
  // Containers open inside the list: 1 inside the list, 2 inside an element, more when nested.
  private depth = 0
  private element = 0 // a number unique to the element being read
  private elementBytes = 0
  private compactLength = 0 // what the element's tokens take, written compactly
  private plain = true
  private column = -1 // of the member whose value comes next
  private parent = -1 // the object whose members come next (-1: the element)
  private readonly parents: number[] = []
  private readonly kinds: number[] = [] // of the containers open inside the element
  private keyIndex = 0 // of the current key, counting the element's keys that got a column
  // A top-level member's object or list as compact JSON text, and the outermost list open in it.
  private copy = ''
  private copyColumn = -1
  private opaque = 0 // lists open, and containers inside them (never flattened)
  private opaqueFrom = 0
  private opaqueColumn = -1
  private afterValue = false // a ',' comes before the next key or value
  // Stryker restore BooleanLiteral,UnaryOperator,StringLiteral
  private readonly touched: number[] = [] // columns the element set
  // A view of the chunk being read, for comparing keys four bytes at a time.
  private viewed: TokenSource = NO_SOURCE
  private dataView = new DataView(NO_SOURCE.bytes.buffer)

  constructor(
    readonly context: RowContext,
    /** The computed columns (derived-columns.ts); tests pass their own. */
    columns: readonly ComputedColumn[] = COMPUTED_COLUMNS
  ) {
    const tables = new Map<TableName, TableRows>()
    for (const name of TABLE_NAMES) {
      const onLeaf = (table: TableRows, column: number): void => this.onLeaf?.(table, column)
      tables.set(name, new TableRows(name, columns, onLeaf))
    }
    this.tables = tables
    for (const table of tables.values()) {
      for (const { column, lookup: state } of table.computing) {
        const lookup = 'value' in column ? column.lookup : undefined
        if (!lookup) continue
        const reads = tables.get(lookup.table)!.resolve(lookup.reads)
        this.lookups.push({ table: lookup.table, lookup, reads, state })
      }
    }
  }

  /** Whether the rows need a pass over the payload that feeds the lookups first. */
  get needsLookups(): boolean {
    return this.lookups.length > 0
  }

  addObserver(observer: RowObserver): void {
    this.observers.push(observer)
  }

  /**
   * Starts a pass over the payload. Rows go to `sink`, or nowhere. `observe`: lookups and
   * observers see the elements (once per payload). `freeze`: the columns are known, and a new one
   * means the payload changed.
   */
  startPass(sink: RowSink | undefined, options: { observe: boolean; freeze: boolean }): void {
    this.sink = sink
    this.observing = options.observe
    for (const table of this.tables.values()) {
      table.rows = 0
      table.frozen = options.freeze
    }
    this.listsSeen.clear()
    this.table = undefined
  }

  select(key: string): boolean {
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: speed only: after a failure no table is written, and a list selected without a table has its tokens ignored
    if (this.failure !== undefined) return false
    const name = TABLE_OF_LIST.get(key)
    // Stryker disable next-line BooleanLiteral: speed only: a list selected without a table has its tokens ignored
    if (name === undefined) return false
    if (this.listsSeen.has(name)) {
      this.fail(new TablesError(`the payload has more than one "${key}" list`, name))
      // Stryker disable next-line BooleanLiteral: speed only: the failure left no table, so the list's tokens are ignored
      return false
    }
    this.listsSeen.add(name)
    this.table = this.tables.get(name)
    this.depth = 0
    return true
  }

  // Stryker disable next-line BlockStatement: tokens come only inside a selected list, and the next select sets the table again
  end(): void {
    this.table = undefined
  }

  abandon(reason: string): void {
    const table = this.table
    if (table)
      this.fail(new TablesError(`"${TABLE_LISTS[table.name]}" holds ${reason}`, table.name))
  }

  open(isArray: boolean): boolean {
    const table = this.table
    // Stryker disable next-line BooleanLiteral: memory only: a container's text asked for without a table is ignored by close (and abandoned past the tokenizer's bound)
    if (table === undefined) return false
    try {
      return this.opened(table, isArray)
    } catch (error) {
      this.fail(error)
      // Stryker disable next-line BooleanLiteral: memory only: the failure left no table, so close ignores the text asked for
      return false
    }
  }

  close(span: TokenSource | undefined, from: number, to: number): void {
    const table = this.table
    if (table === undefined) return
    try {
      this.closed(table, span, from, to)
    } catch (error) {
      this.fail(error)
    }
  }

  key(source: TokenSource, from: number, to: number, flags: number): void {
    const table = this.table
    if (table === undefined) return
    try {
      this.keyed(table, source, from, to, flags)
    } catch (error) {
      this.fail(error)
    }
  }

  value(source: TokenSource, from: number, to: number, flags: number): void {
    const table = this.table
    if (table === undefined) return
    try {
      this.valued(table, source, from, to, flags)
    } catch (error) {
      this.fail(error)
    }
  }

  /** The element being read keeps its values of this chunk by their text (see JsonTap.chunkEnd). */
  chunkEnd(): void {
    const table = this.table
    if (table === undefined) return
    const { touched } = this
    const { sources } = table
    for (let i = 0; i < touched.length; i++) {
      const source = sources[touched[i]!]!
      if (source.bytes.length > 0) sources[touched[i]!] = textSource(source.text)
    }
  }

  private fail(error: unknown): void {
    this.failure ??= error
    this.table = undefined
  }

  private opened(table: TableRows, isArray: boolean): boolean {
    const depth = this.depth
    if (depth >= 2) {
      this.count(1)
      if (depth === 2) {
        this.copy = ''
        this.copyColumn = this.column
      }
      this.copyText(isArray ? '[' : '{')
      this.afterValue = false
      this.depth++
      const ours = depth === 2 && table.columns[this.column]!.ours
      if (this.opaque > 0 || isArray || ours) {
        if (this.opaque++ === 0) {
          this.opaqueFrom = this.copy.length - 1
          this.opaqueColumn = this.column
        }
        this.kinds.push(isArray ? OPAQUE_LIST : OPAQUE_OBJECT)
        return false
      }
      // An object: its members become columns of their own.
      this.kinds.push(FLAT_OBJECT)
      this.parents.push(this.parent)
      this.parent = this.column
      return false
    }
    this.afterValue = false
    if (depth === 0 && !isArray) throw this.notAList(table, 'an object')
    if (depth === 1) {
      if (isArray) throw this.notAnObject(table, 'a list')
      // Stryker disable next-line UpdateOperator: counting down, the numbers stay unique and never 0 (a column's initial stamp)
      this.element++
      this.elementBytes = 0
      this.compactLength = 2
      this.plain = true
      // Stryker disable next-line UnaryOperator: speed only: the key cache's positions start at 2 instead, as consistently
      this.keyIndex = -1
      this.parent = -1
      table.orderLength = 0
    }
    this.depth++
    // An element's text also tells which chunk its values' bytes are still in.
    return this.depth === 2 && this.sink?.wantsSpan === true
  }

  private closed(table: TableRows, span: TokenSource | undefined, from: number, to: number): void {
    this.depth--
    if (this.depth >= 2) {
      this.compactLength++
      this.afterValue = true
      const kind = this.kinds.pop()!
      this.copy += kind === OPAQUE_LIST ? ']' : '}'
      if (kind === FLAT_OBJECT) this.parent = this.parents.pop()!
      else if (--this.opaque === 0 && this.depth > 2) {
        this.setText(table, this.opaqueColumn, this.copy.slice(this.opaqueFrom), true)
      }
      // A top-level object is a value too (its text), but not a CSV column: its members are.
      if (this.depth === 2) this.setText(table, this.copyColumn, this.copy, kind !== FLAT_OBJECT)
    } else if (this.depth === 1) this.finishRow(table, span, from, to)
  }

  private keyed(
    table: TableRows,
    source: TokenSource,
    from: number,
    to: number,
    flags: number
  ): void {
    this.count(to - from + 1)
    // The key's text is made only where it is needed: most keys are recognised by their bytes.
    let json: string | undefined
    let repaired: string | undefined
    // Stryker disable next-line ConditionalExpression: speed only: repairedString finds nothing to repair in a key the tokenizer did not flag
    if (flags !== 0) {
      json = source.text.slice(from, to)
      repaired = repairedString(json, source.bytes, from)
      if (repaired !== undefined) {
        json = repaired
        this.repaired()
      }
    }
    if (this.depth > 2) this.copyText(`${json ?? source.text.slice(from, to)}:`)
    this.afterValue = false
    if (this.opaque > 0) return
    // Stryker disable next-line UpdateOperator: speed and memory only: negative positions key the cache as consistently, past its bound
    const at = ++this.keyIndex
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,BlockStatement: speed only: a repaired key or one past the cache is never stored, so it misses anyway, and a miss looks the key up by name
    if (repaired === undefined && at < KEY_CACHE) {
      const seen = table.seenRaw[at]
      if (source !== this.viewed) {
        const { bytes } = source
        this.dataView = new DataView(bytes.buffer, bytes.byteOffset, bytes.length)
        this.viewed = source
      }
      if (
        seen !== undefined &&
        table.seenParent[at] === this.parent &&
        seen.matches(this.dataView, source.bytes, from, to)
      ) {
        this.column = table.seenColumn[at]!
        return
      }
    }
    this.column = table.member(this.parent, decodeToBinary(json ?? source.text.slice(from, to)))
    // Stryker disable next-line LogicalOperator: memory only: a repaired key or one past the cache is stored but never looked for
    if (repaired === undefined && at < KEY_CACHE) {
      table.seenRaw[at] = new KeyBytes(new Uint8Array(source.bytes.subarray(from, to)))
      table.seenParent[at] = this.parent
      table.seenColumn[at] = this.column
    }
  }

  private valued(
    table: TableRows,
    source: TokenSource,
    from: number,
    to: number,
    flags: number
  ): void {
    if (this.depth <= 1) {
      const json = source.text.slice(from, to)
      // A null list is an empty one.
      if (this.depth === 0 && json === 'null') return
      throw this.depth === 0
        ? this.notAList(table, describeScalar(json))
        : this.notAnObject(table, describeScalar(json))
    }
    this.count(to - from)
    // Stryker disable next-line ConditionalExpression: speed only: repairedString finds nothing to repair in a value the tokenizer did not flag
    if (flags !== 0) {
      const repaired = repairedString(source.text.slice(from, to), source.bytes, from)
      if (repaired !== undefined) {
        source = textSource(repaired)
        from = 0
        to = repaired.length
        this.repaired()
      }
    }
    if (this.depth > 2) this.copyText(source.text.slice(from, to))
    this.afterValue = true
    if (this.opaque === 0) this.set(table, this.column, source, from, to, true)
  }

  private repaired(): void {
    this.plain = false
    if (this.observing) this.repairedText++
  }

  /** Counts a token of the element (and the comma before it) towards its compact length. */
  private count(length: number): void {
    this.compactLength += this.afterValue ? length + 1 : length
  }

  private copyText(json: string): void {
    this.copy += this.afterValue ? `,${json}` : json
    if (this.copy.length > MAX_ROW_BYTES) throw this.tooLarge(this.table!)
  }

  /** A member's value: the last one wins, in the place of the first (as in JSON.parse). */
  private set(
    table: TableRows,
    column: number,
    source: TokenSource,
    from: number,
    to: number,
    leaf: boolean
  ): void {
    const c = table.columns[column]!
    if (c.ours) {
      this.plain = false
      return
    }
    if (leaf && !c.leaf) table.makeLeaf(column)
    this.elementBytes += to - from
    if (this.elementBytes > MAX_ROW_BYTES) throw this.tooLarge(table)
    if (table.stamps[column] !== this.element) {
      table.stamps[column] = this.element
      this.touched.push(column)
      if (c.parent === -1) table.order[table.orderLength++] = column
    } else this.plain = false
    table.sources[column] = source
    table.froms[column] = from
    table.tos[column] = to
  }

  private setText(table: TableRows, column: number, json: string, leaf: boolean): void {
    this.set(table, column, textSource(json), 0, json.length, leaf)
  }

  /** The element closed; `span` holds its JSON text when the sink asked for it. */
  private finishRow(
    table: TableRows,
    span: TokenSource | undefined,
    from: number,
    to: number
  ): void {
    const view = this.view
    const element = this.element
    if (this.observing) {
      const { observers, lookups } = this
      for (let i = 0; i < observers.length; i++) observers[i]!.observe(table, element)
      for (let i = 0; i < lookups.length; i++) {
        const { table: name, lookup, reads, state } = lookups[i]!
        if (name === table.name) lookup.add(state, view.of(table, reads, element))
      }
    }
    const sink = this.sink
    if (sink !== undefined) {
      const { computing, values } = table
      for (let i = 0; i < computing.length; i++) {
        const c = computing[i]!
        const { column } = c
        const row = view.of(table, c.reads, element)
        values[i] =
          'value' in column ? column.value(row, c.lookup) : joined(c.joined!, c.reads, row, element)
      }
      const asSent = this.plain && to - from === this.compactLength
      sink.row(table, element, asSent ? span : undefined, from, to)
    }
    table.rows++
    // Let go of the chunks the values were read from.
    const { touched } = this
    // Stryker disable next-line ConditionalExpression: memory only: the chunks stay referenced until set again; every read checks the column's stamp first
    for (let i = 0; i < touched.length; i++) table.sources[touched[i]!] = NO_SOURCE
    touched.length = 0
  }

  private notAList(table: TableRows, what: string): TablesError {
    return new TablesError(`"${TABLE_LISTS[table.name]}" is ${what}, not a list`, table.name)
  }

  private notAnObject(table: TableRows, what: string): TablesError {
    return new TablesError(
      `element ${table.rows} of "${TABLE_LISTS[table.name]}" is ${what}, not an object`,
      table.name
    )
  }

  private tooLarge(table: TableRows): TablesError {
    return new TablesError(
      `element ${table.rows} of "${TABLE_LISTS[table.name]}" is larger than ${MAX_ROW_BYTES} bytes`,
      table.name
    )
  }
}

/** The current element's members, as a computed column or an observer reads them. */
export class ElementView implements RowView {
  table!: TableRows
  private reads: readonly number[] = []
  private element = 0

  of(table: TableRows, reads: readonly number[], element: number): this {
    this.table = table
    this.reads = reads
    this.element = element
    return this
  }

  json(read: number): string | undefined {
    return this.table.json(this.reads[read]!, this.element)
  }

  string(read: number): string | undefined {
    return this.table.string(this.reads[read]!, this.element)
  }

  text(read: number): string | undefined {
    const { table, element } = this
    const column = this.reads[read]!
    const string = table.string(column, element)
    if (string !== undefined) return string
    const json = table.json(column, element)
    return json !== undefined && isNumber(json) ? json : undefined
  }

  number(read: number): number | undefined {
    const json = this.json(read)
    return json !== undefined && isNumber(json) ? Number(json) : undefined
  }
}

/** A JoinedColumn's value: its parts' bytes, a plain string's copied from the payload's. */
function joined(
  { separator, bytes: out }: { separator: string; bytes: PendingBytes },
  reads: readonly number[],
  row: ElementView,
  element: number
): Uint8Array {
  out.clear()
  for (let read = 0; read < reads.length; read++) {
    if (read > 0) out.text(separator)
    // Stryker disable next-line ConditionalExpression: speed only: `text` gives the same bytes as a string
    if (row.table.plainString(reads[read]!, element, out)) continue
    const text = row.text(read)
    if (text !== undefined) out.text(text)
  }
  return out.contents()
}

// Stryker disable next-line StringLiteral: its text is never read: a column holds it only while its stamp tells it is unset
export const NO_SOURCE: TokenSource = { bytes: new Uint8Array(0), text: '' }

/** A value assembled here (a copied container, a repaired string); only its text is read. */
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
    // Stryker disable next-line ConditionalExpression: speed only: the byte loop below then compares every byte
    for (let w = 0; w < words.length; w++, i += 4) {
      if (view.getInt32(from + i, true) !== words[w]) return false
    }
    for (; i < own.length; i++) if (bytes[from + i] !== own[i]) return false
    // Stryker disable next-line BooleanLiteral: speed only: a key never matched is looked up by name, the same column
    return true
  }
}

// A value's JSON text tells its type by its first character.
export const isString = (json: string): boolean => json.charCodeAt(0) === 0x22
export const isNumber = (json: string): boolean => {
  const c = json.charCodeAt(0)
  return c === 0x2d || (c >= 0x30 && c <= 0x39)
}

function describeScalar(json: string): string {
  if (isString(json)) return 'a string'
  if (isNumber(json)) return 'a number'
  return json === 'null' ? 'null' : 'a boolean'
}
