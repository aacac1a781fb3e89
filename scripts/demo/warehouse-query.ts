import { cp, mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import {
  isRep,
  isTop,
  latestForecastByField,
  weekOverWeek,
  type Payload
} from '../../test/helpers/payload-figures.js'
import { readmeSql } from '../../test/helpers/readme-sql.js'
import { forecastPayload, type ClariSimulator } from '../../test/simulators/clari/index.js'
import { textTable } from './summary-text.js'

// The week-over-week query gives a row per rep and field: show this many, and every rep who left.
const SHOWN_CHANGES = 12

type Row = Record<string, unknown>

/**
 * The README's history recipe over the tables of every night the demo ran: each night's tables/
 * copied into one clari-history/ folder, the DuckDB views over it, then the two analyst queries
 * (the latest snapshot of each quarter by field; week over week per rep and field). Beside each
 * result, whether it matches the figures computed from the payloads the simulator served.
 */
export async function historyReport(outputDirs: string[], sim: ClariSimulator): Promise<string> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'clari-demo-history-'))
  for (const dir of outputDirs) {
    await cp(path.join(dir, 'tables'), path.join(base, 'clari-history'), { recursive: true })
  }
  const instance = await DuckDBInstance.create(':memory:')
  const connection = await instance.connect()
  try {
    await connection.run(`SET file_search_path = '${base.replaceAll("'", "''")}'`)
    await connection.run(await readmeSql('duckdb-ndjson'))
    const payloads = snapshotsByPeriod(sim)

    const latest = await run(connection, 'latest-by-field')
    const latestExpected = [...payloads].flatMap(([period, snapshots]) => {
      const payload = snapshots.at(-1)!
      const reps = latestForecastByField(payload, isRep)
      const top = latestForecastByField(payload, isTop)
      return [...new Set([...reps.keys(), ...top.keys()])].map(fieldName => ({
        exportPeriod: period,
        fieldName,
        repsOnly: reps.get(fieldName) ?? null,
        rolledUp: top.get(fieldName) ?? null
      }))
    })

    const changes = await run(connection, 'week-over-week')
    const changesExpected = [...payloads]
      .filter(([, snapshots]) => snapshots.length >= 2)
      .flatMap(([period, snapshots]) =>
        weekOverWeek(snapshots.at(-2)!, snapshots.at(-1)!).map(row => ({
          exportPeriod: period,
          ...row
        }))
      )
    const shown = changes.rows.filter(
      (row, i) => i < SHOWN_CHANGES || row.before === null || row.after === null
    )

    return [
      `History: ${outputDirs.length} nights' tables/ copied into ${path.join(base, 'clari-history')}, then the README's DuckDB views over it.`,
      '',
      latest.sql,
      '',
      table(latest.rows, ['exportPeriod', 'fieldName', 'repsOnly', 'rolledUp']),
      verdict(latest.rows, latestExpected),
      '',
      changes.sql,
      '',
      table(shown, ['exportPeriod', 'userId', 'name', 'fieldName', 'before', 'after', 'change']),
      `(${shown.length} of ${changes.rows.length} rows: the first ${SHOWN_CHANGES}, and every rep in only one snapshot)`,
      verdict(changes.rows, changesExpected)
    ].join('\n')
  } finally {
    connection.closeSync()
    instance.closeSync()
  }
}

async function run(
  connection: DuckDBConnection,
  name: string
): Promise<{ sql: string; rows: Row[] }> {
  const sql = await readmeSql(name)
  const rows = (await connection.runAndReadAll(sql)).getRowObjectsJson() as Row[]
  return { sql: sql.trim(), rows }
}

/** Each period's payloads as the simulator served them, oldest snapshot first. */
function snapshotsByPeriod(sim: ClariSimulator): Map<string, Payload[]> {
  const jobs = sim.jobs
    .filter(j => j.period !== undefined && j.status === 'DONE')
    .sort((a, b) => (a.exportOptions.snapshot ?? 0) - (b.exportOptions.snapshot ?? 0))
  const out = new Map<string, Payload[]>()
  for (const period of [...new Set(jobs.map(j => j.period!))].sort()) {
    out.set(
      period,
      jobs
        .filter(j => j.period === period)
        .map(j => JSON.parse(forecastPayload(period, j.forecastId, j.exportOptions)) as Payload)
    )
  }
  return out
}

function table(rows: Row[], columns: string[]): string {
  return textTable([columns, ...rows.map(row => columns.map(c => String(row[c] ?? 'null')))])
}

/** Whether the query's rows hold the same figures as those computed from the payloads. */
function verdict(rows: Row[], expected: Row[]): string {
  const key = (row: Row, columns: string[]): string => JSON.stringify(columns.map(c => row[c]))
  const columns = Object.keys(expected[0] ?? {})
  const got = new Set(rows.map(row => key(row, columns)))
  const missing = expected.filter(row => !got.has(key(row, columns)))
  return missing.length === 0 && rows.length === expected.length
    ? `✓ the same ${rows.length} rows as computed from the payloads' JSON (test/helpers/payload-figures.ts)`
    : `✗ differs from the payloads' own figures: ${missing.length} of ${expected.length} rows not found, ${rows.length} rows returned`
}
