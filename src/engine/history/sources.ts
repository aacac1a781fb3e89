import { jobPhase, type ExportJob } from '../../clari/types.js'
import { jobDuration, namesExport } from '../clari-job.js'
import type { DurationObservation } from '../durations.js'

/**
 * The finished jobs in Clari's job list that are provably exports of this forecast and one of
 * these periods: the file name says so, by the same rule that adopts a lost create's job. The
 * list does not show the create parameters, only the file type, which goes along.
 */
export function jobListObservations(
  jobs: readonly ExportJob[],
  forecastId: string,
  periods: readonly string[]
): DurationObservation[] {
  return jobs.flatMap(job => {
    if (jobPhase(job.status) !== 'done') return []
    if (job.module !== undefined && job.module !== 'FORECAST') return []
    const period = periods.find(p => namesExport(job, forecastId, p) === 'yes')
    const durationMs = jobDuration(job)
    if (period === undefined || durationMs === undefined) return []
    return [
      {
        forecastId,
        period,
        // Stryker disable next-line ConditionalExpression: an absent field and one set to undefined are read alike: predictDurations checks each value
        ...(job.fileType !== undefined ? { fileType: job.fileType } : {}),
        durationMs,
        // Stryker disable next-line ConditionalExpression: an absent field and one set to undefined are read alike: predictDurations checks each value
        ...(job.endTime !== undefined ? { endedAt: job.endTime } : {}),
        // Stryker disable next-line ConditionalExpression: an absent field and one set to undefined are read alike: predictDurations checks each value
        ...(job.jobId !== undefined ? { jobId: job.jobId } : {})
      }
    ]
  })
}
