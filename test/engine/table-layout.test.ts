import { describe, expect, it } from 'vitest'
import { TABLE_LISTS, TABLE_NAMES, tableFileName } from '../../src/engine/table-layout.js'

describe('where the tables of a snapshot are written', () => {
  it('one folder per table, a partition per snapshot day, a name unique per snapshot', () => {
    const snapshot = { jobId: 'job42', snapshotAt: '2026-01-05T06:00:00.000Z' }
    expect(tableFileName('time_periods', 'net_arr', '2026_Q1', snapshot, 'parquet')).toBe(
      'tables/time_periods/snapshot_date=2026-01-05/net_arr_2026_Q1_job42.parquet'
    )
  })

  it('reads each table from the payload list the API names (docs/clari-api.md#results)', () => {
    expect(TABLE_NAMES.map(table => TABLE_LISTS[table])).toEqual([
      'entries',
      'users',
      'fields',
      'timePeriods',
      'timeFrames'
    ])
  })
})
