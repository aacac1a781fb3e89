import type { SnapshotIdentity, TableName } from '../../src/engine/table-layout.js'
import { PAYLOAD_FIELDS } from '../../src/engine/tables/schema.js'

/**
 * The rows the tables should hold for a payload's elements, computed here from the parsed JSON
 * alone (never by the code under test), so that a test states what a user gets and a new
 * derived column changes one place: `ours` below.
 */

export const SNAPSHOT: SnapshotIdentity = {
  jobId: '6073683781a6da229df71e00',
  snapshotAt: '2026-01-05T06:00:00.000Z'
}

export interface RowContext {
  forecastId: string
  period: string
  snapshot: SnapshotIdentity
}

export const CONTEXT: RowContext = { forecastId: 'net_arr', period: '2026_Q1', snapshot: SNAPSHOT }

type Element = Record<string, unknown>

/** A part of entryKey: a string as it is, a number as JSON writes it, anything else empty. */
function part(value: unknown): string {
  if (typeof value === 'string') return value
  return typeof value === 'number' ? JSON.stringify(value) : ''
}

/** The columns the action puts first in every row of `table`, in their order. */
export function ours(table: TableName, e: Element, context: RowContext = CONTEXT): Element {
  const row: Element = {
    forecastId: context.forecastId,
    exportPeriod: context.period,
    snapshotAt: context.snapshot.snapshotAt,
    jobId: context.snapshot.jobId
  }
  if (table === 'entries') {
    row.entryKey = [e.timePeriodId, e.timeFrameId, e.userId, e.fieldId].map(part).join('|')
    const currency = e.currency
    row.currencyCode =
      typeof currency === 'string'
        ? currency
        : typeof (currency as Element | null)?.code === 'string'
          ? (currency as Element).code
          : null
  }
  return row
}

/** An NDJSON row, parsed: our columns, then the element's own members (ours win). */
export function ndjsonRow(table: TableName, e: Element, context: RowContext = CONTEXT): Element {
  const own = ours(table, e, context)
  const rest = Object.fromEntries(Object.entries(e).filter(([key]) => !(key in own)))
  return { ...own, ...rest }
}

/** A CSV cell as the tables write it (formula guard on). */
function csvCell(value: unknown, guard: boolean): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'string') {
    if (value === '') return '""'
    return guard && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value)
}

/**
 * A CSV file's records as test/helpers/csv.ts reads them: the header (our columns, the table's
 * declared fields, then every other member in the order its first value came, objects flattened
 * with '.'), then one record per element.
 */
export function csvRecords(
  table: TableName,
  elements: Element[],
  options: { context?: RowContext; guard?: boolean } = {}
): string[][] {
  const context = options.context ?? CONTEXT
  const guard = options.guard ?? true
  const rows = elements.map(e => flatten(ndjsonRow(table, e, context)))
  const names = [
    ...Object.keys(ours(table, elements[0] ?? {}, context)),
    ...PAYLOAD_FIELDS[table].map(f => f.name)
  ]
  for (const row of rows) {
    for (const [name, { object }] of row) if (!object && !names.includes(name)) names.push(name)
  }
  return [names, ...rows.map(row => names.map(name => csvCell(row.get(name)?.value, guard)))]
}

/**
 * A row's values by CSV name: objects' members as `parent.child`. A top-level object is a value
 * too (written as JSON where its column has other values), but makes no column of its own.
 */
function flatten(
  row: Element,
  prefix = '',
  out = new Map<string, { value: unknown; object: boolean }>()
): Map<string, { value: unknown; object: boolean }> {
  for (const [key, value] of Object.entries(row)) {
    const name = prefix + key
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      if (prefix === '') out.set(name, { value, object: true })
      flatten(value as Element, `${name}.`, out)
    } else out.set(name, { value, object: false })
  }
  return out
}
