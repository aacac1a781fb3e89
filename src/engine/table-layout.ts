import path from 'node:path'

/** How tables are written: one JSON object per line, or RFC 4180 CSV with a header row. */
export const TABLE_FORMATS = ['ndjson', 'csv'] as const
export type TableFormat = (typeof TABLE_FORMATS)[number]

export const TABLE_NAMES = ['entries', 'users', 'fields', 'time_periods', 'time_frames'] as const
export type TableName = (typeof TABLE_NAMES)[number]

/** The payload's top-level list behind each table (docs/clari-api.md#results). */
export const TABLE_LISTS: Readonly<Record<TableName, string>> = {
  entries: 'entries',
  users: 'users',
  fields: 'fields',
  time_periods: 'timePeriods',
  time_frames: 'timeFrames'
}

export const TABLES_DIR = 'tables'

/** A table file as the manifest records it. */
export interface WrittenTable {
  /** Relative to the output folder, with '/' separators. */
  file: string
  rows: number
  sha256: string
}

export type WrittenTables = Record<TableName, WrittenTable>

/**
 * `tables/<table>/<forecast-id>_<period>.<format>`: one folder per table, so a wildcard such as
 * `tables/entries/*.ndjson` loads every period of a table at once.
 */
export function tableFileName(
  table: TableName,
  forecastId: string,
  period: string,
  format: TableFormat
): string {
  return path.posix.join(TABLES_DIR, table, `${forecastId}_${period}.${format}`)
}
