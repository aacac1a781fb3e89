import type { ExportJob } from '../../clari/types.js'

// Clari names an export's file clari_export_forecast_<forecastId>_<period>… (docs/clari-api.md#job-status).
const FILE_PREFIX = 'clari_export_forecast_'

/** The export a job must be to count as this run's: a forecast tab, a period, not another's. */
export interface WantedExport {
  forecastId: string
  period: string
  /** Jobs this run owns already (for other periods): never this period's. */
  owned: ReadonlySet<string>
}

/**
 * Whether Clari's own description of a job says it exports this forecast's period: its module is
 * FORECAST (or not given), and its file name names the forecast and period
 * (`clari_export_forecast_<forecastId>_<period>…`), or, with another prefix, its title is the
 * forecast id and its file name holds `_<period>`. `unknown` when the answer does not say (no
 * file name yet). The one rule for a lost create's job in the job list and for a job an earlier
 * attempt's manifest names: either way, only a `yes` lets the run download or cancel it.
 */
export function exportIdentity(job: ExportJob, want: WantedExport): 'yes' | 'no' | 'unknown' {
  if (job.jobId !== undefined && want.owned.has(job.jobId)) return 'no'
  if (job.module !== undefined && job.module !== 'FORECAST') return 'no'
  const { fileName, title } = job
  if (fileName === undefined) return 'unknown'
  if (fileName.startsWith(FILE_PREFIX)) {
    return fileName.slice(FILE_PREFIX.length).startsWith(`${want.forecastId}_${want.period}`)
      ? 'yes'
      : 'no'
  }
  return title === want.forecastId && fileName.includes(`_${want.period}`) ? 'yes' : 'unknown'
}
