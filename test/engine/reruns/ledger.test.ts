import { describe, expect, it } from 'vitest'
import type { Manifest, PeriodOutcome } from '../../../src/engine/outcome.js'
import {
  ledgerKeys,
  ledgerObservations,
  ledgerOf,
  ledgerTakeOvers,
  MAX_LEDGER_BYTES,
  parseLedger,
  type LedgerWanted
} from '../../../src/engine/reruns/ledger.js'
import { NO_PAYLOAD, periodOutcome } from '../../helpers/period-outcome.js'

const SHA = 'c'.repeat(64)
const PERIODS = ['2026_Q1', '2026_Q2', '2026_Q3']
const WANTED: LedgerWanted = {
  forecastId: 'net_arr',
  request: { exportFormat: 'JSON', currency: 'USD', typesToExport: ['forecast', 'quota'] },
  periods: PERIODS
}
const SAVED_AT = new Date('2026-12-06T18:00:00Z')

const outcome = (period: string, extra: Partial<PeriodOutcome> = {}): PeriodOutcome =>
  periodOutcome(period, {
    sha256: SHA,
    jobDurationMs: 4_000,
    timeline: { createdAt: '2026-12-06T17:00:00.000Z', doneAt: '2026-12-06T17:00:04.000Z' },
    ...extra
  })

function manifest(exports: PeriodOutcome[]): Manifest {
  return {
    tool: 'clari-forecast-export-action',
    manifestVersion: 2,
    forecastId: 'net_arr',
    runId: '4242',
    runAttempt: 1,
    request: WANTED.request as Manifest['request'],
    startedAt: '2026-12-06T17:00:00.000Z',
    finishedAt: '2026-12-06T17:01:00.000Z',
    exports
  }
}

const saved = (exports: PeriodOutcome[]): Record<string, unknown> =>
  JSON.parse(JSON.stringify(ledgerOf(manifest(exports), SAVED_AT))) as Record<string, unknown>

