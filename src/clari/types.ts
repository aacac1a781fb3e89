/** Shapes of Clari's Revenue API v4 export endpoints, as documented (docs/clari-api.md). */

export const EXPORT_TYPES = [
  'forecast',
  'quota',
  'forecast_updated',
  'adjustment',
  'crm_total',
  'crm_closed'
] as const
export type ExportType = (typeof EXPORT_TYPES)[number]

export const EXPORT_FORMATS = ['JSON', 'CSV'] as const
export type ExportFormat = (typeof EXPORT_FORMATS)[number]

export const EXPORT_SCHEDULES = ['NONE', 'ONCE', 'MAX'] as const
export type ExportSchedule = (typeof EXPORT_SCHEDULES)[number]

/** Body of `POST /export/forecast/{forecastId}`: only the fields the user set are sent. */
export interface CreateExportBody {
  timePeriod: string
  typesToExport?: ExportType[]
  currency?: string
  scopeId?: string
  schedule?: ExportSchedule
  includeHistorical?: boolean
  exportFormat?: ExportFormat
}

/** A job as `GET /export/jobs/{jobId}` returns it (after unwrapping `body.job ?? body`). */
export interface ExportJob {
  jobId?: string
  status?: string
  title?: string
  module?: string
  fileName?: string
  fileType?: string
  /** Epoch milliseconds. */
  startTime?: number
  endTime?: number
  rowsTruncated?: boolean
  cellsTruncated?: boolean
  downloads?: number
}

export interface ExportLimits {
  concurrentLimit?: number
  monthlyQuota?: number
  runningJobIds?: string[]
  submittedJobIds?: string[]
  availableConcurrentLimit?: number
  availableMonthlyQuota?: number
}

/** Clari's error body, shared by the export endpoints. The gateway sends only `message`. */
export interface ClariErrorBody {
  code?: string
  namespace?: string
  errorId?: string
  message?: string
  orgId?: number | string
  source?: string
}

// Clari's ids are 24 hex digits; anything id-like is accepted, but nothing that could smuggle
// a path, a workflow command or an escape into URLs, logs or the manifest.
const JOB_ID = /^[A-Za-z0-9_-]{1,128}$/

export function isJobId(value: unknown): value is string {
  return typeof value === 'string' && JOB_ID.test(value)
}

/** How a job's state reads to the poll loop. */
export type JobPhase = 'running' | 'done' | 'failed'

export function jobPhase(status: string | undefined): JobPhase {
  switch (status) {
    case 'DONE':
    case 'COMPLETED': // not in Clari's enum, but some callers expect it; harmless to accept
      return 'done'
    case 'FAILED':
    case 'CANCELLED':
    case 'ABORTED':
    case 'ERROR':
      return 'failed'
    default:
      return 'running'
  }
}
