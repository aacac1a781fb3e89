import path from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { readmeSql } from '../../test/helpers/readme-sql.js'
import { textTable } from './summary-text.js'

/**
 * The README's DuckDB recipe over the tables the action wrote to `outputDir` (a folder named
 * clari-export, as the recipe expects), then its query: top fields by total forecast value, per
 * period. Returns the query and its result as text.
 */
export async function topFieldsReport(outputDir: string): Promise<string> {
  const connection = await (await DuckDBInstance.create(':memory:')).connect()
  try {
    // The recipe's paths are relative to the folder that holds clari-export/.
    const base = path.dirname(outputDir).replaceAll("'", "''")
    await connection.run(`SET file_search_path = '${base}'`)
    await connection.run(await readmeSql('duckdb-ndjson'))
    const query = await readmeSql('top-fields')
    const rows = (await connection.runAndReadAll(query)).getRowObjectsJson()
    const table = textTable([
      ['exportPeriod', 'fieldName', 'total'],
      ...rows.map(row => [String(row.exportPeriod), String(row.fieldName), String(row.total)])
    ])
    return `${query.trim()}\n\n${table}`
  } finally {
    connection.closeSync()
  }
}
