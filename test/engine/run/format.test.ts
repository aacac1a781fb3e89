import { describe, expect, it } from 'vitest'
import {
  attemptName,
  finishedLine,
  historyLine,
  PERIOD_COLUMNS,
  provenance,
  rerunScope,
  resumingLine,
  resumeLine,
  runTotals,
  tablesLine,
  totalsLine,
  waitingLine,
  type EarlierRunName
} from '../../../src/engine/run/format.js'
import type { PeriodOutcome } from '../../../src/engine/outcome.js'
import { TABLE_NAMES, type WrittenTables } from '../../../src/engine/table-layout.js'
import type { RunReport } from '../../../src/engine/run/run-export.js'
import { NO_PAYLOAD, periodOutcome } from '../../helpers/period-outcome.js'

function report(exports: PeriodOutcome[], requestCount = 0): RunReport {
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
    requestCount
  }
}

describe('what a re-run took over', () => {
  it.each([
    [{}, undefined],
    [{ reusedFromAttempt: 1 }, 'reused from attempt 1'],
    [{ repolledFromAttempt: 2 }, 'job of attempt 2'],
    [{ jobFromRun: 'run 123, its snapshot 1 h old' }, 'job of run 123, its snapshot 1 h old'],
    [{ anewBecause: 'its job had expired at Clari' }, 'exported anew: its job had expired at Clari']
  ])('provenance of %j is %s', (extra, expected) => {
    expect(provenance(periodOutcome('2026_Q1', extra), attemptName)).toBe(expected)
  })

  it('names the earlier run as the adapter does: a terminal has no attempts', () => {
    const terminal: EarlierRunName = () => 'the earlier run in clari-export'
    const reused = periodOutcome('2026_Q1', { reusedFromAttempt: 1, file: 'a.json', bytes: 10 })
    expect(provenance(reused, terminal)).toBe('reused from the earlier run in clari-export')
    expect(finishedLine(reused, terminal)).toBe(
      '2026_Q1: DONE, a.json (10 B), reused from the earlier run in clari-export'
    )
    expect(resumeLine(report([reused]), terminal)).toBe(
      'Resumed from the earlier run in clari-export: 1 period reused; 1 export job not created again'
    )
  })

  it.each([
    { name: 'a fresh run', exports: [periodOutcome('2026_Q1')], line: undefined },
    {
      name: 'two reused, one taken over, one anew',
      exports: [
        periodOutcome('2026_Q1', { reusedFromAttempt: 1 }),
        periodOutcome('2026_Q2', { repolledFromAttempt: 1 }),
        periodOutcome('2026_Q3', { reusedFromAttempt: 1 }),
        periodOutcome('2026_Q4', { status: 'FAILED' })
      ],
      line: 'Resumed from attempt 1: 2 periods reused, 1 job taken over, 1 exported anew; 3 export jobs not created again'
    },
    {
      // Nothing is said about what did not happen.
      name: 'one reused',
      exports: [periodOutcome('2026_Q1', { reusedFromAttempt: 3 }), periodOutcome('2026_Q2')],
      line: 'Resumed from attempt 3: 1 period reused, 1 exported anew; 1 export job not created again'
    },
    {
      name: 'one taken over, none reused',
      exports: [periodOutcome('2026_Q1', { repolledFromAttempt: 1 })],
      line: 'Resumed from attempt 1: 1 job taken over; 1 export job not created again'
    }
  ])('resumeLine for $name', ({ exports, line }) => {
    expect(resumeLine(report(exports), attemptName)).toBe(line)
  })

  it.each([
    {
      lists: { reused: ['2026_Q1', '2026_Q2'], repolled: [], anew: ['2026_Q3'] },
      line: 'Resuming from artifact a of attempt 1: reusing 2026_Q1, 2026_Q2 (no request to Clari); exporting 2026_Q3 anew'
    },
    {
      lists: { reused: [], repolled: ['2026_Q2'], anew: [] },
      line: 'Resuming from artifact a of attempt 1: asking Clari again about the job of 2026_Q2'
    },
    {
      lists: { reused: [], repolled: ['2026_Q1', '2026_Q2'], anew: ['2026_Q3', '2026_Q4'] },
      line: 'Resuming from artifact a of attempt 1: asking Clari again about the jobs of 2026_Q1, 2026_Q2; exporting 2026_Q3, 2026_Q4 anew'
    }
  ])('the resume plan names only what it does: $line', ({ lists, line }) => {
    const said = resumingLine({ type: 'resume', source: 'artifact a of attempt 1', ...lists })
    expect(said).toBe(line)
    expect(said).not.toMatch(/none|\b0\b/)
  })

  it.each([
    [undefined, 'Not resuming from artifact a: it holds no manifest; exporting every period'],
    [
      'taking jobs over from the ledger',
      'Not resuming from artifact a: it holds no manifest; taking jobs over from the ledger'
    ]
  ])('nothing taken over says why and what the run does instead (%s)', (instead, line) => {
    const event = { source: 'artifact a', unusable: 'it holds no manifest', instead }
    expect(resumingLine({ type: 'resume', ...event, reused: [], repolled: [], anew: [] })).toBe(
      line
    )
  })
})

