import type { CreateExportBody, ExportFormat } from '../clari/types.js'
import type { TableFormat } from './table-layout.js'

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
  /** Periods exported at once: a number, or `auto` (the slots Clari has free at the start). */
  concurrency: number | 'auto'
  /** The workflow run this export belongs to, recorded in the manifest for a re-run to find. */
  run?: { id?: string; attempt?: number }
  /** A larger payload is aborted and its partial file removed (input max-payload-size). */
  maxPayloadBytes: number
  /** A truncated export is a warning, not a problem that fails the run (input allow-truncated). */
  allowTruncated: boolean
  /** CSV tables: a cell a spreadsheet would run as a formula gets a leading `'` (input csv-formula-guard). */
  csvFormulaGuard: boolean
}

/** Highest `max-concurrent-jobs`; `auto` never goes above it either. */
export const MAX_CONCURRENCY = 10

export interface Timing {
  pollIntervalMs: number
  maxPollIntervalMs: number
  /** Per period, across all its waits. */
  jobTimeoutMs: number
  /** Per HTTP attempt. */
  requestTimeoutMs: number
  maxRetryAfterMs: number
}
