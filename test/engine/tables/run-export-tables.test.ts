import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { TABLE_NAMES } from '../../../src/engine/table-layout.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'
import { forecastPayload, sha256 } from '../../simulators/clari/index.js'

let h: Harness
afterEach(async () => h?.close())

const LISTS = ['entries', 'users', 'fields', 'timePeriods', 'timeFrames']

describe('runExport with tables', () => {
  it.each(['ndjson', 'csv'] as const)(
    '%s: writes the five tables of each period and records them in the manifest',
    async format => {
      h = await startHarness()
      const periods = ['2026_Q1', '2026_Q2']
      const { report } = await h.run(h.config({ periods, tables: format }))

      expect(report.failed).toEqual([])
      for (const outcome of report.manifest.exports) {
        const payload = JSON.parse(forecastPayload(outcome.period, 'net_arr')) as Record<
          string,
          unknown[]
        >
        expect(Object.keys(outcome.tables!)).toEqual(TABLE_NAMES)
        for (const [i, table] of TABLE_NAMES.entries()) {
          const written = outcome.tables![table]
          const bytes = await readFile(path.join(h.dir, written.file))
          expect(written.file).toBe(`tables/${table}/net_arr_${outcome.period}.${format}`)
          expect(written.rows).toBe(payload[LISTS[i]!]!.length)
          expect(written.sha256).toBe(sha256(bytes))
        }
      }
      const onDisk = JSON.parse(await readFile(report.manifestPath, 'utf8'))
      expect(onDisk.exports[1].tables).toEqual(report.manifest.exports[1]!.tables)
    }
  )

  it('a period whose tables fail is ERROR, keeps its payload, and costs no other period', async () => {
    const broken = '{"entries":{},"timePeriods":[{"timePeriodId":"2026_Q1"}]}'
    h = await startHarness({
      plan: req => (req.timePeriod === '2026_Q1' ? { payload: broken } : {})
    })
    const { report } = await h.run(h.config({ periods: ['2026_Q1', '2026_Q2'], tables: 'ndjson' }))

    const [failed, done] = report.manifest.exports
    expect(failed).toMatchObject({
      period: '2026_Q1',
      status: 'ERROR',
      error: 'tables: "entries" is an object, not a list',
      file: 'net_arr_2026_Q1.json',
      bytes: broken.length,
      sha256: sha256(Buffer.from(broken))
    })
    expect(failed!.tables).toBeUndefined()
    expect(await readFile(path.join(h.dir, 'net_arr_2026_Q1.json'), 'utf8')).toBe(broken)
    expect(done).toMatchObject({ period: '2026_Q2', status: 'DONE' })
    expect(report.failed.map(o => o.period)).toEqual(['2026_Q1'])
    const entries = await readdir(path.join(h.dir, 'tables', 'entries'))
    expect(entries).toEqual(['net_arr_2026_Q2.ndjson'])
  })
})
