import { describe, expect, it } from 'vitest'
import { EXPORT_TYPES } from '../../../src/clari/types.js'
import {
  manifestDurations,
  readEarlierManifest,
  type EarlierManifest,
  type ManifestExpectation
} from '../../../src/engine/reruns/earlier-manifest.js'
import { doneEntry, earlierManifest, SHA } from '../../helpers/earlier-manifests.js'

const KEY = 'ck_live_0123456789abcdef'
const EXPECT: ManifestExpectation = { forecastId: 'net_arr', attemptBefore: 3, apiKey: KEY }

const WEEK_MS = 7 * 24 * 3600 * 1000

const manifest = earlierManifest
const done = doneEntry

const read = (value: unknown, expect = EXPECT) =>
  readEarlierManifest(
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    expect
  )

/** `n` DONE entries, each for another quarter from 2000_Q1 on. */
const quarters = (n: number) =>
  Array.from({ length: n }, (_, i) => done(`${2000 + Math.floor(i / 4)}_Q${(i % 4) + 1}`))

/** JSON text of `inner` nested in `depth` arrays: 5,000 of them are 10 KB. */
const nested = (depth: number, inner = '"USD"'): string =>
  `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`

describe('readEarlierManifest: an earlier manifest is untrusted input, read once into a checked shape', () => {
  it('reads what the action writes, with the fields the resume uses', () => {
    const earlier = read(
      manifest(
        {
          runAttempt: 2,
          request: {
            exportFormat: 'JSON',
            currency: 'EUR',
            typesToExport: ['quota', 'forecast'],
            schedule: 'ONCE'
          }
        },
        [
          done('2026_Q1', {
            rowsTruncated: true,
            reusedFromAttempt: 1,
            snapshotAt: '2026-05-15T12:00:00.000Z',
            durationMs: 5,
            timeline: {}
          }),
          { period: '2026_Q2', status: 'TIMED_OUT', jobId: 'abc123', jobCancelled: false }
        ]
      )
    )
    expect(earlier).toEqual({
      forecastId: 'net_arr',
      runAttempt: 2,
      request: {
        exportFormat: 'JSON',
        currency: 'EUR',
        typesToExport: ['quota', 'forecast'],
        schedule: 'ONCE'
      },
      unknownParameter: false,
      exports: [
        {
          period: '2026_Q1',
          status: 'DONE',
          jobId: 'job2026Q1',
          file: 'net_arr_2026_Q1.json',
          sha256: SHA,
          rowsTruncated: true,
          cellsTruncated: false,
          jobCancelled: false,
          reusedFromAttempt: 1,
          snapshotAt: '2026-05-15T12:00:00.000Z'
        },
        {
          period: '2026_Q2',
          status: 'TIMED_OUT',
          jobId: 'abc123',
          rowsTruncated: false,
          cellsTruncated: false,
          jobCancelled: false
        }
      ]
    })
  })

  it.each<{ name: string; earlier: unknown; kind: string; problem: RegExp }>([
    { name: 'not JSON', earlier: '{"tool": ', kind: 'unreadable', problem: /is not JSON$/ },
    { name: 'an array', earlier: [], kind: 'unreadable', problem: /is not a JSON object$/ },
    {
      name: 'another tool',
      earlier: manifest({ tool: 'x' }),
      kind: 'not-ours',
      problem: /was not made by clari-forecast-export-action \(manifest version 2\)$/
    },
    {
      name: 'version 1',
      earlier: manifest({ manifestVersion: 1 }),
      kind: 'not-ours',
      problem: /version 2/
    },
    {
      name: 'another forecast, with a hostile name',
      earlier: manifest({ forecastId: 'x\u001b[31m\n::error::pwned' }),
      kind: 'other-forecast',
      problem: /^it holds forecast "x \[31m : :error: :pwned", not net_arr$/
    },
    {
      name: 'a forecast that is not text',
      earlier: manifest({ forecastId: { toString: 1 } }),
      kind: 'other-forecast',
      problem: /^it holds forecast none, not net_arr$/
    },
    {
      name: 'this attempt',
      earlier: manifest({ runAttempt: 3 }),
      kind: 'not-ours',
      problem: /records no earlier attempt \(runAttempt 3\)$/
    },
    // GitHub counts attempts from 1: a reused payload would say it came from attempt 0.
    {
      name: 'attempt 0',
      earlier: manifest({ runAttempt: 0 }),
      kind: 'not-ours',
      problem: /records no earlier attempt \(runAttempt 0\)$/
    },
    {
      name: 'an attempt as text',
      earlier: manifest({ runAttempt: '1' }),
      kind: 'not-ours',
      problem: /\(runAttempt missing\)$/
    },
    {
      name: 'no request',
      earlier: manifest({ request: 'JSON' }),
      kind: 'unreadable',
      problem: /damaged: request is not an object$/
    },
    {
      name: 'a format this action does not write',
      earlier: manifest({ request: { exportFormat: 'XML' } }),
      kind: 'unreadable',
      problem: /request\.exportFormat is not one of JSON, CSV$/
    },
    {
      name: 'a currency that is not a line of text',
      earlier: manifest({ request: { exportFormat: 'JSON', currency: 'EUR\n::error::x' } }),
      kind: 'unreadable',
      problem: /request\.currency is not a short line of text$/
    },
    {
      name: 'a scope longer than a line of text',
      earlier: manifest({ request: { exportFormat: 'JSON', scopeId: 'x'.repeat(201) } }),
      kind: 'unreadable',
      problem: /request\.scopeId is not a short line of text$/
    },
    {
      name: 'an unknown type',
      earlier: manifest({ request: { exportFormat: 'JSON', typesToExport: ['forecast', 'x'] } }),
      kind: 'unreadable',
      problem: /request\.typesToExport is not one of forecast/
    },
    {
      name: 'more types than there are',
      earlier: manifest({
        request: {
          exportFormat: 'JSON',
          typesToExport: [...EXPORT_TYPES, 'forecast']
        }
      }),
      kind: 'unreadable',
      problem: /request\.typesToExport is not a list of export types$/
    },
    {
      name: 'a schedule this action does not send',
      earlier: manifest({ request: { exportFormat: 'JSON', schedule: 'DAILY' } }),
      kind: 'unreadable',
      problem: /request\.schedule is not one of NONE, ONCE, MAX$/
    },
    {
      name: 'include-historical as text',
      earlier: manifest({ request: { exportFormat: 'JSON', includeHistorical: 'true' } }),
      kind: 'unreadable',
      problem: /request\.includeHistorical is not true or false$/
    },
    {
      name: 'no exports',
      earlier: manifest({ exports: {} }),
      kind: 'unreadable',
      problem: /exports is not a list$/
    },
    {
      name: 'more than 1,000 periods',
      earlier: manifest({}, quarters(1_001)),
      kind: 'unreadable',
      problem: /damaged: exports lists more than 1000 periods$/
    },
    {
      name: 'a period that is not a quarter',
      earlier: manifest({}, [done('../x')]),
      kind: 'unreadable',
      problem: /exports\[0\]\.period is not a fiscal quarter$/
    },
    {
      name: 'a period with text before its quarter',
      earlier: manifest({}, [done('x2026_Q1')]),
      kind: 'unreadable',
      problem: /exports\[0\]\.period is not a fiscal quarter$/
    },
    // Nothing may follow the quarter: a period is printed (listed twice) and learned from as read.
    {
      name: 'a period with a path after its quarter',
      earlier: manifest({}, [done('2026_Q1/../../x')]),
      kind: 'unreadable',
      problem: /exports\[0\]\.period is not a fiscal quarter$/
    },
    {
      name: 'a period with a workflow command after its quarter, listed twice',
      earlier: manifest({}, [done('2026_Q1\n::error::x'), done('2026_Q1\n::error::x')]),
      kind: 'unreadable',
      problem: /^its manifest\.json is damaged: exports\[0\]\.period is not a fiscal quarter$/
    },
    {
      name: 'a period twice',
      earlier: manifest({}, [done('2026_Q1'), done('2026_Q1', { sha256: 'b'.repeat(64) })]),
      kind: 'unreadable',
      problem: /exports\[1\] lists 2026_Q1 a second time$/
    },
    {
      name: 'a status the action never writes',
      earlier: manifest({}, [done('2026_Q1', { status: 'COMPLETED' })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.status is not a period status$/
    },
    {
      name: 'a job id that could smuggle a path or a command',
      earlier: manifest({}, [{ period: '2026_Q1', status: 'ERROR', jobId: '../x::error::y' }]),
      kind: 'unreadable',
      problem: /exports\[0\]\.jobId is not what this action writes$/
    },
    {
      name: 'a payload file in another folder',
      earlier: manifest({}, [done('2026_Q1', { file: '../../etc/passwd' })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.file is not what this action writes$/
    },
    {
      name: 'a payload file name ending in a slash',
      earlier: manifest({}, [done('2026_Q1', { file: 'net_arr_2026_Q1.json/' })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.file is not what this action writes$/
    },
    {
      name: 'a payload file name ending in a line break',
      earlier: manifest({}, [done('2026_Q1', { file: 'net_arr_2026_Q1.json\n' })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.file is not what this action writes$/
    },
    {
      name: 'a sha256 that is not one',
      earlier: manifest({}, [done('2026_Q1', { sha256: 'XYZ' })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.sha256/
    },
    {
      name: 'a payload reused from a later attempt',
      earlier: manifest({}, [done('2026_Q1', { reusedFromAttempt: 2 })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.reusedFromAttempt/
    },
    {
      name: 'a snapshot time that is not ISO-8601 UTC',
      earlier: manifest({}, [done('2026_Q1', { snapshotAt: '2026-05-15 12:00' })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.snapshotAt/
    },
    {
      name: 'an entry that is not an object',
      earlier: manifest({}, [null]),
      kind: 'unreadable',
      problem: /exports\[0\] is not an object$/
    },
    {
      name: 'a job duration as text',
      earlier: manifest({}, [done('2026_Q1', { jobDurationMs: '300000' })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.jobDurationMs is not what this action writes$/
    },
    {
      name: 'a negative job duration',
      earlier: manifest({}, [done('2026_Q1', { jobDurationMs: -300_000 })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.jobDurationMs is not what this action writes$/
    },
    {
      name: 'a zero job duration',
      earlier: manifest({}, [done('2026_Q1', { jobDurationMs: 0 })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.jobDurationMs is not what this action writes$/
    },
    {
      name: 'a job duration longer than a week',
      earlier: manifest({}, [done('2026_Q1', { jobDurationMs: WEEK_MS + 1 })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.jobDurationMs is not what this action writes$/
    },
    {
      name: 'a truncation flag as text',
      earlier: manifest({}, [done('2026_Q1', { rowsTruncated: 'false' })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.rowsTruncated/
    },
    {
      name: 'a cells truncation flag as text',
      earlier: manifest({}, [done('2026_Q1', { cellsTruncated: 'true' })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.cellsTruncated is not what this action writes$/
    },
    {
      name: 'a job cancelled flag as a number',
      earlier: manifest({}, [done('2026_Q1', { jobCancelled: 0 })]),
      kind: 'unreadable',
      problem: /exports\[0\]\.jobCancelled is not what this action writes$/
    },
    {
      name: 'more than 4 MiB',
      earlier: manifest({ padding: 'x'.repeat(4 * 1024 * 1024) }),
      kind: 'unreadable',
      problem: /is larger than a manifest can be$/
    }
  ])('unusable when it holds $name ($kind)', ({ earlier, kind, problem }) => {
    const result = read(earlier)
    expect(result).toEqual({ kind, problem: expect.stringMatching(problem) })
  })

  // Each bound refuses only what lies beyond it: a manifest this action wrote at the edge is read.
  it.each<{ name: string; earlier: unknown; reads: object }>([
    {
      name: 'every export type, each once',
      earlier: manifest({ request: { exportFormat: 'JSON', typesToExport: [...EXPORT_TYPES] } }),
      reads: { request: { exportFormat: 'JSON', typesToExport: [...EXPORT_TYPES] } }
    },
    {
      name: 'a scope of 200 characters',
      earlier: manifest({ request: { exportFormat: 'JSON', scopeId: 's'.repeat(200) } }),
      reads: { request: { exportFormat: 'JSON', scopeId: 's'.repeat(200) } }
    },
    {
      name: '1,000 periods',
      earlier: manifest({}, quarters(1_000)),
      reads: { exports: expect.arrayContaining([expect.objectContaining({ period: '2249_Q4' })]) }
    },
    {
      name: 'a job that ran exactly a week',
      earlier: manifest({}, [done('2026_Q1', { jobDurationMs: WEEK_MS })]),
      reads: { exports: [{ period: '2026_Q1', jobDurationMs: WEEK_MS }] }
    }
  ])('reads a manifest with $name, at the edge of what it may hold', ({ earlier, reads }) => {
    expect(read(earlier)).toMatchObject(reads)
  })

  it.each([
    ['request.currency', (depth: number) => `{"exportFormat":"JSON","currency":${nested(depth)}}`],
    [
      'request.typesToExport',
      (depth: number) => `{"exportFormat":"JSON","typesToExport":[${nested(depth, '"quota"')}]}`
    ]
  ])(
    'a %s nested 5,000 and 200,000 deep (10 KB, 400 KB) is unusable, and nothing throws',
    (_, request) => {
      for (const depth of [5_000, 200_000]) {
        const text = JSON.stringify(manifest()).replace('{"exportFormat":"JSON"}', request(depth))
        const result = read(text)
        expect(result).toMatchObject({
          kind: 'unreadable',
          problem: expect.stringMatching(/damaged: request\./)
        })
      }
    }
  )

  it('reads a whole manifest nested deep without throwing', () => {
    expect(read(nested(200_000, '{}'))).toMatchObject({ kind: 'unreadable' })
  })

  it('flags a request parameter this version does not send, without printing it', () => {
    const result = read(
      manifest({ request: { exportFormat: 'JSON', 'x::warning::y': nested(5_000) } })
    )
    expect(result).toMatchObject({ unknownParameter: true })
  })

  it('masks the API key wherever it appears', () => {
    const result = read(manifest({ forecastId: `net_${KEY}` }))
    expect(JSON.stringify(result)).not.toContain(KEY.slice(0, 8))
    expect(result).toMatchObject({
      kind: 'other-forecast',
      problem: expect.stringContaining('***')
    })
  })

  it('accepts any earlier attempt when no bound is set (clari-export --resume)', () => {
    expect(read(manifest({ runAttempt: 7 }), { forecastId: 'net_arr', apiKey: KEY })).toMatchObject(
      {
        runAttempt: 7
      }
    )
  })
})

describe('manifestDurations: what the duration model learns from a checked manifest', () => {
  const request = { exportFormat: 'JSON', currency: 'EUR' }
  const doneAt = '2026-01-01T01:07:00.000Z'
  const durations = (entries: unknown[]) => {
    const earlier = read(manifest({ request }, entries))
    expect(earlier).toHaveProperty('exports')
    return manifestDurations(earlier as EarlierManifest)
  }

  it('reads the job duration of each DONE period, with the parameters it was made with', () => {
    expect(
      durations([
        done('2026_Q1', { jobDurationMs: 300_000, timeline: { doneAt } }),
        done('2026_Q2', { jobDurationMs: 60_000 })
      ])
    ).toEqual([
      {
        forecastId: 'net_arr',
        period: '2026_Q1',
        request,
        durationMs: 300_000,
        endedAt: Date.parse(doneAt),
        jobId: 'job2026Q1'
      },
      { forecastId: 'net_arr', period: '2026_Q2', request, durationMs: 60_000, jobId: 'job2026Q2' }
    ])
  })

  it.each<[string, unknown]>([
    ['a period not DONE', { ...done('2026_Q1', { jobDurationMs: 300_000 }), status: 'TIMED_OUT' }],
    ['no job duration (a reused payload)', done('2026_Q1', { reusedFromAttempt: 1 })]
  ])('learns nothing from %s', (_name, entry) => {
    expect(durations([entry])).toEqual([])
  })

  it('leaves out an end time it cannot read, and keeps the duration', () => {
    for (const timeline of [{ doneAt: 'not a date' }, 'x', { doneAt: 1_767_229_620_000 }]) {
      const [o] = durations([{ ...done('2026_Q1', { jobDurationMs: 300_000 }), timeline }])
      expect(o).toEqual({
        forecastId: 'net_arr',
        period: '2026_Q1',
        request,
        durationMs: 300_000,
        jobId: 'job2026Q1'
      })
    }
  })
})
