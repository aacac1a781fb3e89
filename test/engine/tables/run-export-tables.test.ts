import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { TABLE_NAMES } from '../../../src/engine/table-layout.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'
import { forecastPayload, sha256 } from '../../simulators/clari/index.js'

let h: Harness
afterEach(async () => h?.close())

const LISTS = ['entries', 'users', 'fields', 'timePeriods', 'timeFrames']
const MINUTE = 60_000

describe('runExport with tables', () => {
  it.each(['ndjson', 'csv', 'parquet'] as const)(
    '%s: writes the five tables of each period, named by its snapshot, and records them in the manifest',
    async format => {
      h = await startHarness({ plan: { durationMs: 3 * MINUTE } })
      const periods = ['2026_Q1', '2026_Q2']
      const { report } = await h.run(h.config({ periods, tables: format }))

      expect(report.failed).toEqual([])
      for (const [index, outcome] of report.manifest.exports.entries()) {
        const payload = JSON.parse(forecastPayload(outcome.period, 'net_arr')) as Record<
          string,
          unknown[]
        >
        // Clari's endTime, on the simulator's clock (which the run shares): the moment it was DONE.
        const job = h.sim.jobs[index]!
        const snapshotAt = new Date(job.createdAt + 3 * MINUTE).toISOString()
        expect(outcome).toMatchObject({
          jobId: job.jobId,
          snapshotAt,
          duplicateKeys: 0,
          invalidText: 0
        })
        expect(Object.keys(outcome.tables!)).toEqual(TABLE_NAMES)
        for (const [i, table] of TABLE_NAMES.entries()) {
          const written = outcome.tables![table]
          const bytes = await readFile(path.join(h.dir, written.file))
          expect(written.file).toBe(
            `tables/${table}/snapshot_date=${snapshotAt.slice(0, 10)}/net_arr_${outcome.period}_${job.jobId}.${format}`
          )
          expect(written.rows).toBe(payload[LISTS[i]!]!.length)
          expect(written.sha256).toBe(sha256(bytes))
        }
      }
      const onDisk = JSON.parse(await readFile(report.manifestPath, 'utf8'))
      expect(onDisk.exports[1].tables).toEqual(report.manifest.exports[1]!.tables)
      expect(onDisk.exports[1].snapshotAt).toBe(report.manifest.exports[1]!.snapshotAt)
    }
  )

  it('a download cut off midway and tried again gives whole tables, and leaves nothing of the first try', async () => {
    h = await startHarness({
      faults: [{ endpoint: 'results', times: 1, fault: { kind: 'reset-mid-body' } }]
    })
    const { report } = await h.run(h.config({ tables: 'ndjson' }))
    const [outcome] = report.manifest.exports
    expect(outcome!.status).toBe('DONE')
    expect(h.sim.requests.filter(r => r.endpoint === 'results')).toHaveLength(2)
    const payload = JSON.parse(forecastPayload('2026_Q1', 'net_arr')) as { entries: unknown[] }
    const entries = outcome!.tables!.entries
    const text = await readFile(path.join(h.dir, entries.file), 'utf8')
    expect(text.trim().split('\n')).toHaveLength(payload.entries.length)
    expect(sha256(Buffer.from(text))).toBe(entries.sha256)
    const files = await readdir(path.join(h.dir, 'tables'), {
      recursive: true,
      withFileTypes: true
    })
    expect(files.filter(f => f.isFile())).toHaveLength(TABLE_NAMES.length)
  })

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
    const entries = await readdir(path.join(h.dir, 'tables', 'entries'), { recursive: true })
    expect(entries.filter(name => name.endsWith('.ndjson'))).toEqual([
      path.join(
        `snapshot_date=${done!.snapshotAt!.slice(0, 10)}`,
        `net_arr_2026_Q2_${done!.jobId}.ndjson`
      )
    ])
  })

  it('warns about what the tables met: repeated keys, text made loadable', async () => {
    const entry =
      '{"timePeriodId":"2026_Q1","timeFrameId":"TF:1","userId":"u","fieldId":"f","forecastValue":1}'
    const payload = `{"entries":[${entry},${entry}],"users":[{"userId":"\\ud800"}],"timePeriods":[{"timePeriodId":"2026_Q1"}]}`
    h = await startHarness({ plan: { payload } })
    const { report, events } = await h.run(h.config({ tables: 'csv' }))
    expect(report.manifest.exports[0]).toMatchObject({
      status: 'DONE',
      duplicateKeys: 1,
      invalidText: 1
    })
    const warnings = events.flatMap(e => (e.type === 'warning' ? [e.message] : []))
    expect(warnings).toEqual([
      'entries: 1 entry repeats the key of an earlier one (timePeriodId|timeFrameId|userId|fieldId: 2026_Q1|TF:1|u|f (forecastValue)); rows are kept as Clari sent them',
      '1 string(s) held bytes that are not UTF-8 or half a surrogate pair; the tables have U+FFFD in their place (the payload is kept as sent)'
    ])
  })
})
