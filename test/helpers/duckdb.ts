import { DuckDBInstance } from '@duckdb/node-api'

// One in-memory database per test worker: a new one cost 30 ms CPU a call, a connection 4. A
// connection's settings (SET TimeZone, …) are its own; the callers create no tables.
let database: Promise<DuckDBInstance> | undefined

/**
 * Runs SQL on a fresh connection to an in-memory DuckDB, the loader the README's recipes use, and
 * returns the last statement's rows as JSON-friendly objects (big integers and timestamps as
 * strings).
 */
export async function duckdbRows(...statements: string[]): Promise<Record<string, unknown>[]> {
  database ??= DuckDBInstance.create(':memory:')
  const connection = await (await database).connect()
  try {
    let rows: Record<string, unknown>[] = []
    for (const sql of statements) {
      rows = (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]
    }
    return rows
  } finally {
    connection.closeSync()
  }
}

/** A path as a DuckDB string literal. */
export const sqlPath = (file: string): string => `'${file.replaceAll("'", "''")}'`
