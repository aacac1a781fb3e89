import { describe, expect, it } from 'vitest'
import type { ExportJob } from '../../../src/clari/types.js'
import { snapshotTime } from '../../../src/engine/job/snapshot-time.js'
import { isSnapshotTime } from '../../../src/engine/outcome.js'

const SEEN = Date.parse('2026-01-05T06:00:10.000Z')
const CREATED = Date.parse('2026-01-05T05:58:00.000Z')
const iso = (ms: number): string => new Date(ms).toISOString()

describe('snapshotTime: Clari’s endTime when believable, else when the action saw the job DONE', () => {
  it.each<{ name: string; job: ExportJob; ahead?: number; created?: number; expected: number }>([
    {
      name: 'endTime between the create and the DONE seen, clocks in step',
      job: { endTime: SEEN - 4_000 },
      ahead: 0,
      created: CREATED,
      expected: SEEN - 4_000
    },
    {
      name: 'Clari’s clock 90 s ahead: its endTime is later than ours, and still believable',
      job: { endTime: SEEN + 90_000 - 4_000 },
      ahead: 90_000,
      created: CREATED,
      expected: SEEN + 90_000 - 4_000
    },
    {
      // A Date header is cut to the second: the offset may be up to that much more.
      name: 'endTime just after the DONE seen, within the Date header’s second',
      job: { endTime: SEEN + 1_500 },
      ahead: 0,
      created: CREATED,
      expected: SEEN + 1_500
    },
    {
      name: 'endTime in the future beyond the measured offset',
      job: { endTime: SEEN + 60_000 },
      ahead: 0,
      created: CREATED,
      expected: SEEN
    },
    {
      name: 'endTime before the create (a stale or foreign stamp)',
      job: { endTime: CREATED - 1 },
      ahead: 0,
      created: CREATED,
      expected: SEEN
    },
    {
      // The bounds are inclusive: the create's own millisecond by Clari's clock is believable.
      name: 'endTime at the very moment of the create, Clari’s clock 90 s ahead',
      job: { endTime: CREATED + 90_000 },
      ahead: 90_000,
      created: CREATED,
      expected: CREATED + 90_000
    },
    {
      name: 'Clari’s clock 90 s ahead: an endTime before the create by Clari’s clock',
      job: { endTime: CREATED + 60_000 },
      ahead: 90_000,
      created: CREATED,
      expected: SEEN
    },
    {
      name: 'endTime at the last moment the Date header’s second allows',
      job: { endTime: SEEN + 2_000 },
      ahead: 0,
      created: CREATED,
      expected: SEEN + 2_000
    },
    {
      name: 'endTime not in whole milliseconds (not a stamp Clari writes)',
      job: { endTime: SEEN - 4_000.5 },
      ahead: 0,
      created: CREATED,
      expected: SEEN
    },
    {
      name: 'no Date header seen: Clari’s clock cannot be placed',
      job: { endTime: SEEN - 4_000 },
      created: CREATED,
      expected: SEEN
    },
    { name: 'no endTime', job: {}, ahead: 0, created: CREATED, expected: SEEN },
    {
      name: 'an earlier attempt’s job (create unknown): endTime after its own startTime',
      job: { startTime: CREATED, endTime: SEEN - 4_000 },
      ahead: 0,
      expected: SEEN - 4_000
    },
    {
      name: 'an earlier attempt’s job whose endTime is before its startTime',
      job: { startTime: SEEN - 1_000, endTime: SEEN - 4_000 },
      ahead: 0,
      expected: SEEN
    },
    {
      name: 'an earlier attempt’s job with neither create nor startTime to check against',
      job: { endTime: SEEN - 4_000 },
      ahead: 0,
      expected: SEEN
    }
  ])('$name', ({ job, ahead, created, expected }) => {
    const at = snapshotTime(job, { seenDoneAt: SEEN, createdAfter: created, serverAheadMs: ahead })
    expect(at).toBe(iso(expected))
    expect(isSnapshotTime(at)).toBe(true)
  })
})

describe('isSnapshotTime: only a time as the action writes it', () => {
  it.each([
    ['2026-01-05T06:00:10.000Z', true],
    ['2026-01-05T06:00:10Z', false],
    ['2026-02-30T06:00:10.000Z', false],
    ['2026-13-05T06:00:10.000Z', false],
    ['2026-01-05T25:00:10.000Z', false],
    ['+012026-01-05T06:00:10.000Z', false],
    ['x2026-01-05T06:00:10.000Z', false],
    ['2026-01-05 06:00:10.000Z', false],
    ['2026-01-05T06:00:10.000Z\n', false],
    [1767592810000, false],
    [undefined, false]
  ])('%j: %s', (value, expected) => {
    expect(isSnapshotTime(value)).toBe(expected)
  })
})
