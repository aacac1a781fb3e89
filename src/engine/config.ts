import type { CreateExportBody, ExportFormat } from '../clari/types.js'
import type { TableFormat } from './tables/layout.js'

/** Everything one export run needs, validated before the first request. */
export interface ExportConfig {
  apiUrl: string
  apiKey: string
  forecastId: string
  /** Fiscal quarters (`YYYY_QN`), exported in this order. */
  periods: string[]
  /** The create body's fields other than `timePeriod`; only those the user set. */
  request: Omit<CreateExportBody, 'timePeriod'>
  exportFormat: ExportFormat
  /** Tables written from each JSON payload (see tables/write-tables.ts). */
  tables: TableFormat | 'none'
  /** Absolute folder for the payloads and manifest.json. */
  outputDir: string
  timing: Timing
  cancelOnTimeout: boolean
  failFast: boolean
}

export interface Timing {
  pollIntervalMs: number
  maxPollIntervalMs: number
  /** Per period, across all its waits. */
  jobTimeoutMs: number
  /** Per HTTP attempt. */
  requestTimeoutMs: number
  maxRetryAfterMs: number
}

export const DEFAULT_TIMING: Timing = {
  pollIntervalMs: 5_000,
  maxPollIntervalMs: 30_000,
  jobTimeoutMs: 30 * 60_000,
  requestTimeoutMs: 30_000,
  maxRetryAfterMs: 300_000
}
