import type { PeriodOutcome } from '../outcome.js'
import { TABLE_NAMES, type WrittenTables } from '../table-layout.js'
import type { ExportPlan } from './plan.js'
import type { RunReport } from './run-export.js'
import type { ExportEvent } from '../events.js'
import { formatBytes, formatDuration, plural } from '../units.js'

export type PeriodColumnKey =
  'period' | 'status' | 'job' | 'size' | 'duration' | 'statusPolls' | 'throttleWaits'

/** A column of the per-period table, the same in the job summary and in a terminal. */
export interface PeriodColumn {
  key: PeriodColumnKey
  header: string
  /** Plain text that may hold server text: each adapter escapes it for where it shows it. */
  text(outcome: PeriodOutcome): string
}

export const PERIOD_COLUMNS: readonly PeriodColumn[] = [
  { key: 'period', header: 'Period', text: o => o.period },
  {
    key: 'status',
    header: 'Status',
    text: o =>
      `${o.status}${truncation(o) ? ', truncated' : ''}${provenance(o) ? ` (${provenance(o)})` : ''}`
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

/** One line per failed period: period, job id, status, reason. */
export function failureLine(outcome: PeriodOutcome): string {
  const job = outcome.jobId ? `job ${outcome.jobId}` : 'no job'
  return `${outcome.period}: ${outcome.status} (${job}): ${outcome.error ?? 'no reason given'}`
}

/** Why a re-run takes nothing over: "Not resuming from <source>: <why>; exporting every period". */
export function notResumingLine(source: string, why: string): string {
  return `Not resuming from ${source}: ${why}; exporting every period`
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
 * net_arr_2026_Q1.json (2.0 KiB) in 1 min 5 s, 6 status checks", or reused, or the failure.
 */
export function finishedLine(outcome: PeriodOutcome): string {
  if (outcome.status !== 'DONE') return failureLine(outcome)
  const done = `${outcome.period}: DONE, ${outcome.file} (${formatBytes(outcome.bytes)})`
  if (outcome.reusedFromAttempt !== undefined) {
    return `${done} reused from attempt ${outcome.reusedFromAttempt}`
  }
  const checks = plural(outcome.statusPolls, 'status check')
  return `${done} in ${formatDuration(outcome.durationMs)}, ${checks}`
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
export function provenance(outcome: PeriodOutcome): string | undefined {
  if (outcome.reusedFromAttempt !== undefined) {
    return `reused from attempt ${outcome.reusedFromAttempt}`
  }
  if (outcome.repolledFromAttempt !== undefined) {
    return `job of attempt ${outcome.repolledFromAttempt}`
  }
  return undefined
}

/**
 * What resuming saved, for the summary and the log: "Resumed: 2 periods reused, 1 job of an
 * earlier attempt taken over, 1 started anew; 3 export jobs not created again."
 */
export function resumeLine(report: RunReport): string | undefined {
  const { exports } = report.manifest
  const reused = exports.filter(o => o.reusedFromAttempt !== undefined).length
  const repolled = exports.filter(o => o.repolledFromAttempt !== undefined).length
  if (reused + repolled === 0) return undefined
  return [
    `Resumed: ${plural(reused, 'period')} reused`,
    `${plural(repolled, 'job')} of an earlier attempt taken over`,
    `${exports.length - reused - repolled} started anew; ${plural(reused + repolled, 'export job')} not created again`
  ].join(', ')
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
