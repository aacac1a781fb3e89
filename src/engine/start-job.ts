import type { CallContext, ClariClient } from '../clari/client.js'
import { QUOTA_CODE } from '../clari/codes.js'
import { AmbiguousCreateError, ClariApiError } from '../clari/errors.js'
import type { CreateExportBody, ExportJob } from '../clari/types.js'
import { pollDelay, type PollIntervals } from '../retry/backoff.js'
import type { Clock, Random } from '../retry/clock.js'
import { ConcurrencyTimeoutError, QuotaError } from './errors.js'
import type { EventSink } from './events.js'

// Clari's job startTime comes from its clock, not ours: allow this much skew when matching.
const CLOCK_SKEW_MS = 60_000
// After an ambiguous create we may look for the job and create again once, never more.
const MAX_CREATES_AFTER_DOUBT = 1

export interface StartJobContext extends CallContext {
  clock: Clock
  random: Random
  onEvent: EventSink
  /** Backoff used while waiting for a free concurrency slot. */
  slotWait: PollIntervals
  /** Jobs this run already owns, which reconciliation must never adopt for another period. */
  ownedJobIds: ReadonlySet<string>
  slot: SlotControl
}

/** This period's place among the run's concurrent exports. */
export interface SlotControl {
  /** Other periods of this run whose job runs at Clari now. */
  othersRunning(): number
  /**
   * Clari refused a create because its concurrency limit is full while jobs of ours run: run no
   * more at once than we really got, and wait until one of ours ends.
   */
  waitForOneOfOurs(running: number): Promise<void>
  /** Clari's slots are all held by others: run one period at a time until some come free. */
  alone(): void
}

/**
 * Creates the export job for one period without ever creating two: an ambiguous POST is
 * reconciled through the job list, and Clari's 400 `export_monthly_quota_reached` is resolved
 * through /admin/limits into "quota gone" (QuotaError) or "wait for a slot, then create".
 */
export async function startJob(
  client: ClariClient,
  forecastId: string,
  body: CreateExportBody,
  ctx: StartJobContext
): Promise<{ jobId: string; adopted: boolean }> {
  let createsAfterDoubt = 0
  for (;;) {
    try {
      return { jobId: await client.createExport(forecastId, body, ctx), adopted: false }
    } catch (error) {
      if (error instanceof AmbiguousCreateError) {
        const found = await findCreatedJob(client, body.timePeriod, error.sentAt, ctx)
        if (found) return { jobId: found, adopted: true }
        if (createsAfterDoubt++ >= MAX_CREATES_AFTER_DOUBT) throw error.cause
        continue
      }
      if (error instanceof ClariApiError && error.code === QUOTA_CODE) {
        await waitForFreeSlot(client, body.timePeriod, ctx)
        continue
      }
      throw error
    }
  }
}

async function findCreatedJob(
  client: ClariClient,
  period: string,
  sentAt: number,
  ctx: StartJobContext
): Promise<string | undefined> {
  const jobs = await client.listJobs(ctx)
  const candidates = jobs
    .filter(job => isCandidate(job, period, sentAt, ctx.ownedJobIds))
    .sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0))
  return candidates[0]?.jobId
}

function isCandidate(
  job: ExportJob,
  period: string,
  sentAt: number,
  owned: ReadonlySet<string>
): job is ExportJob & { jobId: string } {
  if (typeof job.jobId !== 'string' || owned.has(job.jobId)) return false
  if (job.module !== undefined && job.module !== 'FORECAST') return false
  if (typeof job.startTime !== 'number' || job.startTime < sentAt - CLOCK_SKEW_MS) return false
  // File names carry the period (clari_export_forecast_..._2021_Q1..._<stamp>.json) once known.
  return job.fileName === undefined || job.fileName.includes(period)
}

/**
 * Tells a used-up quota from a full concurrency limit. While jobs of ours run, a full limit
 * means waiting for one of them (one refused create per slot that frees up, never a storm);
 * with none of ours running, the limits are polled with backoff until a slot is free.
 */
async function waitForFreeSlot(
  client: ClariClient,
  period: string,
  ctx: StartJobContext
): Promise<void> {
  for (let k = 0; ; k++) {
    const limits = await client.getLimits(ctx)
    if ((limits.availableMonthlyQuota ?? 1) <= 0) throw new QuotaError(limits.monthlyQuota)
    if (k > 0 && (limits.availableConcurrentLimit ?? 1) > 0) return
    const running = ctx.slot.othersRunning()
    if (running > 0) {
      ctx.onEvent({
        type: 'waiting',
        period,
        reason: 'concurrency-full',
        waitMs: 0,
        detail: `Clari's export slots are full; waiting for one of the ${running} job${running === 1 ? '' : 's'} of this run to finish`
      })
      return ctx.slot.waitForOneOfOurs(running)
    }
    ctx.slot.alone()
    const waitMs = pollDelay(k, ctx.slotWait, ctx.random)
    if (ctx.clock.now() + waitMs > ctx.deadline) {
      throw new ConcurrencyTimeoutError(limits.concurrentLimit)
    }
    ctx.onEvent({
      type: 'waiting',
      period,
      reason: 'concurrency-full',
      waitMs,
      detail: `all ${limits.concurrentLimit ?? '?'} export slots are busy`
    })
    await ctx.clock.sleep(waitMs, ctx.signal)
  }
}
