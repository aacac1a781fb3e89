import type { RequestParameters } from './outcome.js'

/**
 * One earlier job's duration, as a source reports it: the ledger of earlier runs (the port
 * `EngineDeps.history`), an earlier attempt's manifest, or Clari's job list. Untrusted whatever
 * its type says: `src/engine/history/` checks every field before the value counts.
 */
export interface DurationObservation {
  forecastId: string
  period: string
  /**
   * The create parameters the job was made with (a manifest's `request`). Absent when the
   * source does not know them: Clari's job list shows only the file type.
   */
  request?: RequestParameters
  /** `JSON` or `CSV`, from a source that knows only that (Clari's `fileType`). */
  fileType?: string
  /** How long the job ran by Clari's own stamps (`endTime − startTime`), in ms. */
  durationMs: number
  /** When the job ended (epoch ms): the newest observations of a period count. */
  endedAt?: number
  /** Clari's job id, so that a job two sources report counts once. */
  jobId?: string
}

/** How long a period's next job is expected to take, learned from earlier ones. */
export interface DurationPrediction {
  expectedMs: number
  /** Half-width of the range around `expectedMs` the job is expected to end in. */
  spreadMs: number
  /** How many earlier jobs it rests on (outliers left out). */
  samples: number
}
