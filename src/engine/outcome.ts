/** How a period ended, as recorded in manifest.json. */
export type PeriodStatus = 'DONE' | 'FAILED' | 'CANCELLED' | 'ABORTED' | 'TIMED_OUT' | 'ERROR'

export interface PeriodOutcome {
  period: string
  jobId?: string
  status: PeriodStatus
  /** Payload file name, relative to the output folder; set when DONE. */
  file?: string
  bytes?: number
  sha256?: string
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
