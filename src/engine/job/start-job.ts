import type { CallContext, ClariClient } from '../../clari/client.js'
import { AmbiguousCreateError } from '../../clari/errors.js'
import { retryRule } from '../../clari/retry-rules.js'
import type { CreateExportBody, ExportJob } from '../../clari/types.js'
import { pollDelay, type PollIntervals } from '../../retry/backoff.js'
import type { Clock, Random } from '../../base/clock.js'
import { ConcurrencyTimeoutError, QuotaError, UnprovenJobError, type JobDoubt } from '../errors.js'
import type { EventSink } from '../events.js'
import { plural } from '../units.js'
import { exportIdentity, type WantedExport } from './job-identity.js'

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
        const found = await findCreatedJob(client, forecastId, body.timePeriod, error.sentAt, ctx)
        if (found) return { jobId: found, adopted: true }
        if (createsAfterDoubt++ >= MAX_CREATES_AFTER_DOUBT) throw error.cause
        continue
      }
      if (retryRule('create', error).verdict === 'quota') {
        await waitForFreeSlot(client, body.timePeriod, ctx)
        continue
      }
      throw error
    }
  }
}

/**
 * The job our lost create made, when the job list proves it: one job of this forecast and
 * period, started no earlier than the POST was sent (by the server's clock, as far as its Date
 * header shows). Undefined when no listed job can be ours, so creating again is safe; a job that
 * may be ours but cannot be proven, or several that all could, fail the period instead: adopting
 * the wrong one would deliver another export's data, creating again would spend quota twice.
 */
export async function findCreatedJob(
  client: ClariClient,
  forecastId: string,
  period: string,
  sentAt: number,
  ctx: CallContext & Pick<StartJobContext, 'ownedJobIds'>
): Promise<string | undefined> {
  const jobs = await client.listJobs(ctx)
  // Measured on the list answer itself: the offset applies to the POST sent moments before.
  const skew = client.serverClockAheadMs
  const want: Wanted = {
    forecastId,
    period,
    // Whole milliseconds, as Clari stamps startTime.
    notBefore: skew === undefined ? undefined : Math.floor(sentAt + skew),
    owned: ctx.ownedJobIds
  }
  const judged = jobs.map(job => ({ jobId: job.jobId!, provenance: provenance(job, want) }))
  const ours = judged.filter(job => job.provenance === 'ours').map(job => job.jobId)
  if (ours.length > 1) throw new UnprovenJobError(forecastId, period, { several: ours })
  if (ours.length === 1) return ours[0]
  const doubts = judged.flatMap(({ jobId, provenance }) =>
    typeof provenance === 'object' ? [{ jobId, ...provenance }] : []
  )
  if (doubts.length > 0) throw new UnprovenJobError(forecastId, period, { doubts, sentAt })
  return undefined
}

export interface Wanted extends WantedExport {
  /** Earliest startTime (server clock) our job can have; undefined when no Date was seen. */
  notBefore?: number
}

/**
 * Whether a listed job is provably the one our lost create made, provably not, or may be: it
 * must be this period's export (`exportIdentity`) and have started after the create was sent.
 * One that may be says which of the two the list leaves unproven, for the user to check.
 */
export function provenance(
  job: ExportJob,
  want: Wanted
): 'ours' | 'not-ours' | Omit<JobDoubt, 'jobId'> {
  if (job.jobId === undefined) return 'not-ours'
  const started = job.startTime
  if (started !== undefined && want.notBefore !== undefined && started < want.notBefore) {
    return 'not-ours'
  }
  const named = exportIdentity(job, want)
  if (named === 'no') return 'not-ours'
  const undated =
    want.notBefore === undefined
      ? 'no-date-header'
      : started === undefined
        ? 'no-start-time'
        : undefined
  if (named === 'yes' && undated === undefined) return 'ours'
  return undated === undefined ? { unnamed: true } : { unnamed: named === 'unknown', undated }
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
        detail: `Clari's export slots are full; waiting for one of the ${plural(running, 'job')} of this run to finish`
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
