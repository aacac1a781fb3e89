import type { ClariClientConfig } from '../../src/clari/client.js'
import type { ExportConfig, Timing } from '../../src/engine/config.js'
import type { ExportEvent } from '../../src/engine/events.js'
import type { PeriodStatus } from '../../src/engine/outcome.js'
import type { RunReport } from '../../src/engine/run/run-export.js'
import { TEST_API_KEY } from '../helpers/engine-harness.js'
import { reserveLateForwarder } from './forwarder.js'
import type {
  ClariSimulator,
  ClariSimulatorOptions,
  Endpoint,
  Fault,
  FaultRule
} from '../simulators/clari/index.js'

/**
 * The fault matrix: one row per fault × expected outcome. Every row runs through the same test
 * body (fault-matrix.test.ts) against the real engine, and the table of docs/reliability.md is
 * rendered from these rows (render-matrix.ts), so the documentation cannot drift from the tests.
 */

/** Every row exports these periods; faults aim at the middle one unless a row says otherwise. */
export const MATRIX_PERIODS = ['2026_Q1', '2026_Q2', '2026_Q3'] as const
export const TARGET = '2026_Q2'

export interface RowRun {
  sim: ClariSimulator
  report: RunReport
  events: ExportEvent[]
}

export interface RowSetup {
  sim: ClariSimulator
  /** Registers clean-up that runs after the row, also when it fails. */
  defer(cleanup: () => Promise<void> | void): void
}

export interface RowHooks {
  config?: Partial<ExportConfig>
  /** The client's settings to change (merged into the run's). */
  clari?: Partial<ClariClientConfig>
  /** Called for every engine event while the row runs. */
  onEvent?: (event: ExportEvent) => void
}

export interface FaultRow extends RowSpec {
  /**
   * Stable name of the row (`<request>-<fault>`, kebab case): the test's name and the table's
   * first column, so adding a row renames nothing else (`npx vitest run -t <id>` runs one row).
   */
  id: string
}

/** A row without its id: what `row()` checks, one row at a time. */
export interface RowSpec {
  /** The fault, as docs/reliability.md names it. */
  fault: string
  /** The request it hits. */
  on: Endpoint
  /** What the user gets, in words (docs/reliability.md). */
  outcome: string
  sim?: Omit<ClariSimulatorOptions, 'apiKey' | 'clock'>
  /** request-timeout, in real time: 500 ms unless a row says otherwise. */
  requestTimeoutMs?: number
  /** Timing overrides. */
  timing?: Partial<Timing>
  /** Final status per period of MATRIX_PERIODS. */
  expect: readonly PeriodStatus[]
  /** What a failed period's error must say. */
  error?: RegExp
  /** Virtual time the run may take, in minutes. */
  boundMinutes: number
  /** Extra set-up against the running simulator. */
  setup?: (s: RowSetup) => Promise<RowHooks | void> | RowHooks | void
  /** Row-specific assertions, on top of the checks every row gets. */
  check?: (run: RowRun) => void
}

/**
 * One row of the matrix. Each row is checked against `RowSpec` on its own, so a row that does
 * not fit (or a conditional one) is an error at that row, never a failed inference for the whole
 * array.
 */
function row(id: string, spec: RowSpec): FaultRow {
  return { id, ...spec }
}

const ALL_DONE = ['DONE', 'DONE', 'DONE'] as const
const TARGET_ERROR = ['DONE', 'ERROR', 'DONE'] as const

function on(endpoint: Endpoint, fault: Fault, times = 1, extra: Partial<FaultRule> = {}) {
  return { faults: [{ endpoint, period: TARGET, times, fault, ...extra }] }
}

// Hostile server text: workflow commands, terminal escapes, the key echoed back, 10 kB long.
const HOSTILE =
  `::set-output name=pwned::1\n::error::injected\u001b[31mred\u001b[0m\r\n` +
  `key=${TEST_API_KEY} ` +
  'A'.repeat(10_000)

// Another forecast's export of the target quarter, started an hour after the run began: the
// same user's job list holds it, and a lost create must never adopt it.
const FOREIGN_JOB = {
  title: 'Net Bookings',
  fileName: 'clari_export_forecast_net_bookings_2026_Q2_20261128_040000.json',
  startTime: Date.UTC(2026, 10, 28, 4, 0, 0)
}

// This forecast's own export of the target quarter, made the day before the run: named as ours
// would be, but started before the lost create was sent, so it cannot be its job.
const EARLIER_OWN_JOB = {
  title: 'Net ARR',
  fileName: 'clari_export_forecast_net_arr_2026_Q2_20261127_030000.json',
  startTime: Date.UTC(2026, 10, 27, 3, 0, 0)
}

const QUOTA_REACHED: FaultRule = {
  endpoint: 'create',
  period: TARGET,
  times: 1,
  fault: { kind: 'clari-error', status: 400, code: 'export_monthly_quota_reached' }
}

