import type { PeriodOutcome } from './outcome.js'

/**
 * What happens during a run, for the adapters to show (log lines and the job summary in the
 * action, a live line in a terminal). The engine itself prints nothing. Events of concurrent
 * periods interleave; each one about a period names it.
 */
export type ExportEvent =
  | { type: 'period-started'; period: string; index: number; total: number }
  | { type: 'job-created'; period: string; jobId: string; adopted: boolean }
  | {
      type: 'status'
      period: string
      jobId: string
      status: string
      /** Status checks Clari answered so far, this one included: the summary's count. */
      poll: number
      elapsedMs: number
      /** Delay until the next status check, when another one is planned. */
      nextCheckMs?: number
    }
  | { type: 'unknown-status'; period: string; jobId: string; status: string }
  | {
      type: 'waiting'
      period: string
      reason: 'throttled' | 'transient-error' | 'concurrency-full'
      /** Undefined when the wait ends on an event (one of this run's jobs finishing). */
      waitMs?: number
      detail: string
    }
  | { type: 'warning'; period: string; message: string }
  /** Something odd that did not harm the export (e.g. a Content-Type naming another format). */
  | { type: 'notice'; period: string; message: string }
  | { type: 'job-cancelled'; period: string; jobId: string; result: string }
  | { type: 'period-finished'; outcome: PeriodOutcome }
  /** One of this run's jobs started or ended at Clari; `inFlight` lists the periods still running. */
  | {
      type: 'jobs-in-flight'
      period: string
      jobId: string
      change: 'started' | 'ended'
      inFlight: string[]
    }
  /** How many periods run at once, and why it is that many. */
  | { type: 'concurrency'; limit: number; detail: string }
  /** What a re-run takes over from the earlier attempt (or why it takes nothing). */
  | {
      type: 'resume'
      source: string
      /** Set when nothing could be taken over. */
      unusable?: string
      /** With `unusable`: what the run turns to instead (the ledger), when not exporting all. */
      instead?: string
      reused: string[]
      repolled: string[]
      anew: string[]
    }
  /**
   * What earlier runs taught about the job durations (input `history`), and the order the
   * periods start in when it puts the longest first.
   */
  | {
      type: 'history'
      /** The periods with a predicted duration, in input order. */
      predicted: { period: string; expectedMs: number; spreadMs: number; samples: number }[]
      /** The periods still to export that earlier runs say nothing about. */
      unknown: string[]
      /** Clari's job list: read, not needed, not asked for, or why it could not be read. */
      jobList: string
      /** Set when the periods start longest first, not in input order. */
      startOrder?: string[]
    }
  /** A job of the earlier attempt was asked about again. */
  | { type: 'earlier-job'; period: string; jobId: string; found: string }

export type EventSink = (event: ExportEvent) => void
