import { afterAll, describe, expect, it, vi } from 'vitest'

// The unit project shares loaded modules between files (isolate: false): load the logger anew,
// with the fake below, whatever an earlier file of this worker loaded (as run.test.ts does).
vi.hoisted(() => vi.resetModules())
afterAll(() => vi.resetModules())
vi.mock(import('@actions/core'), async original =>
  (await import('./toolkit/index.js')).fakeCore(await original())
)

import { createEventLogger } from '../../src/action/log-events.js'
import type { ExportEvent } from '../../src/engine/events.js'
import { periodOutcome } from '../helpers/period-outcome.js'
import { runAction, type LogLine } from './toolkit/index.js'

function finished(period: string): ExportEvent {
  const outcome = periodOutcome(period, { bytes: 10, statusPolls: 3 })
  return { type: 'period-finished', outcome }
}

const started = (period: string, index: number): ExportEvent => ({
  type: 'period-started',
  period,
  index,
  total: 2
})

async function logged(events: ExportEvent[]): Promise<LogLine[]> {
  const step = await runAction(
    async () => {
      const log = createEventLogger()
      events.forEach(log)
    },
    { inputs: {} }
  )
  return step.log
}

/** Each period's lines, by the group they landed in ('' outside any group). */
function groupsOf(log: LogLine[]): Map<string, string> {
  const where = new Map<string, string>()
  let group = ''
  for (const line of log) {
    if (line.kind === 'group') group = line.text
    else if (line.kind === 'endgroup') group = ''
    else {
      const period = /^(\d{4}_Q\d):/.exec(line.text)?.[1]
      if (period) where.set(period, group)
    }
  }
  return where
}

describe('the step log', () => {
  it('gives each period its group when periods run one at a time', async () => {
    const log = await logged([
      started('2026_Q1', 0),
      finished('2026_Q1'),
      started('2026_Q2', 1),
      finished('2026_Q2')
    ])
    expect(groupsOf(log)).toEqual(
      new Map([
        ['2026_Q1', 'Period 2026_Q1 (1 of 2)'],
        ['2026_Q2', 'Period 2026_Q2 (2 of 2)']
      ])
    )
  })

  it("closes the open group when auto raises the limit mid-run, so no period's lines land in another's", async () => {
    const log = await logged([
      started('2026_Q1', 0),
      { type: 'concurrency', limit: 2, detail: 'Clari has room for 2 of this run’s jobs again' },
      started('2026_Q2', 1),
      finished('2026_Q2'),
      finished('2026_Q1')
    ])
    expect(groupsOf(log).get('2026_Q2')).toBe('')
    expect(log.filter(l => l.kind === 'group')).toHaveLength(1)
    expect(log.filter(l => l.kind === 'endgroup')).toHaveLength(1)
  })

  it('after a cancel, says in one line per period what became of its job', async () => {
    const cancelled = (period: string, jobId?: string): ExportEvent => {
      const event = finished(period) as Extract<ExportEvent, { type: 'period-finished' }>
      const error = jobId ? 'the run was cancelled' : 'not started: the run was cancelled'
      const outcome = { ...event.outcome, status: 'CANCELLED' as const, jobId, error }
      return { type: 'period-finished', outcome }
    }
    const log = await logged([
      started('2026_Q1', 0),
      { type: 'job-cancelled', period: '2026_Q1', jobId: 'j1', result: 'already-finished' },
      cancelled('2026_Q1', 'j1'),
      cancelled('2026_Q2')
    ])
    expect(log.filter(l => l.kind === 'info').map(l => l.text)).toEqual([
      '2026_Q1: CANCELLED (job j1): the run was cancelled; its job had already ended at Clari',
      '2026_Q2: CANCELLED: not started: the run was cancelled'
    ])
  })

  it('names only the lists that hold something', async () => {
    const log = await logged([
      {
        type: 'resume',
        source: 'artifact a of attempt 1',
        reused: ['2026_Q1'],
        repolled: [],
        anew: []
      },
      { type: 'concurrency', limit: 2, detail: 'max-concurrent-jobs' },
      { type: 'jobs-in-flight', period: '2026_Q1', jobId: 'j1', change: 'ended', inFlight: [] }
    ])
    expect(log.map(l => l.text)).toEqual([
      'Resuming from artifact a of attempt 1: reusing 2026_Q1 (no request to Clari)',
      'Exporting up to 2 periods at once (max-concurrent-jobs)',
      '2026_Q1: job j1 ended; no job of this run in flight'
    ])
  })
})
