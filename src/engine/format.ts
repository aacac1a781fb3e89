import type { PeriodOutcome } from './outcome.js'

/** Human-readable sizes and durations, shared by the job summary and the terminal runner. */
export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return ''
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`
}

/** One line per failed period: period, job id, status, reason. */
export function failureLine(outcome: PeriodOutcome): string {
  const job = outcome.jobId ? `job ${outcome.jobId}` : 'no job'
  return `${outcome.period}: ${outcome.status} (${job}): ${outcome.error ?? 'no reason given'}`
}
