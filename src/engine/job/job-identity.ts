import type { ExportJob } from '../../clari/types.js'
import { namesExport } from '../clari-job.js'

/** The export a job must be to count as this run's: a forecast tab, a period, not another's. */
export interface WantedExport {
  forecastId: string
  period: string
  /** Jobs this run owns already (for other periods): never this period's. */
  owned: ReadonlySet<string>
}

/**
 * Whether Clari's own description of a job says it exports this forecast's period: not a job
 * this run owns for another period, its module FORECAST (or not given), and its file name (or
 * title and file name) naming the forecast and period (`namesExport`). `unknown` when the answer
 * does not say (no file name yet). The one rule for a lost create's job in the job list and for a
 * job an earlier attempt's manifest names: either way, only a `yes` lets the run download or
 * cancel it.
 */
export function exportIdentity(job: ExportJob, want: WantedExport): 'yes' | 'no' | 'unknown' {
  if (job.jobId !== undefined && want.owned.has(job.jobId)) return 'no'
  if (job.module !== undefined && job.module !== 'FORECAST') return 'no'
  return namesExport(job, want.forecastId, want.period)
}
