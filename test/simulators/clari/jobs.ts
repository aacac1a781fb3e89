import { SIM_ORG_ID, SIM_USER_ID } from './clari-errors.js'
import type { ForecastExportOptions } from './forecast-export.js'
import { DAY_MS } from './quarters.js'
import type { JobPlan, SimJob } from './types.js'

const TERMINAL = new Set(['DONE', 'FAILED', 'CANCELLED', 'ABORTED'])

export function isTerminal(status: string): boolean {
  return TERMINAL.has(status)
}

export interface NewJob {
  jobId: string
  forecastId: string
  period?: string
  /** The period the payload names (requested, current-quarter fallback, or override). */
  payloadPeriod: string
  body: Record<string, unknown>
  createdAt: number
  plan: JobPlan
  /** What the payload is made of, besides its period and forecast. */
  exportOptions: ForecastExportOptions
}

/** One export job; its status is a function of the sim clock, its polls and cancellation. */
export class SimJobRecord implements SimJob {
  readonly jobId: string
  readonly forecastId: string
  readonly period?: string
  readonly payloadPeriod: string
  readonly body: Record<string, unknown>
  readonly createdAt: number
  readonly plan: JobPlan
  readonly exportOptions: ForecastExportOptions
  statusPolls = 0
  downloads = 0
  payloadSha256?: string
  private cancelledAs?: { status: 'CANCELLED' | 'ABORTED'; at: number }
  // For scripted `statuses`: when a terminal value was first served (the job's endTime).
  private scriptedEndAt?: number

  constructor(
    job: NewJob,
    private readonly now: () => number
  ) {
    this.jobId = job.jobId
    this.forecastId = job.forecastId
    this.period = job.period
    this.payloadPeriod = job.payloadPeriod
    this.body = job.body
    this.createdAt = job.createdAt
    this.plan = job.plan
    this.exportOptions = job.exportOptions
  }

  get cancelled(): boolean {
    return this.cancelledAs !== undefined
  }

  get status(): string {
    return this.statusAt(this.now())
  }

  get fileType(): 'JSON' | 'CSV' {
    return this.body.exportFormat === 'CSV' ? 'CSV' : 'JSON'
  }

  statusAt(now: number): string {
    if (this.cancelledAs) return this.cancelledAs.status
    const script = this.plan.statuses
    if (script && script.length > 0) return this.scripted(Math.max(0, this.statusPolls - 1))
    const elapsed = now - this.createdAt
    if (elapsed >= (this.plan.durationMs ?? 0)) return this.plan.outcome ?? 'DONE'
    return elapsed >= (this.plan.queuedMs ?? 0) ? 'STARTED' : 'SCHEDULED'
  }

  /** The status one status GET reports; `apply` counts the poll (scripted jobs advance). */
  poll(now: number, apply: boolean): string {
    if (this.cancelledAs || !this.plan.statuses?.length) {
      if (apply) this.statusPolls++
      return this.statusAt(now)
    }
    const status = this.scripted(this.statusPolls)
    if (apply) {
      this.statusPolls++
      if (isTerminal(status)) this.scriptedEndAt ??= now
    }
    return status
  }

  endTimeAt(now: number): number | null {
    if (this.cancelledAs) return this.cancelledAs.at
    if (!isTerminal(this.statusAt(now))) return null
    if (this.plan.statuses?.length) return this.scriptedEndAt ?? now
    return this.createdAt + (this.plan.durationMs ?? 0)
  }

  /** Cancels a running job; false if it had already finished. */
  cancel(now: number): boolean {
    const status = this.statusAt(now)
    if (isTerminal(status)) return false
    this.cancelledAs = { status: status === 'SCHEDULED' ? 'CANCELLED' : 'ABORTED', at: now }
    return true
  }

  /** The job object of `GET /export/jobs/{id}` (docs/clari-api.md#job-status). */
  view(now: number, status = this.statusAt(now)): Record<string, unknown> {
    // Clari's times are whole epoch milliseconds; the sim clock may hold fractions.
    const end = this.endTimeAt(now)
    const endTime = end === null ? null : Math.floor(end)
    const stamp = new Date(this.createdAt).toISOString().replace(/[-:]/g, '').replace('T', '_')
    const periodPart = this.period ? `_${this.period}` : ''
    return {
      jobId: this.jobId,
      userId: SIM_USER_ID,
      orgId: SIM_ORG_ID,
      title: this.forecastId
        .split(/[_-]/)
        .map(w => w.charAt(0).toUpperCase() + w.slice(1))
        .join(' '),
      module: 'FORECAST',
      startTime: Math.floor(this.createdAt),
      endTime,
      expiredTime: endTime === null ? null : endTime + 30 * DAY_MS,
      version: 1,
      fileName: `clari_export_forecast_${this.forecastId}${periodPart}_${stamp.slice(0, 15)}.${this.fileType.toLowerCase()}`,
      fileType: this.fileType,
      status,
      viewed: this.downloads > 0,
      cellsTruncated: this.plan.cellsTruncated ?? false,
      rowsTruncated: this.plan.rowsTruncated ?? false,
      downloads: this.downloads,
      currency: typeof this.body.currency === 'string' ? this.body.currency : 'USD',
      deliveryStatusMap: {}
    }
  }

  private scripted(index: number): string {
    const script = this.plan.statuses!
    return script[Math.min(index, script.length - 1)]!
  }
}
