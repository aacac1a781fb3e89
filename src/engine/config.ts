import type { ClariClientConfig } from '../clari/client.js'
import type { CreateExportBody, ExportFormat } from '../clari/types.js'
import type { TableFormat } from './table-layout.js'

/** Everything one export run needs, validated before the first request. */
export interface ExportConfig {
  /** The Clari client's settings, which it takes as is. */
  clari: ClariClientConfig
  /** Where the user set the key, for the advice when Clari refuses it (default: the api-key secret). */
  keySource?: string
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
  /** Where job durations of earlier runs are learned from (input history). */
  history: HistorySources
  /** The workflow run this export belongs to, recorded in the manifest for a re-run to find. */
  run?: { id?: string; attempt?: number }
  /** A larger payload is aborted and its partial file removed (input max-payload-size). */
  maxPayloadBytes: number
  /** A truncated export is a warning, not a problem that fails the run (input allow-truncated). */
  allowTruncated: boolean
  /** CSV tables: a cell a spreadsheet would run as a formula gets a leading `'` (input csv-formula-guard). */
  csvFormulaGuard: boolean
}

/**
 * `all`: the action's own records (the ledger, an earlier attempt's manifest) and Clari's job
 * list, read once when those leave a period without history; `runs`: the own records only;
 * `none`: nothing is learned (the poll schedule and the start order of a first run).
 */
export const HISTORY_SOURCES = ['all', 'runs', 'none'] as const
export type HistorySources = (typeof HISTORY_SOURCES)[number]

/** Highest `max-concurrent-jobs`; `auto` never goes above it either. */
export const MAX_CONCURRENCY = 10

export interface Timing {
  pollIntervalMs: number
  maxPollIntervalMs: number
  /** Per period, across all its waits. */
  jobTimeoutMs: number
}
