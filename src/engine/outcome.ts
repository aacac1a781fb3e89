import type { CreateExportBody, ExportFormat } from '../clari/types.js'
import type { WrittenTables } from './table-layout.js'

/** How a period ended, as recorded in manifest.json. */
export const PERIOD_STATUSES = [
  'DONE',
  'FAILED',
  'CANCELLED',
  'ABORTED',
  'TIMED_OUT',
  'ERROR'
] as const
export type PeriodStatus = (typeof PERIOD_STATUSES)[number]

/** Whether an untrusted value is a period status this action writes. */
export function isPeriodStatus(value: unknown): value is PeriodStatus {
  return PERIOD_STATUSES.some(status => status === value)
}

const SHA256 = /^[0-9a-f]{64}$/

/** Whether an untrusted value is a sha256 as the manifest records one (64 lowercase hex). */
export function isSha256(value: unknown): value is string {
  return typeof value === 'string' && SHA256.test(value)
}

export interface PeriodOutcome {
  period: string
  jobId?: string
  status: PeriodStatus
  /** Payload file name, relative to the output folder; set once the payload is written (DONE, or
   * ERROR when only its tables failed: the payload is kept). */
  file?: string
  bytes?: number
  sha256?: string
  /**
   * ISO-8601 UTC: when Clari finished the job (its endTime, when believable), else when the action
   * saw it DONE (job/snapshot-time.ts). With `jobId`, it names the snapshot: a re-run that reuses
   * the payload keeps both.
   */
  snapshotAt?: string
  /** The period's tables (input `tables`), set when all five were written. */
  tables?: WrittenTables
  /** With tables: entries whose key repeats an earlier one's (tables/duplicate-keys.ts). */
  duplicateKeys?: number
  /** With tables: strings written to them with U+FFFD (bytes not UTF-8, a lone surrogate). */
  invalidText?: number
  durationMs: number
  /**
   * How long the job ran by Clari's own stamps (`endTime − startTime`), when Clari sent both:
   * what later runs learn from (src/engine/history/).
   */
  jobDurationMs?: number
  statusPolls: number
  throttleWaits: number
  rowsTruncated: boolean
  cellsTruncated: boolean
  error?: string
  /** Clari's error code and errorId, when Clari gave them. */
  errorCode?: string
  errorId?: string
  /** Set when the action cancelled the job at Clari (so a re-run need not ask about it). */
  jobCancelled?: boolean
  /** The payload is an earlier attempt's, checked by sha256: no request was made for it. */
  reusedFromAttempt?: number
  /** The job is an earlier attempt's, asked about again instead of creating a new one. */
  repolledFromAttempt?: number
  /** Another run's DONE job downloaded again (`reuse-within`): "run 123, its snapshot 1 h old". */
  jobFromRun?: string
  /** Why an earlier run's job was not taken over after all, so the period was exported anew. */
  anewBecause?: string
  /** Wall-clock ISO times of the milestones seen (for the summary's timeline). */
  timeline: PeriodTimeline
}

export interface PeriodTimeline {
  createdAt?: string
  runningAt?: string
  doneAt?: string
  downloadedAt?: string
  /** When the action finished with the period, whatever the outcome. */
  endedAt?: string
}

/** What the create requests carried besides `timePeriod`: equal parameters give equal data. */
export type RequestParameters = Omit<CreateExportBody, 'timePeriod' | 'exportFormat'> & {
  exportFormat: ExportFormat
}

export const MANIFEST_TOOL = 'clari-forecast-export-action'
export const MANIFEST_VERSION = 2

export interface Manifest {
  /** Marks a manifest this action wrote (a re-run looks for it among the run's artifacts). */
  tool: typeof MANIFEST_TOOL
  manifestVersion: typeof MANIFEST_VERSION
  forecastId: string
  /** GITHUB_RUN_ID, when the action made it. */
  runId?: string
  /** GITHUB_RUN_ATTEMPT for the action; for clari-export, 1 plus the attempt it resumed. */
  runAttempt: number
  request: RequestParameters
  startedAt: string
  finishedAt: string
  /** One entry per period, in the order the periods were asked for. */
  exports: PeriodOutcome[]
}

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

/** Whether an untrusted value is a `snapshotAt` as this action writes one. */
export function isSnapshotTime(value: unknown): value is string {
  if (typeof value !== 'string' || !ISO_UTC.test(value)) return false
  // A month 13 or an hour 25 has the shape but parses to NaN, whose toISOString throws.
  const ms = Date.parse(value)
  return Number.isFinite(ms) && new Date(ms).toISOString() === value
}
