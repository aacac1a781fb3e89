import type { WrittenTables } from './tables/layout.js'

/** How a period ended, as recorded in manifest.json. */
export type PeriodStatus = 'DONE' | 'FAILED' | 'CANCELLED' | 'ABORTED' | 'TIMED_OUT' | 'ERROR'

export interface PeriodOutcome {
  period: string
  jobId?: string
  status: PeriodStatus
  /** Payload file name, relative to the output folder; set once the payload is written (DONE, or
   * ERROR when only its tables failed: the payload is kept). */
  file?: string
  bytes?: number
  sha256?: string
  /** The period's tables (input `tables`), set when all five were written. */
  tables?: WrittenTables
  durationMs: number
  statusPolls: number
  throttleWaits: number
  rowsTruncated: boolean
  cellsTruncated: boolean
  error?: string
  /** Clari's error code and errorId, when Clari gave them. */
  errorCode?: string
  errorId?: string
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

export interface Manifest {
  forecastId: string
  startedAt: string
  finishedAt: string
  exports: PeriodOutcome[]
}
