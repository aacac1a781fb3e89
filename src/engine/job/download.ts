import type { ClariClient } from '../../clari/client.js'
import { retryRule } from '../../clari/retry-rules.js'
import { DeadlineError, linkedAbort } from '../../base/abort.js'
import type { PollIntervals } from '../../retry/backoff.js'
import type { Clock, Random } from '../../base/clock.js'
import { LoopMisses, missWait, type RetryLimits, type RetryWait } from '../../retry/retry.js'
import { JobTimeoutError } from '../errors.js'
import {
  writePayload,
  type PayloadExpectation,
  type WrittenPayload
} from '../checks/payload-file.js'

export interface DownloadContext {
  clock: Clock
  random: Random
  signal: AbortSignal
  /** The period's deadline: the whole exchange, every retry and a slow body included, ends by it. */
  deadline: number
  startedAt: number
  intervals: PollIntervals
  limits: Pick<RetryLimits, 'maxRetryAfterMs'>
  onWait: (wait: RetryWait) => void
  describe(error: unknown): string
}

export interface PayloadTarget extends Omit<PayloadExpectation, 'contentType'> {
  dir: string
  fileName: string
}

/**
 * Downloads a DONE job's results into the output folder. The job's work is done and paid for,
 * so a broken transfer, a throttle or an outage is tried again, backing off up to
 * max-poll-interval, for as long as the period's deadline allows; only an answer that rules the
 * download out (a 4xx, a payload for another period) ends it sooner.
 */
export async function downloadPayload(
  client: ClariClient,
  jobId: string,
  target: PayloadTarget,
  ctx: DownloadContext
): Promise<WrittenPayload> {
  const { clock } = ctx
  const bounded = linkedAbort(ctx.signal, { clock, at: ctx.deadline })
  const signal = bounded.controller.signal
  const timedOut = (lastError?: string): JobTimeoutError =>
    new JobTimeoutError(jobId, 'DONE', clock.now() - ctx.startedAt, 'download', lastError)
  let lastError: string | undefined
  const misses = new LoopMisses()
  try {
    for (;;) {
      try {
        return await client.downloadResults(
          jobId,
          (body, contentType) =>
            writePayload(body, target.dir, target.fileName, { ...target, contentType }),
          { signal, deadline: ctx.deadline, once: true }
        )
      } catch (error) {
        if (ctx.signal.aborted) throw error
        if (signal.reason instanceof DeadlineError) throw timedOut(lastError)
        const failure = retryRule('results', error)
        if (!misses.miss(failure)) throw error
        lastError = ctx.describe(error)
        const waitMs = missWait(failure, misses.inARow, 0, ctx.intervals, ctx.limits, ctx.random)
        if (clock.now() + waitMs >= ctx.deadline) throw timedOut(lastError)
        ctx.onWait({ kind: failure.verdict, waitMs, error })
        await clock.sleep(waitMs, ctx.signal)
      }
    }
  } finally {
    bounded.dispose()
  }
}
