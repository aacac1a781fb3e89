import { readFile } from 'node:fs/promises'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { afterEach, describe, expect, it } from 'vitest'
import { TABLE_NAMES } from '../../src/engine/table-layout.js'
import { TEST_API_KEY } from '../helpers/engine-harness.js'
import { readmeSql } from '../helpers/readme-sql.js'
import { disposeBundles, node24, runBundle } from '../helpers/run-bundle.js'
import {
  forecastPayload,
  startClariSimulator,
  type ClariSimulator
} from '../simulators/clari/index.js'

// The runner's runtime: Node 24.
const runtime = await node24()
const PERIODS = ['2026_Q1', '2026_Q2']
const LISTS = ['entries', 'users', 'fields', 'timePeriods', 'timeFrames']

interface Payload {
  entries: { fieldId: string; forecastValue?: number }[]
  fields: { fieldId: string; fieldName: string }[]
  [list: string]: unknown[]
}

let sim: ClariSimulator | undefined
let connection: DuckDBConnection | undefined
afterEach(async () => {
  connection?.closeSync()
  connection = undefined
  await disposeBundles()
  await sim?.close()
  sim = undefined
})

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await connection!.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]
}

async function count(sql: string): Promise<number> {
  const [row] = await rows(sql)
  return Number(Object.values(row!)[0])
}

describe.each(['ndjson', 'csv'] as const)('tables: %s, loaded into DuckDB', format => {
  it('loads every table the bundle wrote, with the payload’s rows, unique entry keys and whole joins', async () => {
    sim = await startClariSimulator({ apiKey: TEST_API_KEY })
    const result = await runBundle({
      runtime,
      inputs: {
        'api-key': TEST_API_KEY,
        'forecast-id': 'net_arr',
        periods: PERIODS.join(','),
        'api-url': sim.url,
        upload: 'false',
        'poll-interval': '1',
        'include-historical': 'true',
        tables: format
      }
    })
    expect(result.exitCode, result.stdout).toBe(0)
    const manifest = JSON.parse(await readFile(result.outputs.manifest!, 'utf8'))
    expect(manifest.exports.map((o: { tables: object }) => Object.keys(o.tables))).toEqual(
      PERIODS.map(() => TABLE_NAMES)
    )

    // The README's statements, as written, from the folder that holds clari-export/.
    connection = await (await DuckDBInstance.create(':memory:')).connect()
    await connection.run(`SET file_search_path = '${result.workspace.replaceAll("'", "''")}'`)
    await connection.run(await readmeSql(`duckdb-${format}`))

    const payloads = PERIODS.map(period => {
      const job = sim!.jobs.find(j => j.period === period)!
      return JSON.parse(forecastPayload(period, job.forecastId, job.exportOptions)) as Payload
    })
    for (const [i, table] of TABLE_NAMES.entries()) {
      const expected = payloads.reduce((sum, p) => sum + p[LISTS[i]!]!.length, 0)
      expect(await count(`SELECT count(*) FROM ${table}`), table).toBe(expected)
    }
    expect(await count('SELECT count(DISTINCT entryKey) FROM entries')).toBe(
      await count('SELECT count(*) FROM entries')
    )
    // A week that spans two quarters is a time frame of both: timeFrameId alone is no key.
    expect(
      await count(
        'SELECT count(*) FROM (SELECT timeFrameId FROM time_frames GROUP BY 1 HAVING count(*) > 1)'
      )
    ).toBeGreaterThan(0)
    const joinsOf = (table: string, id: string): string =>
      `(SELECT count(*) FROM ${table} t WHERE t.forecastId = e.forecastId ` +
      `AND t.exportPeriod = e.exportPeriod AND t.${id} = e.${id})`
    expect(
      await count(
        `SELECT count(*) FROM entries e WHERE ${joinsOf('users', 'userId')} <> 1 OR ${joinsOf('fields', 'fieldId')} <> 1`
      )
    ).toBe(0)

    // The README's query: top fields by total forecast value, per period.
    const expected = PERIODS.flatMap((period, i) => {
      const cents = new Map<string, number>()
      const names = new Map(payloads[i]!.fields.map(f => [f.fieldId, f.fieldName]))
      for (const entry of payloads[i]!.entries) {
        if (entry.forecastValue === undefined) continue
        const name = names.get(entry.fieldId)!
        cents.set(name, (cents.get(name) ?? 0) + Math.round(entry.forecastValue * 100))
      }
      return [...cents]
        .sort(([, a], [, b]) => b - a)
        .map(([fieldName, total]) => ({ exportPeriod: period, fieldName, total: total / 100 }))
    })
    expect(expected.length).toBeGreaterThan(PERIODS.length)
    expect(await rows(await readmeSql('top-fields'))).toEqual(expected)
  })
})
