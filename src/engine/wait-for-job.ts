import type { CallContext, ClariClient } from '../clari/client.js'
import { jobPhase, type ExportJob } from '../clari/types.js'
import type { Clock } from '../retry/clock.js'
import { JobFailedError, JobTimeoutError } from './errors.js'
import type { EventSink } from './events.js'
import type { PollSchedule } from './poll-schedule.js'

// Bounds on a server-sent Retry-After on a 2xx status answer (the Azure LRO convention).
const HINT_MIN_MS = 1_000
const HINT_MAX_MS = 120_000

export interface PollStats {
  statusPolls: number
  /** Monotonic time the job was first seen running (or done), if it was. */
  runningAt?: number
}

/**
 * Polls a job until it is DONE (resolves with the job) or fails, times out or is cancelled
 * (throws). There is no check at t = 0: a job just created is never already done.
 */
export async function waitForJob(
  client: ClariClient,
  jobId: string,
  period: string,
  schedule: PollSchedule,
  ctx: CallContext & { clock: Clock; onEvent: EventSink; stats: PollStats; startedAt: number }
): Promise<ExportJob> {
  const { clock, stats } = ctx
  const unknownSeen = new Set<string>()
  let lastStatus: string | undefined
  let planned = schedule.delayBefore(0, clock.now() - ctx.startedAt)
  for (let k = 0; ; k++) {
    const left = ctx.deadline - clock.now()
    const last = planned >= left
    await clock.sleep(Math.max(0, Math.min(planned, left)), ctx.signal)
    const reply = await client.getJob(jobId, ctx)
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
    const elapsedMs = clock.now() - ctx.startedAt
    if (phase === 'done') {
      schedule.jobDone?.(jobDuration(job) ?? elapsedMs)
      ctx.onEvent({ type: 'status', period, jobId, status, poll: k + 1, elapsedMs })
      return job
    }
    if (phase === 'failed') {
      ctx.onEvent({ type: 'status', period, jobId, status, poll: k + 1, elapsedMs })
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
      poll: k + 1,
      elapsedMs,
      nextCheckMs: planned
    })
  }
}

/** Clari's own measure of the job (both stamps on its clock), free of our detection delay. */
function jobDuration(job: ExportJob): number | undefined {
  const { startTime, endTime } = job
  if (typeof startTime !== 'number' || typeof endTime !== 'number') return undefined
  const ms = endTime - startTime
  return Number.isFinite(ms) && ms > 0 ? ms : undefined
}

function isDocumentedRunning(status: string): boolean {
  return status === 'SCHEDULED' || status === 'STARTED'
}
