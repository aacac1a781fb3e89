import type { PeriodOutcome } from '../outcome.js'
import { TABLE_NAMES, type WrittenTables } from '../table-layout.js'
import type { ExportPlan } from './plan.js'
import type { RunReport } from './run-export.js'
import type { ExportEvent } from '../events.js'
import { formatBytes, formatDuration, plural } from '../units.js'

export type PeriodColumnKey =
  'period' | 'status' | 'job' | 'size' | 'duration' | 'statusPolls' | 'throttleWaits'

/**
 * How an adapter names the run a re-run took over from: "attempt 1" in a workflow run, "the
 * earlier run in clari-export" on a terminal, where there are no attempts.
 */
export type EarlierRunName = (attempt: number) => string

/** A workflow run's attempts: "attempt 1". */
export const attemptName: EarlierRunName = attempt => `attempt ${attempt}`

/** A column of the per-period table, the same in the job summary and in a terminal. */
export interface PeriodColumn {
  key: PeriodColumnKey
  header: string
  /** Plain text that may hold server text: each adapter escapes it for where it shows it. */
  text(outcome: PeriodOutcome, earlier: EarlierRunName): string
}

export const PERIOD_COLUMNS: readonly PeriodColumn[] = [
  { key: 'period', header: 'Period', text: o => o.period },
  {
    key: 'status',
    header: 'Status',
    text: (o, earlier) => {
      const from = provenance(o, earlier)
      return `${o.status}${truncation(o) ? ', truncated' : ''}${from ? ` (${from})` : ''}`
    }
  },
  { key: 'job', header: 'Job', text: o => o.jobId ?? '' },
  { key: 'size', header: 'Size', text: o => formatBytes(o.bytes) },
  { key: 'duration', header: 'Duration', text: o => formatDuration(o.durationMs) },
  { key: 'statusPolls', header: 'Status checks', text: o => String(o.statusPolls) },
  { key: 'throttleWaits', header: 'Throttle waits', text: o => String(o.throttleWaits) }
]

/** What Clari truncated in a finished export, in words; undefined when it kept everything. */
export function truncation(outcome: PeriodOutcome): string | undefined {
  const parts = [outcome.rowsTruncated && 'rows', outcome.cellsTruncated && 'cells'].filter(Boolean)
  return parts.length ? `Clari truncated this export (${parts.join(' and ')})` : undefined
}

/** One line per failed period: period, status, its job (named once), reason. */
export function failureLine(outcome: PeriodOutcome): string {
  const job = outcome.jobId ? ` (job ${outcome.jobId})` : ''
  return `${outcome.period}: ${outcome.status}${job}: ${outcome.error ?? 'no reason given'}`
}

/**
 * What became of a period's job when the run gave up on it, from a `job-cancelled` event's
 * result, to end that period's line: "its job was cancelled at Clari".
 */
export function cancelNote(result: string): string {
  if (result === 'cancelled') return 'its job was cancelled at Clari'
  if (result === 'already-finished') return 'its job had already ended at Clari'
  return `its job may still run at Clari (${result})`
}

/**
 * Why a re-run takes nothing over: "Not resuming from <source>: <why>; exporting every period",
 * or what it does `instead` (the ledger's jobs).
 */
export function notResumingLine(source: string, why: string, instead?: string): string {
  return `Not resuming from ${source}: ${why}; ${instead ?? 'exporting every period'}`
}

/** "2026_Q1: waiting 30 s (throttled): …"; no duration when the wait ends on an event. */
export function waitingLine(event: Extract<ExportEvent, { type: 'waiting' }>): string {
  const how = event.waitMs === undefined ? '' : ` ${formatDuration(event.waitMs)}`
  return `${event.period}: waiting${how} (${event.reason}): ${event.detail}`
}

/**
 * What the run learned from earlier ones: "Job durations from earlier runs: 2026_Q1 about 30 min
 * 5 s (± 2 min 10 s, 3 jobs); none for 2026_Q2 (Clari's job list: read). Starting the longest
 * first: …".
 */
export function historyLine(event: Extract<ExportEvent, { type: 'history' }>): string {
  const known = event.predicted.map(
    p =>
      `${p.period} about ${formatDuration(p.expectedMs)} (± ${formatDuration(p.spreadMs)}, ${plural(p.samples, 'job')})`
  )
  const parts = [
    ...known,
    ...(event.unknown.length ? [`none for ${event.unknown.join(', ')}`] : [])
  ]
  const order = event.startOrder
    ? `. Starting the longest first: ${event.startOrder.join(', ')}`
    : ''
  return `Job durations from earlier runs: ${parts.join('; ')} (Clari's job list: ${event.jobList})${order}`
}

/**
 * One line about a finished period, the same in the step log and on a terminal: "2026_Q1: DONE,
 * net_arr_2026_Q1.json (2.0 KiB) in 1 min 5 s, 6 status checks", or reused, or the failure and,
 * when the run gave up on a job, what became of it (`cancelNote`).
 */
export function finishedLine(
  outcome: PeriodOutcome,
  earlier: EarlierRunName,
  cancelled?: string
): string {
  if (outcome.status !== 'DONE') {
    return failureLine(outcome) + (cancelled ? `; ${cancelNote(cancelled)}` : '')
  }
  const done = `${outcome.period}: DONE, ${outcome.file} (${formatBytes(outcome.bytes)})`
  if (outcome.reusedFromAttempt !== undefined) {
    return `${done}, reused from ${earlier(outcome.reusedFromAttempt)}`
  }
  const checks = plural(outcome.statusPolls, 'status check')
  return `${done} in ${formatDuration(outcome.durationMs)}, ${checks}`
}

