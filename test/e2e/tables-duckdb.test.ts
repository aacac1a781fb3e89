import { cp, mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { afterEach, describe, expect, it } from 'vitest'
import { TABLE_NAMES } from '../../src/engine/table-layout.js'
import { TEST_API_KEY } from '../helpers/test-api-key.js'
import {
  isRep,
  isTop,
  latestForecastByField,
  weekOverWeek,
  type Payload
} from '../helpers/payload-figures.js'
import { readmeSql } from '../helpers/readme-sql.js'
import { disposeBundles, node24, runBundle } from '../helpers/run-bundle.js'
import {
  forecastPayload,
  startClariSimulator,
  type ClariSimulator
} from '../simulators/clari/index.js'

// The runner's runtime: Node 24.
const runtime = await node24()
const FORECAST = 'net_arr'
const PERIODS = ['2026_Q1', '2026_Q2']
const LISTS = ['entries', 'users', 'fields', 'timePeriods', 'timeFrames'] as const
// Two nights and the tables each wrote: a CPU-bound child, twice, on a shared machine.
const RUN_TIMEOUT_MS = 90_000

let sim: ClariSimulator | undefined
let connection: DuckDBConnection | undefined
let history: string | undefined
afterEach(async () => {
  connection?.closeSync()
  connection = undefined
  await disposeBundles()
  await sim?.close()
  sim = undefined
  if (history) await rm(history, { recursive: true, force: true })
  history = undefined
})

async function rows(sql: string): Promise<Record<string, unknown>[]> {
  return (await connection!.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[]
}

async function count(sql: string): Promise<number> {
  const [row] = await rows(sql)
  return Number(Object.values(row!)[0])
}

/** One night: the bundled action exports both periods, every week, forecast and quota. */
async function night(format: string): Promise<string> {
  const result = await runBundle({
    runtime,
    timeoutMs: RUN_TIMEOUT_MS,
    inputs: {
      'api-key': TEST_API_KEY,
      'forecast-id': FORECAST,
      periods: PERIODS.join(','),
      'api-url': sim!.url,
      upload: 'false',
      'poll-interval': '1',
      'include-historical': 'true',
      'types-to-export': 'forecast,forecast_updated,quota',
      tables: format
    }
  })
  expect(result.exitCode, result.stdout).toBe(0)
  const manifest = JSON.parse(await readFile(result.outputs.manifest!, 'utf8'))
  for (const entry of manifest.exports) {
    expect(Object.keys(entry.tables)).toEqual(TABLE_NAMES)
    expect(entry.duplicateKeys).toBe(0)
  }
  return path.join(path.dirname(result.outputs.manifest!), 'tables')
}

/** Each period's payloads as the simulator served them, oldest snapshot first. */
function payloadsOf(period: string): Payload[] {
  return sim!.jobs
    .filter(j => j.period === period)
    .sort((a, b) => a.exportOptions.snapshot! - b.exportOptions.snapshot!)
    .map(j => JSON.parse(forecastPayload(period, j.forecastId, j.exportOptions)) as Payload)
}

describe.each(['ndjson', 'csv', 'parquet'] as const)('tables: %s, as history in DuckDB', format => {
  it(
    "two nights (drift, a leaver) copied into one folder, one twice: the README's views and queries give the payloads' own figures",
    async () => {
      sim = await startClariSimulator({ apiKey: TEST_API_KEY })
      const nights = [await night(format), await night(format)]
      // The README's history: every night's tables/ copied into one folder; a night copied
      // again (a retried sync) must change nothing.
      history = await mkdtemp(path.join(os.tmpdir(), 'clari-history-'))
      const folder = path.join(history, 'clari-history')
      for (const tables of [...nights, nights[0]!]) await cp(tables, folder, { recursive: true })

      connection = await (await DuckDBInstance.create(':memory:')).connect()
      await connection.run(`SET file_search_path = '${history.replaceAll("'", "''")}'`)
      await connection.run(await readmeSql(`duckdb-${format}`))

      const payloads = new Map(PERIODS.map(period => [period, payloadsOf(period)]))
      for (const snapshots of payloads.values()) expect(snapshots).toHaveLength(2)
      const all = [...payloads.values()].flat()
      for (const [i, table] of TABLE_NAMES.entries()) {
        const expected = all.reduce((sum, p) => sum + (p[LISTS[i]!] as unknown[]).length, 0)
        expect(await count(`SELECT count(*) FROM ${table}`), table).toBe(expected)
      }
      // Within a snapshot an entry is unique by entryKey (forecast and quota alike); across
      // snapshots the same key comes back, told apart by jobId.
      expect(await count('SELECT count(DISTINCT (jobId, entryKey)) FROM entries')).toBe(
        await count('SELECT count(*) FROM entries')
      )
      expect(await count('SELECT count(DISTINCT entryKey) FROM entries')).toBeLessThan(
        await count('SELECT count(*) FROM entries')
      )
      const joinsOf = (table: string, id: string): string =>
        `(SELECT count(*) FROM ${table} t WHERE t.jobId = e.jobId AND t.${id} = e.${id})`
      expect(
        await count(
          `SELECT count(*) FROM entries e WHERE ${joinsOf('users', 'userId')} <> 1 OR ${joinsOf('fields', 'fieldId')} <> 1`
        )
      ).toBe(0)

      // The latest snapshot of each quarter, its latest week: by field, reps only and rolled up.
      const latest = PERIODS.flatMap(period => {
        const payload = payloads.get(period)!.at(-1)!
        const reps = latestForecastByField(payload, isRep)
        const top = latestForecastByField(payload, isTop)
        const names = [...new Set([...reps.keys(), ...top.keys()])].sort(byCodePoint)
        return names.map(fieldName => ({
          forecastId: FORECAST,
          exportPeriod: period,
          fieldName,
          repsOnly: reps.get(fieldName) ?? null,
          rolledUp: top.get(fieldName) ?? null
        }))
      })
      expect(latest.length).toBeGreaterThanOrEqual(3 * PERIODS.length)
      expect(await rows(await readmeSql('latest-by-field'))).toEqual(latest)

      // Week over week per rep and field between the two snapshots; the leaver keeps a row.
      const changes = PERIODS.flatMap(period => {
        const [before, after] = payloads.get(period)!
        return weekOverWeek(before!, after!).map(row => ({
          forecastId: FORECAST,
          exportPeriod: period,
          ...row
        }))
      })
      expect(changes.some(c => c.after === null)).toBe(true)
      expect(changes.some(c => c.change !== null && c.change !== 0)).toBe(true)
      expect(await rows(await readmeSql('week-over-week'))).toEqual(changes)
    },
    4 * RUN_TIMEOUT_MS
  )
})

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)