function hostileLimits(jobs: Record<string, unknown>): FaultRule {
  return { endpoint: 'limits', fault: { kind: 'http', status: 200, body: { jobs } } }
}

// A fixed server clock for HTTP-date Retry-After values: the Date header is what delays count from.
const SERVER_DATE = 'Sun, 06 Nov 1994 08:49:37 GMT'

function throttle(status: 429 | 503, retryAfter: string, date = SERVER_DATE): Fault {
  return { kind: 'http', status, headers: { Date: date, 'Retry-After': retryAfter } }
}

/** The next request on the faulted endpoint came no earlier than `ms` after the fault. */
function waitedAtLeast(endpoint: Endpoint, ms: number) {
  return ({ sim }: RowRun): void => {
    const i = sim.requests.findIndex(r => r.endpoint === endpoint && r.fault === 'http')
    const faulted = sim.requests[i]!
    const next = sim.requests.slice(i + 1).find(r => r.endpoint === endpoint)!
    if (next.at - faulted.at < ms) {
      throw new Error(`retried after ${next.at - faulted.at} ms, the server asked for ${ms} ms`)
    }
  }
}

/** A create whose outcome was unknown led to exactly one job, found through the job list. */
function adopted({ sim, events }: RowRun): void {
  const creates = sim.requests.filter(r => r.endpoint === 'create' && r.period === TARGET)
  if (creates.length !== 1) throw new Error(`${creates.length} create requests, expected 1`)
  if (!sim.requests.some(r => r.endpoint === 'list')) throw new Error('the job list was not read')
  const created = events.find(e => e.type === 'job-created' && e.period === TARGET)
  if (!created || created.type !== 'job-created' || !created.adopted) {
    throw new Error('the job was not adopted')
  }
}

/** A create that provably did nothing was sent again: two requests, one job. */
function createdAgain({ sim }: RowRun): void {
  const creates = sim.requests.filter(r => r.endpoint === 'create' && r.period === TARGET)
  if (creates.length !== 2) throw new Error(`${creates.length} create requests, expected 2`)
}

function createsFor(period: string, count: number) {
  return ({ sim }: RowRun): void => {
    const n = sim.requests.filter(r => r.endpoint === 'create' && r.period === period).length
    if (n !== count) throw new Error(`${n} create requests for ${period}, expected ${count}`)
  }
}

/** The target period's job, given up on while it ran, was cancelled once and recorded so. */
function cancelledTheJob({ sim, report }: RowRun): void {
  const target = report.manifest.exports.find(o => o.period === TARGET)!
  const cancels = sim.requests.filter(r => r.endpoint === 'cancel')
  if (cancels.length !== 1 || cancels[0]!.jobId !== target.jobId) {
    throw new Error(`expected one cancel of ${target.jobId}, saw ${cancels.length}`)
  }
  if (!target.jobCancelled) throw new Error('the manifest does not record the cancel')
  if (!sim.jobs.find(j => j.jobId === target.jobId)?.cancelled) throw new Error('not cancelled')
}

