import path from 'node:path'

/**
 * How tables are written: one JSON object per line, RFC 4180 CSV with a header row, or Parquet
 * with typed columns.
 */
export const TABLE_FORMATS = ['ndjson', 'csv', 'parquet'] as const
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

/** Which snapshot a payload is: every row of its tables carries both. */
export interface SnapshotIdentity {
  /** The Clari job the payload came from. */
  jobId: string
  /** ISO-8601 UTC: when the job was DONE (job/snapshot-time.ts). */
  snapshotAt: string
}

/** A table file as the manifest records it. */
export interface WrittenTable {
  /** Relative to the output folder, with '/' separators. */
  file: string
  rows: number
  sha256: string
}

export type WrittenTables = Record<TableName, WrittenTable>

/**
 * `tables/<table>/snapshot_date=<YYYY-MM-DD>/<forecast-id>_<period>_<job-id>.<format>`: one folder
 * per table, so `tables/entries/*\/*.ndjson` loads every snapshot of a table at once; a Hive-style
 * partition per day, which DuckDB, BigQuery and Snowflake read as a `snapshot_date` column; and a
 * name unique per snapshot, so a copy into a bucket never replaces an earlier night's file.
 */
export function tableFileName(
  table: TableName,
  forecastId: string,
  period: string,
  snapshot: SnapshotIdentity,
  format: TableFormat
): string {
  return path.posix.join(
    TABLES_DIR,
    table,
    `snapshot_date=${snapshot.snapshotAt.slice(0, 10)}`,
    `${forecastId}_${period}_${snapshot.jobId}.${format}`
  )
}
