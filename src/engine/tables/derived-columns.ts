import type { SnapshotIdentity, TableName } from '../table-layout.js'
import type { ColumnType } from './schema.js'

/**
 * The columns the action adds to the rows, declared here and nowhere else: the row engine
 * (row-engine.ts) computes them and every format writes them, in this order, before the
 * element's own members.
 *
 * A new column is one entry: its name, tables, type, the members it reads and how it is computed
 * from them. One that needs another list of the payload (say, the time frames to number the
 * weeks) declares a lookup, fed that list's rows in a pass before any row is written.
 */

/**
 * What a computed column reads of one element: its `reads`, by index. Strings are binary text,
 * the payload's UTF-8 bytes one char each, as the tables write them.
 */
export interface RowView {
  /** The member's string, decoded; undefined when it is absent or no string. */
  string(read: number): string | undefined
  /** A string's contents, or a number's text as sent; undefined for anything else. */
  text(read: number): string | undefined
  /** The member's number; undefined when it is absent or no number. */
  number(read: number): number | undefined
}

/** A member of the element: its name, or the names leading into nested objects. */
export type MemberPath = string | readonly string[]

/** A timestamp is an ISO-8601 string; undefined is null. */
export type DerivedValue = string | number | boolean | undefined

/** A computed column's value in a row: a JoinedColumn's is its binary text as bytes. */
export type ComputedValue = DerivedValue | Uint8Array

/** The snapshot and request every row of a payload shares. */
export interface RowContext {
  forecastId: string
  period: string
  snapshot: SnapshotIdentity
}

interface DeclaredColumn {
  name: string
  type: ColumnType
  /** Only these tables have it; all of them when unset. */
  tables?: readonly TableName[]
}

export interface ConstantColumn extends DeclaredColumn {
  constant(context: RowContext): DerivedValue
}

/** A column computed from the members it reads (and a lookup, when it declares one). */
export interface ValueColumn<L = unknown> extends DeclaredColumn {
  reads: readonly MemberPath[]
  value(row: RowView, lookup: L): DerivedValue
  lookup?: Lookup<L>
}

/**
 * A string column that is the `text` of the members it reads (empty where one has none), joined
 * by `separator`. The engine makes it as bytes, straight from the payload's where it can: a
 * string made, read and dropped on every row cost more than any other computed column.
 */
export interface JoinedColumn extends DeclaredColumn {
  type: 'string'
  reads: readonly MemberPath[]
  separator: string
}

export type ComputedColumn<L = unknown> = ValueColumn<L> | JoinedColumn

/** State built from the rows of another table before any row is written. */
export interface Lookup<L> {
  table: TableName
  reads: readonly MemberPath[]
  start(): L
  add(state: L, row: RowView): void
}

/** Erases a column's lookup type, so columns of different lookups share one list. */
const computed = <L>(column: ValueColumn<L>): ComputedColumn => column as ComputedColumn

/** The same in every row of a payload. */
export const CONSTANT_COLUMNS: readonly ConstantColumn[] = [
  { name: 'forecastId', type: 'string', constant: c => c.forecastId },
  // The period the action asked for (an element's own field of that name is replaced).
  { name: 'exportPeriod', type: 'string', constant: c => c.period },
  { name: 'snapshotAt', type: 'timestamp', constant: c => c.snapshot.snapshotAt },
  { name: 'jobId', type: 'string', constant: c => c.snapshot.jobId }
]

/** `timeFrameId` repeats across quarters, so the key of an entry needs all four. */
export const ENTRY_KEY_PARTS = ['timePeriodId', 'timeFrameId', 'userId', 'fieldId'] as const

export const COMPUTED_COLUMNS: readonly ComputedColumn[] = [
  // A missing part (or one that is neither a string nor a number) is empty.
  { name: 'entryKey', tables: ['entries'], type: 'string', reads: ENTRY_KEY_PARTS, separator: '|' },
  computed({
    name: 'currencyCode',
    tables: ['entries'],
    type: 'string',
    // Clari's own references say "USD"; another public catalog says {"code", "symbol"}.
    reads: ['currency', ['currency', 'code']],
    value: row => row.string(0) ?? row.string(1)
  })
]

/** The tables a column is in. */
export const inTable = (column: DeclaredColumn, table: TableName): boolean =>
  column.tables === undefined || column.tables.includes(table)