export const FAULT_MATRIX: readonly FaultRow[] = [
  // Broken connections
  ...(['status', 'results'] as const).flatMap(endpoint => [
    row(`${endpoint}-reset-before-response`, {
      fault: 'connection reset before the response',
      on: endpoint,
      outcome: 'recovered (retried)',
      sim: on(endpoint, { kind: 'reset-before-response' }, 2),
      expect: ALL_DONE,
      boundMinutes: 10
    }),
    row(`${endpoint}-reset-mid-body`, {
      fault: 'connection reset mid-body',
      on: endpoint,
      outcome: 'recovered (retried; no partial file left)',
      sim: on(endpoint, { kind: 'reset-mid-body' }, 2),
      expect: ALL_DONE,
      boundMinutes: 10
    }),
    row(`${endpoint}-short-body`, {
      fault: 'body shorter than Content-Length',
      on: endpoint,
      outcome: 'recovered (retried)',
      sim: on(endpoint, { kind: 'short-body' }, 2),
      expect: ALL_DONE,
      boundMinutes: 10
    })
  ]),
  ...([false, true] as const).flatMap(process => [
    row(`create-reset-before-response${process ? '-job-created' : ''}`, {
      fault: `connection reset before the response${process ? ', job created' : ''}`,
      on: 'create',
      outcome: process
        ? 'recovered: job found in the job list and adopted; one job'
        : 'recovered: job list checked, created once more; one job',
      sim: on('create', { kind: 'reset-before-response', process }),
      expect: ALL_DONE,
      boundMinutes: 10,
      check: process ? adopted : createdAgain
    }),
    row(`create-reset-mid-body${process ? '-job-created' : ''}`, {
      fault: `connection reset mid-body${process ? ', job created' : ''}`,
      on: 'create',
      outcome: process
        ? 'recovered: job found in the job list and adopted; one job'
        : 'recovered: job list checked, created once more; one job',
      sim: { ...on('create', { kind: 'reset-mid-body', process }), jobListShape: 'object' },
      expect: ALL_DONE,
      boundMinutes: 10,
      check: process ? adopted : createdAgain
    })
  ]),
  row('create-reset-foreign-job-listed', {
    fault: "reset, job created; the list also holds another forecast's job for the quarter",
    on: 'create',
    outcome: 'recovered: our job adopted, never the other; one job',
    sim: on('create', { kind: 'reset-before-response', process: true }),
    setup: ({ sim }) => sim.listJobElsewhere(FOREIGN_JOB),
    expect: ALL_DONE,
    boundMinutes: 10,
    check: adopted
  }),
  row('create-reset-no-job-foreign-job-listed', {
    fault: "reset, no job created; the list holds another forecast's job for the quarter",
    on: 'create',
    outcome: 'recovered: the other job not adopted, created once more; one job',
    sim: on('create', { kind: 'reset-before-response' }),
    setup: ({ sim }) => sim.listJobElsewhere(FOREIGN_JOB),
    expect: ALL_DONE,
    boundMinutes: 10,
    check: createdAgain
  }),
  row('create-reset-no-job-earlier-export-listed', {
    fault:
      "reset, no job created; the list holds this forecast's export of the quarter from the day before",
    on: 'create',
    outcome:
      'recovered: the earlier job (started before the create) not adopted, created once more; one job',
    sim: on('create', { kind: 'reset-before-response' }),
    setup: ({ sim }) => sim.listJobElsewhere(EARLIER_OWN_JOB),
    expect: ALL_DONE,
    boundMinutes: 10,
    check: createdAgain
  }),
  row('create-reset-no-date-header', {
    fault: 'reset, job created; no answer carries a `Date` header',
    on: 'create',
    outcome:
      "that period ERROR: without the server's clock the job cannot be proven ours, none adopted, none created again",
    sim: { ...on('create', { kind: 'reset-before-response', process: true }), dateHeader: false },
    expect: TARGET_ERROR,
    // The list names the export: what is missing is the server's clock to place its start.
    error: new RegExp(
      `answer was lost; job\\(s\\) [0-9a-f]{24} export net_arr ${TARGET} and may be it, but no answer from Clari carried a readable Date header, so when they started cannot be compared with when the create was sent \\([0-9T:.-]+Z by the runner's clock\\)\\. None was adopted`
    ),
    boundMinutes: 10,
    check: createsFor(TARGET, 1)
  }),
  row('create-reset-list-without-file-names', {
    fault: 'reset, job created; job list entries without `fileName`',
    on: 'create',
    outcome: 'that period ERROR: the job cannot be proven ours, none adopted, none created again',
    sim: {
      ...on('create', { kind: 'reset-before-response', process: true }),
      jobListView: ({ fileName: _dropped, ...job }) => job
    },
    expect: TARGET_ERROR,
    error: new RegExp(
      `answer was lost; job\\(s\\) [0-9a-f]{24} started since may be it, but the job list does not show that they export net_arr ${TARGET}\\. None was adopted and no second job created`
    ),
    boundMinutes: 10,
    check: createsFor(TARGET, 1)
  }),
  row('list-hostile-entries', {
    fault: 'reset, job created; job list with times as text and `::` in file names',
    on: 'list',
    outcome: 'that period ERROR: nothing unproven adopted, none created again; text cleaned',
    sim: {
      faults: [
        {
          endpoint: 'create',
          period: TARGET,
          times: 1,
          fault: { kind: 'reset-before-response', process: true }
        },
        {
          endpoint: 'list',
          fault: {
            kind: 'http',
            status: 200,
            body: [
              {
                jobId: 'a'.repeat(24),
                module: 'FORECAST',
                status: 'DONE\n::error::x',
                startTime: '1800000000000',
                fileName: `clari_export_forecast_net_arr_${TARGET}_x\n::warning::y`
              },
              { jobId: '::error::not-an-id', startTime: 1_800_000_000_000 }
            ]
          }
        }
      ]
    },
    expect: TARGET_ERROR,
    // Its file name names the export; its start time, sent as text, is dropped.
    error: new RegExp(
      `answer was lost; job\\(s\\) a{24} export net_arr ${TARGET} and may be it, but the job list gives no start time for them to compare with when the create was sent \\([0-9T:.-]+Z by the runner's clock\\)\\. None was adopted`
    ),
    boundMinutes: 10,
    check: createsFor(TARGET, 1)
  }),
  row('create-reset-list-as-object', {
    fault: 'reset, job created; job list as `{"jobs": [...]}`',
    on: 'create',
    outcome: 'recovered: job adopted; one job',
    sim: {
      ...on('create', { kind: 'reset-before-response', process: true }),
      jobListShape: 'object'
    },
    expect: ALL_DONE,
    boundMinutes: 10,
    check: adopted
  }),

  // Silence and slowness (real time: request-timeout 300 ms)
  row('status-hang', {
    fault: 'server accepts and never answers',
    on: 'status',
    outcome: 'recovered: request-timeout, retried',
    sim: on('status', { kind: 'hang' }),
    requestTimeoutMs: 300,
    expect: ALL_DONE,
    boundMinutes: 10
  }),
  row('create-hang-job-created', {
    fault: 'server never answers, job created',
    on: 'create',
    outcome: 'recovered: job found in the job list and adopted; one job',
    sim: on('create', { kind: 'hang', process: true }),
    requestTimeoutMs: 300,
    expect: ALL_DONE,
    boundMinutes: 10,
    check: adopted
  }),
  row('create-hang', {
    fault: 'server never answers, no job created',
    on: 'create',
    outcome: 'recovered: job list checked, created once more; one job',
    sim: on('create', { kind: 'hang' }),
    requestTimeoutMs: 300,
    expect: ALL_DONE,
    boundMinutes: 10,
    check: createdAgain
  }),
  row('status-trickle-past-request-timeout', {
    fault: 'body trickles (1 byte / 20 ms)',
    on: 'status',
    outcome: 'recovered: request-timeout bounds the whole exchange, retried',
    sim: on('status', { kind: 'trickle', chunkBytes: 1, intervalMs: 20 }),
    requestTimeoutMs: 300,
    expect: ALL_DONE,
    boundMinutes: 10
  }),
  row('results-trickle-live', {
    fault: 'body trickles steadily (1 kB / 10 ms)',
    on: 'results',
    outcome: 'recovered: a slow but live download completes',
    sim: on('results', { kind: 'trickle', chunkBytes: 1024, intervalMs: 10 }),
    requestTimeoutMs: 300,
    expect: ALL_DONE,
    boundMinutes: 10,
    check: ({ sim }) => {
      const n = sim.requests.filter(r => r.endpoint === 'results' && r.period === TARGET).length
      if (n !== 1) throw new Error(`${n} downloads, expected 1`)
    }
  }),
  row('results-stall', {
    fault: 'body stalls longer than request-timeout',
    on: 'results',
    outcome: 'recovered: idle timeout, download retried',
    sim: on('results', { kind: 'trickle', chunkBytes: 512, intervalMs: 1_000 }),
    requestTimeoutMs: 300,
    expect: ALL_DONE,
    boundMinutes: 10
  }),

  // HTTP 5xx bursts
  ...([500, 502, 504] as const).flatMap(status => [
    row(`status-${status}-x4`, {
      fault: `${status} × 4`,
      on: 'status',
      outcome: 'recovered (missed checks, backing off)',
      sim: on('status', { kind: 'http', status }, 4),
      expect: ALL_DONE,
      boundMinutes: 15
    }),
    row(`status-${status}-x5`, {
      fault: `${status} × 5`,
      on: 'status',
      outcome: 'recovered: missed checks, polling goes on (the job is never abandoned)',
      sim: on('status', { kind: 'http', status }, 5),
      expect: ALL_DONE,
      boundMinutes: 15,
      check: createsFor(TARGET, 1)
    }),
    row(`results-${status}-x5`, {
      fault: `${status} × 5`,
      on: 'results',
      outcome: 'recovered: the DONE job is downloaded again within job-timeout',
      sim: on('results', { kind: 'http', status }, 5),
      expect: ALL_DONE,
      boundMinutes: 15,
      check: createsFor(TARGET, 1)
    }),
    row(`create-${status}-x1`, {
      fault: `${status} × 1`,
      on: 'create',
      outcome: 'recovered: job list checked, created once more; one job',
      sim: on('create', { kind: 'http', status }),
      expect: ALL_DONE,
      boundMinutes: 10,
      check: createdAgain
    }),
    row(`create-${status}-x2`, {
      fault: `${status} × 2`,
      on: 'create',
      outcome: 'that period ERROR (no third create); the others DONE',
      sim: on('create', { kind: 'http', status }, 2),
      expect: TARGET_ERROR,
      error: new RegExp(`create export failed: HTTP ${status}`),
      boundMinutes: 10,
      check: createsFor(TARGET, 2)
    })
  ]),
  row('status-503-x4-no-hint', {
    fault: '503 × 4, no Retry-After',
    on: 'status',
    outcome: 'recovered (throttle backoff)',
    sim: on('status', { kind: 'http', status: 503 }, 4),
    expect: ALL_DONE,
    boundMinutes: 15
  }),
  row('status-outage', {
    fault: '502, 503, 504, 500, 500 in a row (an outage of about a minute)',
    on: 'status',
    outcome: 'recovered: no request more than normal polling, the job is never abandoned',
    sim: {
      // Five answers in a row: each rule fires once, then passes the next request on.
      faults: ([502, 503, 504, 500, 500] as const).map(status => ({
        endpoint: 'status' as const,
        period: TARGET,
        times: 1,
        fault: { kind: 'http' as const, status }
      }))
    },
    expect: ALL_DONE,
    boundMinutes: 15,
    check: createsFor(TARGET, 1)
  }),
  row('status-503-x5-no-hint', {
    fault: '503 × 5, no Retry-After',
    on: 'status',
    outcome: 'recovered: missed checks back off up to max-poll-interval',
    sim: on('status', { kind: 'http', status: 503 }, 5),
    expect: ALL_DONE,
    boundMinutes: 15,
    check: createsFor(TARGET, 1)
  }),
  row('status-500-past-job-timeout', {
    fault: '500 on every check, longer than job-timeout',
    on: 'status',
    outcome: 'that period TIMED_OUT at job-timeout and its job cancelled; the others DONE',
    sim: {
      faults: [{ endpoint: 'status', period: TARGET, fault: { kind: 'http', status: 500 } }],
      // Still running at Clari when the period gives up on it.
      plan: req => ({ durationMs: req.timePeriod === TARGET ? 60 * 60_000 : 3 * 60_000 })
    },
    timing: { jobTimeoutMs: 10 * 60_000 },
    expect: ['DONE', 'TIMED_OUT', 'DONE'],
    error:
      /did not finish within job-timeout \(600 s; last status unknown; last error: job status failed: HTTP 500/,
    boundMinutes: 25,
    check: run => {
      const { sim, report } = run
      const q2 = report.manifest.exports[1]!
      cancelledTheJob(run)
      // Never more checks than normal polling would make: one per max-poll-interval at most.
      const checks = sim.requests.filter(r => r.endpoint === 'status' && r.jobId === q2.jobId)
      if (checks.length > 10 * 2 + 6) throw new Error(`${checks.length} status checks in 10 min`)
    }
  }),
  row('results-500-past-job-timeout', {
    fault: '500 on every download, longer than job-timeout',
    on: 'results',
    outcome:
      'that period TIMED_OUT at job-timeout; no cancel (the job is DONE, a re-run downloads it)',
    sim: {
      faults: [{ endpoint: 'results', period: TARGET, fault: { kind: 'http', status: 500 } }]
    },
    timing: { jobTimeoutMs: 10 * 60_000 },
    expect: ['DONE', 'TIMED_OUT', 'DONE'],
    error:
      /the job is DONE, but its results did not download within job-timeout .*last error: download results failed: HTTP 500/,
    boundMinutes: 25,
    check: ({ sim }) => {
      if (sim.requests.some(r => r.endpoint === 'cancel'))
        throw new Error('a DONE job was cancelled')
    }
  }),
  ...([429, 503] as const).map(status =>
    row(`create-${status}-x3`, {
      fault: `${status} × 3`,
      on: 'create',
      outcome: 'recovered: not processed, so created again; one job',
      sim: on('create', { kind: 'http', status }, 3),
      expect: ALL_DONE,
      boundMinutes: 15,
      check: createsFor(TARGET, 4)
    })
  ),
  row('create-connection-refused', {
    fault: 'connection refused (API down, then back)',
    on: 'create',
    outcome: 'recovered: not sent, so created again; one job',
    expect: ALL_DONE,
    boundMinutes: 10,
    setup: async ({ sim, defer }) => {
      const forwarder = await reserveLateForwarder(new URL(sim.url))
      defer(() => forwarder.close())
      // The API comes back while the client backs off after the first refused connection.
      const onEvent = (e: ExportEvent) => e.type === 'waiting' && forwarder.open()
      return { clari: { apiUrl: forwarder.url }, onEvent }
    },
    check: ({ sim, events }) => {
      if (!events.some(e => e.type === 'waiting' && /ECONNREFUSED/.test(e.detail))) {
        throw new Error('no refused connection was seen')
      }
      createsFor('2026_Q1', 1)({ sim, events } as RowRun)
    }
  }),

  // Bad answers
  row('status-invalid-json', {
    fault: 'invalid JSON (HTTP 200)',
    on: 'status',
    outcome: 'recovered (retried)',
    sim: on('status', { kind: 'invalid-json' }, 2),
    expect: ALL_DONE,
    boundMinutes: 10
  }),
  row('create-invalid-json', {
    fault: 'invalid JSON (HTTP 200)',
    on: 'create',
    outcome: 'recovered: job list checked, created once more; one job',
    sim: on('create', { kind: 'invalid-json' }),
    expect: ALL_DONE,
    boundMinutes: 10,
    check: createdAgain
  }),
  row('results-invalid-json', {
    fault: 'payload is broken JSON (HTTP 200)',
    on: 'results',
    outcome: 'recovered: downloaded again',
    sim: on('results', { kind: 'invalid-json' }),
    expect: ALL_DONE,
    boundMinutes: 10
  }),
  row('results-csv-empty', {
    fault: 'CSV payload empty (HTTP 200)',
    on: 'results',
    outcome: 'recovered: not a finished export, downloaded again',
    sim: on('results', {
      kind: 'http',
      status: 200,
      headers: { 'Content-Type': 'text/csv' },
      body: ''
    }),
    expect: ALL_DONE,
    boundMinutes: 10,
    setup: () => ({ config: { exportFormat: 'CSV', request: { exportFormat: 'CSV' } } }),
    check: ({ sim }) => {
      const n = sim.requests.filter(r => r.endpoint === 'results' && r.period === TARGET).length
      if (n !== 2) throw new Error(`${n} downloads, expected 2`)
    }
  }),
  row('results-over-max-payload-size', {
    fault: 'payload larger than max-payload-size',
    on: 'results',
    outcome: 'that period ERROR naming the input; partial file removed; the others DONE',
    sim: {
      plan: req => ({
        durationMs: 60_000,
        payloadBytes: req.timePeriod === TARGET ? 3 * 1024 ** 2 : undefined
      })
    },
    expect: TARGET_ERROR,
    error:
      /the payload is larger than max-payload-size \(1\.0 MiB\); the download was stopped and the partial file removed/,
    boundMinutes: 10,
    setup: () => ({ config: { maxPayloadBytes: 1024 ** 2 } })
  }),
  row('list-sww-after-502', {
    fault: '400 `SWW` after a 502 × 2, after an ambiguous create',
    on: 'list',
    outcome: 'recovered: job adopted (the SWW cap of 2 retries counts SWW answers only)',
    sim: {
      faults: [
        {
          endpoint: 'create',
          period: TARGET,
          times: 1,
          fault: { kind: 'reset-before-response', process: true }
        },
        { endpoint: 'list', times: 2, fault: { kind: 'http', status: 502 } },
        { endpoint: 'list', times: 2, fault: { kind: 'clari-error', status: 400, code: 'SWW' } }
      ]
    },
    expect: ALL_DONE,
    boundMinutes: 10,
    // Only the reconciliation reads the list here: the start's read for history would take one
    // of the faults meant for it.
    setup: () => ({ config: { history: 'runs' } }),
    check: adopted
  }),
  row('status-unknown-values', {
    fault: 'unknown status values (RUNNING, QUEUED, PENDING)',
    on: 'status',
    outcome: 'recovered: treated as running, reported once each',
    sim: {
      faults: ['RUNNING', 'QUEUED', 'PENDING'].map(status => ({
        endpoint: 'status' as const,
        period: TARGET,
        times: 1,
        fault: { kind: 'status-value' as const, status }
      }))
    },
    expect: ALL_DONE,
    boundMinutes: 10,
    check: ({ events }) => {
      const seen = events.flatMap(e => (e.type === 'unknown-status' ? [e.status] : []))
      if (seen.join() !== 'RUNNING,QUEUED,PENDING') throw new Error(`reported ${seen.join()}`)
    }
  }),
  row('status-404', {
    fault: '404 job not found',
    on: 'status',
    outcome: 'that period ERROR with code and errorId; the others DONE',
    sim: on('status', { kind: 'clari-error', status: 404, code: 'job_not_found' }),
    expect: TARGET_ERROR,
    error: /job status failed: HTTP 404: .*\(code job_not_found, errorId [0-9a-f-]{36}\)/,
    boundMinutes: 10
  }),
  row('status-403', {
    fault: '403 not your job',
    on: 'status',
    outcome: 'that period ERROR; the others DONE',
    sim: on('status', {
      kind: 'clari-error',
      status: 403,
      code: 'SWW',
      message: 'Invalid permissions to view this job.'
    }),
    expect: TARGET_ERROR,
    error: /job status failed: HTTP 403: Invalid permissions to view this job/,
    boundMinutes: 10
  }),
  row('create-401-no-optin', {
    fault: '401 `no_optin`',
    on: 'create',
    outcome: 'that period ERROR, no retry; the others DONE',
    sim: on('create', { kind: 'clari-error', status: 401, code: 'no_optin' }),
    expect: TARGET_ERROR,
    error: /create export failed: HTTP 401: No optins for scope 1: :MGR.*code no_optin/,
    boundMinutes: 10,
    check: createsFor(TARGET, 1)
  }),
  row('status-400-sww-x3', {
    fault: '400 `SWW` × 3',
    on: 'status',
    outcome: 'recovered: missed checks, polling goes on',
    sim: on('status', { kind: 'clari-error', status: 400, code: 'SWW' }, 3),
    expect: ALL_DONE,
    boundMinutes: 10
  }),
  row('results-400-invalid-job-id', {
    fault: '400 `invalid_jobId`',
    on: 'results',
    outcome: 'that period ERROR, no retry; the others DONE',
    sim: on('results', { kind: 'clari-error', status: 400, code: 'invalid_jobId' }),
    expect: TARGET_ERROR,
    error: /download results failed: HTTP 400: .*code invalid_jobId/,
    boundMinutes: 10
  }),

  // Quota and concurrency
  row('create-quota-gone', {
    fault: '400 `export_monthly_quota_reached`, quota gone',
    on: 'create',
    outcome: 'no further creates; the rest ERROR with one clear message',
    sim: { limits: { monthlyQuota: 30 } },
    expect: ['DONE', 'ERROR', 'ERROR'],
    error: /export quota is used up \(30 jobs per 30 days\); no further jobs were created/,
    boundMinutes: 10,
    setup: ({ sim }) => ({
      onEvent: event => {
        if (event.type === 'period-finished' && event.outcome.period === '2026_Q1') {
          sim.setMonthlyQuotaLeft(0)
        }
      }
    }),
    check: ({ sim, report }) => {
      createsFor(TARGET, 1)({ sim } as RowRun)
      createsFor('2026_Q3', 0)({ sim } as RowRun)
      const [, q2, q3] = report.manifest.exports
      if (q3!.error !== `not started: ${q2!.error}`) throw new Error(`Q3 says: ${q3!.error}`)
    }
  }),
  row('create-concurrency-full', {
    fault: '400 `export_monthly_quota_reached`, concurrency full',
    on: 'create',
    outcome: 'waits for a free slot (limits polled), then creates; one job',
    sim: { limits: { concurrentLimit: 2 } },
    expect: ALL_DONE,
    boundMinutes: 20,
    setup: ({ sim }) => sim.occupySlots(2, 6 * 60_000),
    check: ({ sim, events }) => {
      if (!events.some(e => e.type === 'waiting' && e.reason === 'concurrency-full')) {
        throw new Error('did not wait for a slot')
      }
      if (!sim.requests.some(r => r.endpoint === 'limits')) throw new Error('limits not read')
      const first = sim.jobs[0]!
      if (first.createdAt < Date.UTC(2026, 10, 28, 3, 6)) throw new Error('created too early')
    }
  }),

  row('limits-hostile-text', {
    fault: 'limits with numbers as text carrying `::` commands',
    on: 'limits',
    outcome: 'that period ERROR: the answer is unusable, nothing of it printed; the others DONE',
    sim: {
      faults: [
        QUOTA_REACHED,
        hostileLimits({ monthlyQuota: '100\n::warning title=X::y', availableMonthlyQuota: 0 })
      ]
    },
    expect: TARGET_ERROR,
    error: /read export limits: monthlyQuota is not a whole number; the answer is unusable/,
    boundMinutes: 10
  }),
  row('limits-negative-quota', {
    fault: 'limits with a negative quota left and ids that are not job ids',
    on: 'limits',
    outcome: 'that period ERROR: the answer is unusable; the others DONE',
    sim: {
      faults: [
        QUOTA_REACHED,
        hostileLimits({ availableMonthlyQuota: -1, runningJobIds: ['../x', `${TEST_API_KEY}`] })
      ]
    },
    expect: TARGET_ERROR,
    error: /read export limits: availableMonthlyQuota is not a whole number/,
    boundMinutes: 10
  }),

  // Redirects
  ...(['results', 'status'] as const).map(endpoint =>
    row(`${endpoint}-redirect-other-origin`, {
      fault: 'redirect to another origin',
      on: endpoint,
      outcome: 'followed without the `apikey` header; payload intact',
      sim: on(endpoint, { kind: 'redirect-other-origin' }),
      expect: ALL_DONE,
      boundMinutes: 10,
      check: ({ sim }: RowRun) => {
        if (!sim.requests.some(r => r.origin === 'other')) throw new Error('redirect not followed')
        if (sim.otherOriginSawApiKey) throw new Error('the other origin saw the apikey header')
      }
    })
  ),

  // Retry-After
  row('status-retry-after-huge', {
    fault: 'Retry-After: 100000 (huge)',
    on: 'status',
    outcome:
      'that period ERROR at once, saying what the server asked, and its job cancelled; the others DONE',
    sim: on('status', throttle(429, '100000')),
    expect: TARGET_ERROR,
    error: /asked to wait 100000 s \(Retry-After: 100000\), more than max-retry-after \(300 s\)/,
    boundMinutes: 10,
    check: cancelledTheJob
  }),
  ...(
    [
      ['negative', '-5', 'negative', 0],
      ['empty', '', 'empty', 0],
      ['garbage', 'soon', 'garbage', 0],
      ['fractional', '1.5', 'fractional (seconds)', 1_500],
      ['past-date', 'Sun, 06 Nov 1994 08:40:00 GMT', 'HTTP-date in the past', 0],
      ['imf-fixdate', 'Sun, 06 Nov 1994 08:50:07 GMT', 'IMF-fixdate, 30 s ahead', 30_000],
      ['rfc-850', 'Sunday, 06-Nov-94 08:50:07 GMT', 'RFC 850 date, 30 s ahead', 30_000],
      ['asctime', 'Sun Nov  6 08:50:07 1994', 'asctime date, 30 s ahead', 30_000]
    ] as const
  ).map(([slug, value, name, waitMs]) =>
    row(`status-retry-after-${slug}`, {
      fault: `Retry-After ${name}: ${value === '' ? '(empty)' : `\`${value}\``}`,
      on: 'status',
      outcome:
        waitMs > 0
          ? `recovered; next request not before ${waitMs / 1000} s`
          : 'recovered (no usable hint: backoff, at least 1 s)',
      sim: on('status', throttle(503, value)),
      expect: ALL_DONE,
      boundMinutes: 10,
      check: waitedAtLeast('status', Math.max(waitMs, 1_000))
    })
  ),

  // Hostile server text
  row('create-hostile-error-body', {
    fault: 'error body with `::` commands, ANSI escapes, the key, 10 kB',
    on: 'create',
    outcome: 'that period ERROR; message cleaned, cut to 300 chars, key redacted',
    sim: on('create', { kind: 'clari-error', status: 400, code: 'bad_request', message: HOSTILE }),
    expect: TARGET_ERROR,
    error: /create export failed: HTTP 400: : :set-output name=pwned: :1 : :error: :injected/,
    boundMinutes: 10
  }),
  row('status-error-echoes-key', {
    fault: 'transient error echoing the key',
    on: 'status',
    outcome: 'recovered; the key is redacted from the retry notice',
    sim: on('status', { kind: 'http', status: 500, body: { message: HOSTILE } }),
    expect: ALL_DONE,
    boundMinutes: 10,
    check: ({ events }) => {
      if (!events.some(e => e.type === 'waiting' && e.detail.includes('key=***'))) {
        throw new Error('the retry notice does not show the redacted message')
      }
    }
  }),
  row('status-deeply-nested-error', {
    fault: '503, Retry-After: 1, error body nested 30,000 deep (60 kB)',
    on: 'status',
    outcome: 'recovered: a throttle wait like any 503, not a crash',
    sim: on('status', {
      kind: 'http',
      status: 503,
      headers: { 'Content-Type': 'application/json', 'Retry-After': '1' },
      body: `{"message":${'['.repeat(30_000)}"${TEST_API_KEY}"${']'.repeat(30_000)}}`
    }),
    expect: ALL_DONE,
    boundMinutes: 10,
    check: waitedAtLeast('status', 1_000)
  }),
  row('status-value-keyed-by-key', {
    fault: 'status value an object keyed by the key',
    on: 'status',
    outcome: 'recovered: unknown status, reported with the key masked',
    sim: on('status', {
      kind: 'http',
      status: 200,
      body: { job: { status: { [TEST_API_KEY]: 1 } } }
    }),
    expect: ALL_DONE,
    boundMinutes: 10,
    check: ({ events }) => {
      if (!events.some(e => e.type === 'unknown-status' && e.status === '{"***":1}')) {
        throw new Error('the masked status was not reported')
      }
    }
  }),
  row('status-error-with-key-parts', {
    fault: 'error with parts of the key in code, message and errorId',
    on: 'status',
    outcome: 'that period ERROR; no 8 characters of the key anywhere',
    sim: on('status', {
      kind: 'http',
      status: 400,
      body: {
        code: { [TEST_API_KEY]: TEST_API_KEY.slice(0, 20) },
        message: `echo: ${TEST_API_KEY.slice(4, 30)}`,
        errorId: TEST_API_KEY.slice(-16)
      }
    }),
    expect: TARGET_ERROR,
    error: /job status failed: HTTP 400: echo: \*\*\* \(errorId \*\*\*\)/,
    boundMinutes: 10
  }),
  row('status-hostile-status-value', {
    fault: 'status value with `::` commands, ANSI escapes, the key',
    on: 'status',
    outcome: 'recovered: unknown status, reported cleaned and cut to 40 chars',
    sim: on('status', { kind: 'status-value', status: `${TEST_API_KEY}::error::\u001b[2J` }),
    expect: ALL_DONE,
    boundMinutes: 10,
    check: ({ events }) => {
      if (!events.some(e => e.type === 'unknown-status')) throw new Error('not reported')
    }
  })
]
