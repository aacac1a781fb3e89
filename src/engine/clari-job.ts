import type { ExportJob } from '../clari/types.js'

// Clari names an export's file clari_export_forecast_<forecastId>_<period>… (docs/clari-api.md#job-status).
const FILE_PREFIX = 'clari_export_forecast_'

/**
 * Whether a listed job's file name (or its title and file name) names this forecast and period:
 * the one rule by which a job in Clari's list is provably an export of ours, for adopting a lost
 * create's job (job/start-job.ts) and for learning durations (history/).
 */
export function namesExport(
  job: Pick<ExportJob, 'fileName' | 'title'>,
  forecastId: string,
  period: string
): 'yes' | 'no' | 'unknown' {
  const { fileName, title } = job
  if (fileName === undefined) return 'unknown'
  if (fileName.startsWith(FILE_PREFIX)) {
    return fileName.slice(FILE_PREFIX.length).startsWith(`${forecastId}_${period}`) ? 'yes' : 'no'
  }
  return title === forecastId && fileName.includes(`_${period}`) ? 'yes' : 'unknown'
}

/** Clari's own measure of a job (both stamps on its clock), free of our detection delay. */
export function jobDuration(job: Pick<ExportJob, 'startTime' | 'endTime'>): number | undefined {
  const { startTime, endTime } = job
  if (typeof startTime !== 'number' || typeof endTime !== 'number') return undefined
  const ms = endTime - startTime
  return Number.isFinite(ms) && ms > 0 ? ms : undefined
}