describe('what a re-run would export again', () => {
  it.each([
    {
      statuses: ['DONE', 'FAILED', 'TIMED_OUT'],
      scope: { again: ['2026_Q2', '2026_Q3'], kept: 1 }
    },
    // Nothing kept (all failed, e.g. a rejected key) or nothing to redo: no advice.
    { statuses: ['FAILED', 'ERROR'], scope: undefined },
    { statuses: ['DONE'], scope: undefined }
  ] as const)('$statuses → $scope', ({ statuses, scope }) => {
    const exports = statuses.map((status, i) => periodOutcome(`2026_Q${i + 1}`, { status }))
    expect(rerunScope(report(exports))).toEqual(scope)
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
      line: '2026_Q1: DONE, net_arr_2026_Q1.json (2.0 KiB), reused from attempt 1'
    },
    {
      name: 'reused, but its tables failed: a failure, not DONE',
      extra: {
        ...file,
        reusedFromAttempt: 1,
        jobId: undefined,
        status: 'ERROR' as const,
        error: 'tables: disk full'
      },
      line: '2026_Q1: ERROR: tables: disk full'
    },
    {
      name: 'failed at Clari: the job named once',
      extra: { jobId: 'ae1a', status: 'FAILED' as const, error: 'the job ended FAILED at Clari' },
      line: '2026_Q1: FAILED (job ae1a): the job ended FAILED at Clari'
    },
    {
      name: 'failed without a reason: says so',
      extra: { jobId: 'ae1a', status: 'ERROR' as const, error: undefined },
      line: '2026_Q1: ERROR (job ae1a): no reason given'
    }
  ])('$name', ({ extra, line }) => {
    expect(finishedLine(periodOutcome('2026_Q1', extra), attemptName)).toBe(line)
  })

  it.each([
    [
      'cancelled',
      '2026_Q1: CANCELLED (job j1): the run was cancelled; its job was cancelled at Clari'
    ],
    [
      'already-finished',
      '2026_Q1: CANCELLED (job j1): the run was cancelled; its job had already ended at Clari'
    ],
    [
      'cancel failed: HTTP 500',
      '2026_Q1: CANCELLED (job j1): the run was cancelled; its job may still run at Clari (cancel failed: HTTP 500)'
    ]
  ])('a cancel of the job ends its period line (%s)', (result, line) => {
    const cancelled = periodOutcome('2026_Q1', {
      jobId: 'j1',
      status: 'CANCELLED',
      error: 'the run was cancelled'
    })
    expect(finishedLine(cancelled, attemptName, result)).toBe(line)
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
      name: 'none known',
      event: { predicted: [], unknown: ['2026_Q1', '2026_Q2'], jobList: 'not asked for' },
      line: "Job durations from earlier runs: none for 2026_Q1, 2026_Q2 (Clari's job list: not asked for)"
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

describe('the per-period table, shared by the job summary and the terminal', () => {
  it('has these columns', () => {
    expect(PERIOD_COLUMNS.map(c => c.header)).toEqual([
      'Period',
      'Status',
      'Job',
      'Size',
      'Duration',
      'Status checks',
      'Throttle waits'
    ])
  })

  it.each([
    {
      name: 'exported',
      outcome: periodOutcome('2026_Q1', { bytes: 2048, statusPolls: 6, throttleWaits: 2 }),
      row: ['2026_Q1', 'DONE', 'job2026Q1', '2.0 KiB', '1 min 0 s', '6', '2']
    },
    {
      name: 'reused and truncated',
      outcome: periodOutcome('2026_Q1', { reusedFromAttempt: 1, cellsTruncated: true }),
      row: [
        '2026_Q1',
        'DONE, truncated (reused from attempt 1)',
        'job2026Q1',
        '1.2 KiB',
        '1 min 0 s',
        '1',
        '0'
      ]
    },
    {
      name: 'failed before a job was created',
      outcome: periodOutcome('2026_Q1', {
        status: 'ERROR',
        jobId: undefined,
        ...NO_PAYLOAD,
        durationMs: 5_000,
        statusPolls: 0
      }),
      row: ['2026_Q1', 'ERROR', '', '', '5 s', '0', '0']
    }
  ])('a period $name', ({ outcome, row }) => {
    expect(PERIOD_COLUMNS.map(c => c.text(outcome, attemptName))).toEqual(row)
  })
})

describe('the lines about a run as a whole', () => {
  it('totals the periods, bytes, requests and throttle waits', () => {
    const exports = [
      periodOutcome('2026_Q1', { bytes: 2048, statusPolls: 4, throttleWaits: 1 }),
      periodOutcome('2026_Q2', { bytes: 1024, statusPolls: 2, throttleWaits: 0 }),
      periodOutcome('2026_Q3', {
        status: 'FAILED',
        ...NO_PAYLOAD,
        statusPolls: 3,
        throttleWaits: 2
      })
    ]
    const totals = runTotals(report(exports, 14))
    expect(totals).toEqual({
      periods: 3,
      exported: 2,
      bytes: 3072,
      statusPolls: 9,
      throttleWaits: 3,
      requests: 14
    })
    expect(totalsLine(totals)).toBe(
      '2 of 3 periods exported, 3.0 KiB, 14 requests to Clari, 3 throttle waits'
    )
  })

  it('counts the rows of each table, in the order tables are listed', () => {
    const rows = [5120, 12, 4, 1, 13]
    const tables = Object.fromEntries(
      TABLE_NAMES.map((name, i) => [name, { file: `${name}.ndjson`, rows: rows[i]!, sha256: '' }])
    ) as WrittenTables
    expect(tablesLine(tables)).toBe(
      'tables: entries 5,120 rows, users 12, fields 4, time_periods 1, time_frames 13'
    )
  })

  it.each([
    {
      event: { waitMs: 30_000, reason: 'throttled' as const, detail: 'HTTP 429' },
      line: '2026_Q1: waiting 30 s (throttled): HTTP 429'
    },
    {
      // The wait ends when one of the run's jobs finishes: no duration to give.
      event: { reason: 'concurrency-full' as const, detail: 'no slot free at Clari' },
      line: '2026_Q1: waiting (concurrency-full): no slot free at Clari'
    }
  ])('a wait: $line', ({ event, line }) => {
    expect(waitingLine({ type: 'waiting', period: '2026_Q1', ...event })).toBe(line)
  })
})
