import { isRecord } from '../../clari/answers.js'
import { isJobId, jobPhase, type ExportJob } from '../../clari/types.js'
import { jobDuration, namesExport } from '../clari-job.js'
import type { DurationObservation } from '../durations.js'
import { MANIFEST_TOOL, MANIFEST_VERSION, type RequestParameters } from '../outcome.js'

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

/**
 * The job durations a manifest of this action records (`jobDurationMs` of its DONE periods), with
 * the parameters it was made with. The manifest is untrusted (an earlier attempt's artifact, a
 * file in output-dir): each field is checked here or by the model, and anything else yields
 * nothing. The ledger of earlier runs may record a run's manifest through this too.
 */
export function manifestObservations(manifest: unknown): DurationObservation[] {
  if (!isRecord(manifest)) return []
  if (manifest.tool !== MANIFEST_TOOL || manifest.manifestVersion !== MANIFEST_VERSION) return []
  const { forecastId, request, exports } = manifest
  if (typeof forecastId !== 'string' || !isRecord(request) || !Array.isArray(exports)) return []
  return exports.flatMap((entry: unknown) => {
    if (!isRecord(entry) || entry.status !== 'DONE' || typeof entry.period !== 'string') return []
    const { period, jobDurationMs, jobId, timeline } = entry
    if (typeof jobDurationMs !== 'number') return []
    const endedAt = isRecord(timeline) ? epochOf(timeline.doneAt) : undefined
    return [
      {
        forecastId,
        period,
        // Compared field by field with the run's own (HistoryWanted.sameRequest), never trusted.
        request: request as RequestParameters,
        durationMs: jobDurationMs,
        // Stryker disable next-line ConditionalExpression: an absent field and one set to undefined are read alike: predictDurations checks each value
        ...(endedAt !== undefined ? { endedAt } : {}),
        ...(isJobId(jobId) ? { jobId } : {})
      }
    ]
  })
}

function epochOf(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const ms = Date.parse(value)
  return Number.isFinite(ms) ? ms : undefined
}
