import { isTerminal, type SimJobRecord } from './jobs.js'

interface ForeignJob {
  jobId: string
  until: number
}

/**
 * The org's export limits (docs/clari-api.md#limits-and-quota): queued and running jobs hold
 * concurrency slots, every created job uses monthly quota until it is cancelled.
 */
export class OrgAccount {
  readonly jobs: SimJobRecord[] = []
  private quotaUsed = 0
  private readonly foreign: ForeignJob[] = []

  constructor(
    readonly concurrentLimit: number,
    readonly monthlyQuota: number
  ) {}

  add(job: SimJobRecord): void {
    this.jobs.push(job)
    this.quotaUsed++
  }

  find(jobId: string): SimJobRecord | undefined {
    return this.jobs.find(j => j.jobId === jobId)
  }

  cancel(job: SimJobRecord, now: number): boolean {
    if (!job.cancel(now)) return false
    this.quotaUsed--
    return true
  }

  /** Other users' jobs that hold a slot until `until` (sim clock). */
  occupy(jobIds: string[], until: number): void {
    for (const jobId of jobIds) this.foreign.push({ jobId, until })
  }

  setQuotaLeft(n: number): void {
    this.quotaUsed = this.monthlyQuota - n
  }

  canCreate(now: number): boolean {
    return this.activeCount(now) < this.concurrentLimit && this.quotaUsed < this.monthlyQuota
  }

  limits(now: number): Record<string, unknown> {
    const running: string[] = []
    const submitted: string[] = []
    for (const job of this.jobs) {
      const status = job.statusAt(now)
      if (status === 'SCHEDULED') submitted.push(job.jobId)
      else if (!isTerminal(status)) running.push(job.jobId)
    }
    running.push(...this.activeForeign(now).map(j => j.jobId))
    return {
      jobs: {
        concurrentLimit: this.concurrentLimit,
        monthlyQuota: this.monthlyQuota,
        ...(running.length > 0 ? { runningJobIds: running } : {}),
        submittedJobIds: submitted,
        availableConcurrentLimit: Math.max(0, this.concurrentLimit - this.activeCount(now)),
        availableMonthlyQuota: Math.max(0, this.monthlyQuota - this.quotaUsed)
      }
    }
  }

  private activeCount(now: number): number {
    const own = this.jobs.filter(j => !isTerminal(j.statusAt(now))).length
    return own + this.activeForeign(now).length
  }

  private activeForeign(now: number): ForeignJob[] {
    return this.foreign.filter(j => j.until > now)
  }
}
