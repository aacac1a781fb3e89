import type { CallContext, ClariClient } from '../../clari/client.js'
import { retryRule } from '../../clari/retry-rules.js'
import { jobPhase, type ExportJob } from '../../clari/types.js'
import type { PollIntervals } from '../../retry/backoff.js'
import { DeadlineError, linkedAbort } from '../../base/abort.js'
import type { Clock, Random } from '../../base/clock.js'
import { LoopMisses, missWait, type RetryLimits } from '../../retry/retry.js'
import { jobDuration } from '../clari-job.js'
import { JobFailedError, JobTimeoutError } from '../errors.js'
import type { EventSink } from '../events.js'
import type { PollSchedule } from '../deps.js'

// Bounds on a server-sent Retry-After on a 2xx status answer (the Azure LRO convention).
const HINT_MIN_MS = 1_000
const HINT_MAX_MS = 120_000

export interface PollStats {
  statusPolls: number
  /** Monotonic time the job was first seen running (or done), if it was. */
  runningAt?: number
}

export interface WaitContext extends Required<Pick<CallContext, 'signal' | 'deadline' | 'onWait'>> {
  clock: Clock
  random: Random
  onEvent: EventSink
  stats: PollStats
  /** Monotonic time the job was created (or, for a job of an earlier attempt, first asked about). */
  startedAt: number
  /** Backoff while status checks fail, up to max-poll-interval. */
  intervals: PollIntervals
  limits: Pick<RetryLimits, 'maxRetryAfterMs'>
  /** Cleans an error's text for events and the manifest. */
  describe(error: unknown): string
}

/**
 * Polls a job until it is DONE (resolves with the job) or fails, times out or is cancelled
 * (throws). There is no check at t = 0: a job just created is never already done.
 *
 * A job that exists at Clari is the most expensive thing a run holds, so a failed check does not
 * end the period: what the retry rules (clari/retry-rules.ts) retry or throttle is a missed check,
 * and the loop goes on on its own schedule, backing off up to max-poll-interval, until
 * job-timeout. Only an answer they do not retry (a 4xx: the job is gone or not ours), or one past
 * its per-loop cap, ends it early.
 */
export async function waitForJob(
  client: ClariClient,
  jobId: string,
  period: string,
  schedule: PollSchedule,
  ctx: WaitContext
): Promise<ExportJob> {
  const { clock, stats } = ctx
  const unknownSeen = new Set<string>()
  let lastStatus: string | undefined
  let lastError: string | undefined
  const misses = new LoopMisses()
  let planned = schedule.delayBefore(0, clock.now() - ctx.startedAt)
  for (let k = 0; ; k++) {
    let last = planned >= ctx.deadline - clock.now()
    let wakeAt = Math.min(clock.now() + planned, ctx.deadline)
    // A job of the run that finished meanwhile may move this check: plan it again from now
    // (not while backing off through an outage, which must not speed up).
    while (await sleepUnlessTaught(clock, wakeAt - clock.now(), schedule, ctx.signal)) {
      if (misses.inARow > 0) continue
      planned = schedule.delayBefore(k, clock.now() - ctx.startedAt)
      last = planned >= ctx.deadline - clock.now()
      wakeAt = Math.min(clock.now() + planned, ctx.deadline)
    }
    const elapsed = (): number => clock.now() - ctx.startedAt
    let reply
    try {
      reply = await client.getJob(jobId, { ...ctx, once: true })
    } catch (error) {
      // The table of retry rules decides: a missed check, or the end of the period.
      const failure = retryRule('status', error)
      if (ctx.signal.aborted || !misses.miss(failure)) throw error
      lastError = ctx.describe(error)
      if (last) throw new JobTimeoutError(jobId, lastStatus, elapsed(), 'job', lastError)
      const normal = schedule.delayBefore(k + 1, elapsed())
      planned = missWait(failure, misses.inARow, normal, ctx.intervals, ctx.limits, ctx.random)
      if (failure.verdict === 'throttle' && planned > ctx.deadline - clock.now()) {
        // The server asks for quiet past the deadline: honour it, and end the period there.
        await clock.sleep(Math.max(0, ctx.deadline - clock.now()), ctx.signal)
        throw new JobTimeoutError(jobId, lastStatus, elapsed(), 'job', lastError)
      }
      ctx.onWait({ kind: failure.verdict, waitMs: planned, error })
      continue
    }
    misses.hit()
    stats.statusPolls++
    const job = reply.job
    lastStatus = job.status
    const phase = jobPhase(job.status)
    if (phase !== 'running' || job.status === 'STARTED') stats.runningAt ??= clock.now()
    const status = job.status ?? 'unknown'
    if (phase === 'running' && !isDocumentedRunning(status) && !unknownSeen.has(status)) {
      unknownSeen.add(status)
      ctx.onEvent({ type: 'unknown-status', period, jobId, status })
    }
    const elapsedMs = elapsed()
    if (phase === 'done') {
      schedule.jobDone?.(jobDuration(job) ?? elapsedMs)
      ctx.onEvent({ type: 'status', period, jobId, status, poll: stats.statusPolls, elapsedMs })
      return job
    }
    if (phase === 'failed') {
      ctx.onEvent({ type: 'status', period, jobId, status, poll: stats.statusPolls, elapsedMs })
      throw new JobFailedError(jobId, status)
    }
    if (last) throw new JobTimeoutError(jobId, lastStatus, elapsedMs)
    planned =
      reply.retryAfter?.kind === 'delay'
        ? Math.min(HINT_MAX_MS, Math.max(HINT_MIN_MS, reply.retryAfter.ms))
        : schedule.delayBefore(k + 1, elapsedMs)
    ctx.onEvent({
      type: 'status',
      period,
      jobId,
      status,
      poll: stats.statusPolls,
      elapsedMs,
      nextCheckMs: planned
    })
  }
}

/** Sleeps `ms`; true when the schedule learned something first (the sleep is then over). */
async function sleepUnlessTaught(
  clock: Clock,
  ms: number,
  schedule: PollSchedule,
  signal: AbortSignal
): Promise<boolean> {
  if (!schedule.nextLesson || ms <= 0) {
    await clock.sleep(Math.max(0, ms), signal)
    return false
  }
  const race = linkedAbort(signal)
  try {
    return await Promise.race([
      clock.sleep(ms, race.controller.signal).then(() => false),
      schedule.nextLesson(race.controller.signal).then(() => true)
    ])
  } finally {
    race.controller.abort(new DeadlineError())
    race.dispose()
  }
}

function isDocumentedRunning(status: string): boolean {
  return status === 'SCHEDULED' || status === 'STARTED'
}