describe('the ledger: built from a run, read back as untrusted', () => {
  it('keeps per period the job, status, bytes, sha256, snapshot time and duration, and reads back the same', () => {
    const exports = [
      outcome('2026_Q1', { tables: { entries: { file: 'x', rows: 1, sha256: SHA } } as never }),
      outcome('2026_Q2', {
        status: 'FAILED',
        ...NO_PAYLOAD,
        jobDurationMs: undefined,
        error: 'Clari says: no',
        timeline: {}
      }),
      outcome('2026_Q3', { status: 'TIMED_OUT', jobCancelled: true, bytes: undefined })
    ]
    const ledger = ledgerOf(manifest(exports), SAVED_AT)

    expect(ledger).toEqual({
      tool: 'clari-forecast-export-action',
      ledgerVersion: 1,
      forecastId: 'net_arr',
      request: WANTED.request,
      runId: '4242',
      runAttempt: 1,
      savedAt: '2026-12-06T18:00:00.000Z',
      periods: [
        {
          period: '2026_Q1',
          status: 'DONE',
          jobId: 'job2026Q1',
          bytes: 1234,
          sha256: SHA,
          snapshotAt: '2026-12-06T17:00:04.000Z',
          jobDurationMs: 4_000,
          rowsTruncated: false,
          cellsTruncated: false
        },
        {
          period: '2026_Q2',
          status: 'FAILED',
          jobId: 'job2026Q2',
          rowsTruncated: false,
          cellsTruncated: false
        },
        {
          period: '2026_Q3',
          status: 'TIMED_OUT',
          jobId: 'job2026Q3',
          sha256: SHA,
          snapshotAt: '2026-12-06T17:00:04.000Z',
          jobDurationMs: 4_000,
          rowsTruncated: false,
          cellsTruncated: false,
          jobCancelled: true
        }
      ]
    })
    // No file name, table, error text or payload: only what taking a job over needs.
    expect(JSON.stringify(ledger)).not.toMatch(/net_arr_2026|Clari says|entries/)
    expect(parseLedger(JSON.stringify(ledger), WANTED)).toEqual({ ledger })
  })

  it('takes the same parameters in another order as the same', () => {
    const text = JSON.stringify({
      ...saved([outcome('2026_Q1')]),
      request: { typesToExport: ['quota', 'forecast'], currency: 'USD', exportFormat: 'JSON' }
    })
    expect(parseLedger(text, WANTED)).toMatchObject({
      ledger: { periods: [{ period: '2026_Q1' }] }
    })
  })

  it.each([
    { name: 'not JSON', text: '{"tool":', reason: 'it is not JSON' },
    { name: 'an array', text: '[]', reason: /not this action's ledger/ },
    { name: 'null', text: 'null', reason: /not this action's ledger/ },
    {
      name: 'another tool',
      text: JSON.stringify({ ...saved([]), tool: 'other' }),
      reason: /not this action's ledger/
    },
    {
      name: 'another version',
      text: JSON.stringify({ ...saved([]), ledgerVersion: 2 }),
      reason: /not this action's ledger \(version 1\)/
    },
    {
      name: 'another forecast',
      text: JSON.stringify({ ...saved([outcome('2026_Q1')]), forecastId: 'renewals' }),
      reason: 'it is of another forecast'
    },
    {
      name: 'another currency',
      text: JSON.stringify({ ...saved([]), request: { ...WANTED.request, currency: 'EUR' } }),
      reason: /^it was made with other parameters \(currency\)$/
    },
    {
      name: 'a parameter this version does not send',
      text: JSON.stringify({ ...saved([]), request: { ...WANTED.request, extra: 1 } }),
      reason: /other parameters \(a parameter this version does not send\)/
    },
    {
      name: 'no request',
      text: JSON.stringify({ ...saved([]), request: 'JSON' }),
      reason: /other parameters \(none recorded\)/
    },
    {
      name: 'a bad runAttempt',
      text: JSON.stringify({ ...saved([]), runAttempt: 0.5 }),
      reason: 'it has no valid runAttempt'
    },
    // GitHub counts attempts from 1: a take-over would record the period as from attempt 0.
    {
      name: 'a runAttempt of 0',
      text: JSON.stringify({ ...saved([]), runAttempt: 0 }),
      reason: 'it has no valid runAttempt'
    },
    {
      name: 'a negative runAttempt',
      text: JSON.stringify({ ...saved([]), runAttempt: -2 }),
      reason: 'it has no valid runAttempt'
    },
    {
      name: 'a runAttempt as text',
      text: JSON.stringify({ ...saved([]), runAttempt: '2' }),
      reason: 'it has no valid runAttempt'
    },
    {
      name: 'a bad savedAt',
      text: JSON.stringify({ ...saved([]), savedAt: 'yesterday' }),
      reason: 'it has no valid savedAt'
    },
    {
      name: 'a savedAt with an offset',
      text: JSON.stringify({ ...saved([]), savedAt: '2026-12-06T23:00:00.000+05:00' }),
      reason: 'it has no valid savedAt'
    },
    {
      name: 'a savedAt in month 13',
      text: JSON.stringify({ ...saved([]), savedAt: '2026-13-06T18:00:00.000Z' }),
      reason: 'it has no valid savedAt'
    },
    {
      name: 'periods not a list',
      text: JSON.stringify({ ...saved([]), periods: { '2026_Q1': {} } }),
      reason: /does not list up to 1000 periods/
    },
    {
      name: 'too many periods',
      text: JSON.stringify({ ...saved([]), periods: Array.from({ length: 1001 }, () => ({})) }),
      reason: /does not list up to 1000 periods/
    },
    {
      name: 'larger than 1 MiB',
      text: JSON.stringify({ ...saved([]), pad: 'x'.repeat(MAX_LEDGER_BYTES) }),
      reason: 'it is larger than 1 MiB'
    },
    {
      name: 'nested deeper than any parser stack',
      text: '['.repeat(100_000) + ']'.repeat(100_000),
      reason: /./
    }
  ])('is unusable when $name, without throwing', ({ text, reason }) => {
    const reading = parseLedger(text, WANTED)
    expect(reading).toEqual({ unusable: expect.stringMatching(reason) })
  })

  it.each([
    { name: 'a period not asked for', entry: { period: '2025_Q4' } },
    { name: 'a period that is not text', entry: { period: ['2026_Q1'] } },
    { name: 'an unknown status', entry: { status: 'COMPLETED' } },
    { name: 'DONE without a job id', entry: { jobId: 'has spaces' } },
    { name: 'DONE without a sha256', entry: { sha256: 'C'.repeat(64) } },
    { name: 'DONE with bytes that are not a count', entry: { bytes: -1 } },
    { name: 'DONE with bytes as text', entry: { bytes: '1234' } },
    { name: 'not an object', entry: null }
  ])('leaves out an entry with $name', ({ entry }) => {
    const [good] = saved([outcome('2026_Q2')]).periods as Record<string, unknown>[]
    const [bad] = saved([outcome('2026_Q1')]).periods as Record<string, unknown>[]
    const text = JSON.stringify({
      ...saved([]),
      periods: [entry === null ? null : { ...bad, ...entry }, good]
    })
    const reading = parseLedger(text, WANTED)
    expect('ledger' in reading && reading.ledger.periods.map(p => p.period)).toEqual(['2026_Q2'])
  })

  it('drops fields that fail their check but keeps the entry, and the first of a period twice', () => {
    const [entry] = saved([outcome('2026_Q1', { status: 'ERROR' })]).periods as Record<
      string,
      unknown
    >[]
    const text = JSON.stringify({
      ...saved([]),
      runId: '12; rm -rf /',
      periods: [
        {
          ...entry,
          jobId: '\u001b[31mx',
          // A time, but not as the action writes one: the partition and rows would differ.
          snapshotAt: '2026-12-06T22:00:04+05:00',
          jobDurationMs: Number.MAX_VALUE,
          rowsTruncated: 'yes',
          jobCancelled: 'true'
        },
        { ...entry, status: 'FAILED' }
      ]
    })
    expect(parseLedger(text, WANTED)).toEqual({
      ledger: expect.objectContaining({
        periods: [
          {
            period: '2026_Q1',
            status: 'ERROR',
            bytes: 1234,
            sha256: SHA,
            rowsTruncated: false,
            cellsTruncated: false
          }
        ]
      })
    })
    expect(parseLedger(text, WANTED)).not.toHaveProperty('ledger.runId')
  })

  // The log names the ledger's run: anything but digits could inject a workflow command.
  it.each(['::error::forged 4242', 'run 4242', '4242 ', ' 4242'])(
    'drops a run ID that is more than digits (%j)',
    runId => {
      const text = JSON.stringify({ ...saved([]), runId })
      expect(parseLedger(text, WANTED)).not.toHaveProperty('ledger.runId')
    }
  )

  it('keeps the flags of a truncated export through a write and a read', () => {
    const ledger = ledgerOf(
      manifest([
        outcome('2026_Q1', { rowsTruncated: true }),
        outcome('2026_Q2', { cellsTruncated: true })
      ]),
      SAVED_AT
    )
    const reading = parseLedger(JSON.stringify(ledger), WANTED)
    expect('ledger' in reading && reading.ledger.periods).toMatchObject([
      { period: '2026_Q1', rowsTruncated: true, cellsTruncated: false },
      { period: '2026_Q2', rowsTruncated: false, cellsTruncated: true }
    ])
  })

  it.each([
    { name: 'of hours', jobDurationMs: 5 * 3_600_000, kept: true },
    { name: 'negative', jobDurationMs: -4_000, kept: false },
    { name: 'of more than a day', jobDurationMs: 25 * 3_600_000, kept: false }
  ])('learns a job duration $name only if it can be one', ({ jobDurationMs, kept }) => {
    const text = JSON.stringify(
      ledgerOf(manifest([outcome('2026_Q1', { jobDurationMs })]), SAVED_AT)
    )
    const reading = parseLedger(text, WANTED)
    const durations = 'ledger' in reading ? ledgerObservations(reading.ledger) : []
    expect(durations.map(o => o.durationMs)).toEqual(kept ? [jobDurationMs] : [])
  })

  it('gives the duration model its DONE jobs only', () => {
    const ledger = ledgerOf(
      manifest([outcome('2026_Q1'), outcome('2026_Q2', { status: 'TIMED_OUT' })]),
      SAVED_AT
    )
    expect(ledgerObservations(ledger)).toEqual([
      {
        forecastId: 'net_arr',
        period: '2026_Q1',
        request: WANTED.request,
        durationMs: 4_000,
        endedAt: Date.parse('2026-12-06T17:00:04.000Z'),
        jobId: 'job2026Q1'
      }
    ])
  })
})

describe('ledgerKeys', () => {
  const run = { id: '4242', attempt: 2 }
  const KEY = /^clari-export-ledger-net_arr-([0-9a-f]{16})-([0-9a-f]{16})-4242-2$/

  it('saves under a key unique to the run, attempt and periods, and looks up this run, then the same periods, then any', () => {
    const keys = ledgerKeys(WANTED, run)
    const [, request, periods] = KEY.exec(keys.save)!
    const exportKey = `clari-export-ledger-net_arr-${request}-`
    expect(keys.restore).toEqual([
      `${exportKey}${periods}-4242-`,
      `${exportKey}${periods}-`,
      exportKey
    ])
  })

  it('names the same parameters in any order alike, and other parameters, periods or forecasts otherwise', () => {
    const keys = ledgerKeys(WANTED, run)
    const reordered = {
      ...WANTED,
      request: { currency: 'USD', typesToExport: ['quota', 'forecast'], exportFormat: 'JSON' }
    } as LedgerWanted
    expect(ledgerKeys(reordered, run)).toEqual(keys)
    const other = ledgerKeys({ ...WANTED, request: { ...WANTED.request, currency: 'EUR' } }, run)
    expect(other.restore[2]).not.toBe(keys.restore[2])
    const leg = ledgerKeys({ ...WANTED, periods: ['2026_Q1'] }, run)
    expect(leg.save).not.toBe(keys.save)
    expect(leg.restore[2]).toBe(keys.restore[2])
    expect(ledgerKeys({ ...WANTED, forecastId: 'renewals' }, run).save).toMatch(
      /^clari-export-ledger-renewals-/
    )
  })

  // The ledger check takes an unset parameter as absent; the lookup must find that ledger too.
  it('names a request with a parameter set to undefined like one without it', () => {
    const unset = { ...WANTED, request: { ...WANTED.request, scopeId: undefined } } as LedgerWanted
    expect(ledgerKeys(unset, run)).toEqual(ledgerKeys(WANTED, run))
  })
})

describe('ledgerTakeOvers: what a ledger lets a run take over', () => {
  const NOW = Date.parse('2026-12-06T20:00:00.000Z')
  const HOUR = 3_600_000
  const DAY = 24 * HOUR
  const ledger = ledgerOf(
    manifest([
      outcome('2026_Q1', { timeline: { doneAt: '2026-12-06T18:00:00.000Z' } }),
      outcome('2026_Q2', { status: 'TIMED_OUT', sha256: undefined, bytes: undefined }),
      outcome('2026_Q3', { status: 'FAILED', sha256: undefined, bytes: undefined })
    ]),
    SAVED_AT
  )
  const Q1 = { kind: 'download', jobId: 'job2026Q1', sha256: SHA, bytes: 1234 }

  it('in a re-run of its own run: every DONE job downloaded again, every unfinished one asked about', () => {
    expect(ledgerTakeOvers(ledger, PERIODS, { runId: '4242', now: NOW, reuseWithinMs: 0 })).toEqual(
      new Map<string, unknown>([
        ['2026_Q1', Q1],
        ['2026_Q2', { kind: 're-poll', jobId: 'job2026Q2' }]
      ])
    )
  })

  it.each([
    { name: 'a job the action cancelled', extra: { jobCancelled: true } },
    { name: 'a job Clari ended ABORTED', extra: { status: 'ABORTED' as const } },
    { name: 'no job', extra: { jobId: undefined } }
  ])('in a re-run, leaves $name to a new job', ({ extra }) => {
    const own = ledgerOf(
      manifest([outcome('2026_Q2', { status: 'CANCELLED', sha256: undefined, ...extra })]),
      SAVED_AT
    )
    expect(ledgerTakeOvers(own, PERIODS, { runId: '4242', now: NOW, reuseWithinMs: 0 })).toEqual(
      new Map()
    )
  })

  it.each([
    { name: 'off', reuseWithinMs: 0, expected: [] },
    { name: 'outside the window', reuseWithinMs: 2 * HOUR, expected: [] },
    {
      name: 'inside the window',
      reuseWithinMs: 2 * HOUR + 1,
      expected: [['2026_Q1', { ...Q1, ageMs: 2 * HOUR }]]
    }
  ])(
    'in another run, with reuse-within $name: only DONE jobs younger than the window',
    ({ reuseWithinMs, expected }) => {
      expect(ledgerTakeOvers(ledger, PERIODS, { runId: '5000', now: NOW, reuseWithinMs })).toEqual(
        new Map(expected as [string, unknown][])
      )
    }
  )

  it('never takes a snapshot dated in the future, or without a date, from another run', () => {
    const odd = ledgerOf(
      manifest([
        outcome('2026_Q1', { timeline: { doneAt: '2026-12-06T21:00:00.000Z' } }),
        outcome('2026_Q2', { timeline: {} })
      ]),
      SAVED_AT
    )
    expect(ledgerTakeOvers(odd, PERIODS, { now: NOW, reuseWithinMs: 30 * 24 * HOUR })).toEqual(
      new Map()
    )
  })

  // A payload written by a period that did not end DONE (its check failed, the run was
  // cancelled) has a sha256 and a size, yet is no result to reuse.
  it.each(['FAILED', 'ABORTED', 'CANCELLED', 'TIMED_OUT', 'ERROR'] as const)(
    'in another run, never takes a period that ended %s, even with a payload recorded',
    status => {
      const ended = ledgerOf(manifest([outcome('2026_Q1', { status })]), SAVED_AT)
      expect(ended.periods[0]).toMatchObject({ sha256: SHA, bytes: 1234 })
      expect(
        ledgerTakeOvers(ended, PERIODS, { runId: '5000', now: NOW, reuseWithinMs: DAY })
      ).toEqual(new Map())
    }
  )

  it('takes a ledger without a run ID, in a run without one, as another run’s', () => {
    const local = ledgerOf({ ...manifest([outcome('2026_Q1')]), runId: undefined }, SAVED_AT)
    expect(ledgerTakeOvers(local, PERIODS, { now: NOW, reuseWithinMs: 0 })).toEqual(new Map())
  })

  it('takes nothing for a period the run does not ask for', () => {
    expect(
      ledgerTakeOvers(ledger, ['2026_Q4'], { runId: '4242', now: NOW, reuseWithinMs: 0 })
    ).toEqual(new Map())
  })
})