/**
 * What a re-run takes over, naming only what it does: "Resuming from <source>: reusing 2026_Q1
 * (no request to Clari); asking Clari again about the job of 2026_Q2; exporting 2026_Q3 anew".
 */
export function resumingLine(event: Extract<ExportEvent, { type: 'resume' }>): string {
  if (event.unusable) return notResumingLine(event.source, event.unusable, event.instead)
  const parts = [
    event.reused.length > 0 && `reusing ${event.reused.join(', ')} (no request to Clari)`,
    event.repolled.length > 0 &&
      `asking Clari again about the ${event.repolled.length === 1 ? 'job' : 'jobs'} of ${event.repolled.join(', ')}`,
    event.anew.length > 0 && `exporting ${event.anew.join(', ')} anew`
  ].filter(Boolean)
  return `Resuming from ${event.source}: ${parts.join('; ')}`
}

/** The periods still to export after this run and the ones a resumed run keeps. */
export interface RerunScope {
  again: string[]
  kept: number
}

/**
 * What resuming would save after this run: undefined unless some periods failed (or were not
 * started) and others were exported, for each adapter's advice ("Re-run failed jobs", --resume).
 */
export function rerunScope(report: RunReport): RerunScope | undefined {
  const again = report.failed.map(o => o.period)
  const kept = report.exported.length
  return again.length > 0 && kept > 0 ? { again, kept } : undefined
}

/** "tables: entries 5,120 rows, users 12, fields 4, time_periods 1, time_frames 13" */
export function tablesLine(tables: WrittenTables): string {
  const counts = TABLE_NAMES.map(
    (name, i) => `${name} ${tables[name].rows.toLocaleString('en-US')}${i === 0 ? ' rows' : ''}`
  )
  return `tables: ${counts.join(', ')}`
}

export interface RunTotals {
  periods: number
  exported: number
  bytes: number
  statusPolls: number
  throttleWaits: number
  requests: number
}

export function runTotals(report: RunReport): RunTotals {
  const sum = (pick: (o: PeriodOutcome) => number | undefined): number =>
    report.manifest.exports.reduce((total, o) => total + (pick(o) ?? 0), 0)
  return {
    periods: report.manifest.exports.length,
    exported: report.exported.length,
    bytes: sum(o => o.bytes),
    statusPolls: sum(o => o.statusPolls),
    throttleWaits: sum(o => o.throttleWaits),
    requests: report.requestCount
  }
}

/** "2 of 3 periods exported, 1.2 MiB, 14 requests to Clari, 1 throttle wait" */
export function totalsLine(totals: RunTotals): string {
  return [
    `${totals.exported} of ${plural(totals.periods, 'period')} exported`,
    formatBytes(totals.bytes),
    `${plural(totals.requests, 'request')} to Clari`,
    plural(totals.throttleWaits, 'throttle wait')
  ].join(', ')
}

/** Where a period's result came from when a re-run took it over, e.g. "reused from attempt 1". */
export function provenance(outcome: PeriodOutcome, earlier: EarlierRunName): string | undefined {
  if (outcome.reusedFromAttempt !== undefined) {
    return `reused from ${earlier(outcome.reusedFromAttempt)}`
  }
  if (outcome.jobFromRun !== undefined) return `job of ${outcome.jobFromRun}`
  if (outcome.repolledFromAttempt !== undefined) {
    return `job of ${earlier(outcome.repolledFromAttempt)}`
  }
  if (outcome.anewBecause !== undefined) return `exported anew: ${outcome.anewBecause}`
  return undefined
}

/**
 * What resuming saved, for the summary and the log, naming only what happened: "Resumed from
 * attempt 1: 2 periods reused, 1 job taken over, 1 exported anew; 3 export jobs not created
 * again."
 */
export function resumeLine(report: RunReport, earlier: EarlierRunName): string | undefined {
  const { exports } = report.manifest
  const reused = exports.filter(o => o.reusedFromAttempt !== undefined)
  const repolled = exports.filter(o => o.repolledFromAttempt !== undefined)
  const from = reused[0]?.reusedFromAttempt ?? repolled[0]?.repolledFromAttempt
  if (from === undefined) return undefined
  const anew = exports.length - reused.length - repolled.length
  const parts = [
    reused.length > 0 && `${plural(reused.length, 'period')} reused`,
    repolled.length > 0 && `${plural(repolled.length, 'job')} taken over`,
    anew > 0 && `${anew} exported anew`
  ].filter(Boolean)
  const saved = plural(reused.length + repolled.length, 'export job')
  return `Resumed from ${earlier(from)}: ${parts.join(', ')}; ${saved} not created again`
}

/** What a dry run reports, the same in the step log and in a terminal. */
export function planLines(plan: ExportPlan): string[] {
  const { limits } = plan
  const lines = [
    `Plan: export ${plan.forecastId} for ${plan.periods.join(', ')} (${plural(plan.periods.length, 'export job')}; dry run: no job created)`,
    `Clari export quota left: ${limits.availableMonthlyQuota ?? '?'} of ${limits.monthlyQuota ?? '?'} per 30 days; ` +
      `concurrency slots free: ${limits.availableConcurrentLimit ?? '?'} of ${limits.concurrentLimit ?? '?'}`
  ]
  lines.push(
    `Would export ${plural(plan.concurrency, 'period')} at once: ${plural(plan.waves, 'wave')} of jobs`
  )
  if (limits.availableConcurrentLimit !== undefined && limits.availableConcurrentLimit <= 0) {
    lines.push('No concurrency slot is free now: a run would wait for one, within job-timeout')
  }
  return lines
}
