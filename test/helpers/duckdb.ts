import { DuckDBInstance } from '@duckdb/node-api'

/**
 * Runs SQL in a fresh in-memory DuckDB, the loader the README's recipes use, and returns the
 * last statement's rows as JSON-friendly objects (big integers and timestamps as strings).
 */
export async function duckdbRows(...statements: string[]): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    let rows: Record<string, unknown>[] = []
    for (const sql of statements) {
      rows = (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]
    }
    return rows
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

/** A path as a DuckDB string literal. */
export const sqlPath = (file: string): string => `'${file.replaceAll("'", "''")}'`
