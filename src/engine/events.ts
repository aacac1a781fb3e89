import type { PeriodOutcome } from './outcome.js'

/**
 * What happens during a run, for the adapters to show (log groups in the action, a live line in
 * a terminal). The engine itself prints nothing.
 */
export type ExportEvent =
  | { type: 'period-started'; period: string; index: number; total: number }
  | { type: 'job-created'; period: string; jobId: string; adopted: boolean }
  | {
      type: 'status'
      period: string
      jobId: string
      status: string
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
      waitMs: number
      detail: string
    }
  | { type: 'warning'; period: string; message: string }
  /** Something odd that did not harm the export (e.g. a Content-Type naming another format). */
  | { type: 'notice'; period: string; message: string }
  | { type: 'job-cancelled'; period: string; jobId: string; result: string }
  | { type: 'period-finished'; outcome: PeriodOutcome }

export type EventSink = (event: ExportEvent) => void
