import { describe, expect, it } from 'vitest'
import {
  finishedLine,
  historyLine,
  provenance,
  resumeLine
} from '../../../src/engine/run/format.js'
import type { PeriodOutcome } from '../../../src/engine/outcome.js'
import type { RunReport } from '../../../src/engine/run/run-export.js'

function outcome(period: string, extra: Partial<PeriodOutcome> = {}): PeriodOutcome {
  return {
    period,
    status: 'DONE',
    durationMs: 0,
    statusPolls: 0,
    throttleWaits: 0,
    rowsTruncated: false,
    cellsTruncated: false,
    timeline: {},
    ...extra
  }
}

function report(exports: PeriodOutcome[]): RunReport {
  return {
    manifest: {
      tool: 'clari-forecast-export-action',
      manifestVersion: 2,
      forecastId: 'net_arr',
      runAttempt: 2,
      request: { exportFormat: 'JSON' },
      startedAt: '',
      finishedAt: '',
      exports
    },
    manifestPath: '',
    exported: exports.filter(o => o.status === 'DONE'),
    failed: exports.filter(o => o.status !== 'DONE'),
    requestCount: 0
  }
}

describe('what a re-run took over', () => {
  it.each([
    [{}, undefined],
    [{ reusedFromAttempt: 1 }, 'reused from attempt 1'],
    [{ repolledFromAttempt: 2 }, 'job of attempt 2']
  ])('provenance of %j is %s', (extra, expected) => {
    expect(provenance(outcome('2026_Q1', extra))).toBe(expected)
  })

  it.each([
    { name: 'a fresh run', exports: [outcome('2026_Q1')], line: undefined },
    {
      name: 'two reused, one taken over, one anew',
      exports: [
        outcome('2026_Q1', { reusedFromAttempt: 1 }),
        outcome('2026_Q2', { repolledFromAttempt: 1 }),
        outcome('2026_Q3', { reusedFromAttempt: 1 }),
        outcome('2026_Q4', { status: 'FAILED' })
      ],
      line: 'Resumed: 2 periods reused, 1 job of an earlier attempt taken over, 1 started anew; 3 export jobs not created again'
    },
    {
      name: 'one reused',
      exports: [outcome('2026_Q1', { reusedFromAttempt: 3 }), outcome('2026_Q2')],
      line: 'Resumed: 1 period reused, 0 jobs of an earlier attempt taken over, 1 started anew; 1 export job not created again'
    }
  ])('resumeLine for $name', ({ exports, line }) => {
    expect(resumeLine(report(exports))).toBe(line)
  })
})

describe('the line about a finished period, shared by the step log and the terminal', () => {
  const file = { file: 'net_arr_2026_Q1.json', bytes: 2048 }
  it.each([
    {
      name: 'exported',
      extra: { ...file, durationMs: 65_000, statusPolls: 1 },
      line: '2026_Q1: DONE, net_arr_2026_Q1.json (2.0 KiB) in 1 min 5 s, 1 status check'
    },
    {
      name: 'reused',
      extra: { ...file, reusedFromAttempt: 1 },
      line: '2026_Q1: DONE, net_arr_2026_Q1.json (2.0 KiB) reused from attempt 1'
    },
    {
      name: 'reused, but its tables failed: a failure, not DONE',
      extra: {
        ...file,
        reusedFromAttempt: 1,
        status: 'ERROR' as const,
        error: 'tables: disk full'
      },
      line: '2026_Q1: ERROR (no job): tables: disk full'
    }
  ])('$name', ({ extra, line }) => {
    expect(finishedLine(outcome('2026_Q1', extra))).toBe(line)
  })
})

describe('the line about what earlier runs taught', () => {
  const q1 = { period: '2026_Q1', expectedMs: 1_805_000, spreadMs: 130_000, samples: 3 }
  it.each([
    {
      name: 'one known, one not, the list read',
      event: { predicted: [q1], unknown: ['2026_Q2'], jobList: 'read' },
      line: "Job durations from earlier runs: 2026_Q1 about 30 min 5 s (± 2 min 10 s, 3 jobs); none for 2026_Q2 (Clari's job list: read)"
    },
    {
      name: 'longest first',
      event: {
        predicted: [
          q1,
          { period: '2026_Q2', expectedMs: 2_400_000, spreadMs: 240_000, samples: 1 }
        ],
        unknown: [],
        jobList: 'not needed',
        startOrder: ['2026_Q2', '2026_Q1']
      },
      line: "Job durations from earlier runs: 2026_Q1 about 30 min 5 s (± 2 min 10 s, 3 jobs); 2026_Q2 about 40 min 0 s (± 4 min 0 s, 1 job) (Clari's job list: not needed). Starting the longest first: 2026_Q2, 2026_Q1"
    }
  ])('$name', ({ event, line }) => {
    expect(historyLine({ type: 'history', ...event })).toBe(line)
  })
})
