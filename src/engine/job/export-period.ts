import path from 'node:path'
import type { CallContext, ClariClient } from '../../clari/client.js'
import { ClariApiError, InterruptedCreateError } from '../../clari/errors.js'
import { retryRule } from '../../clari/retry-rules.js'
import { jobPhase, type CreateExportBody, type ExportJob } from '../../clari/types.js'
import { CancelledError, linkedAbort } from '../../base/abort.js'
import type { PollIntervals } from '../../retry/backoff.js'
import { whileBusy, type Clock, type Random } from '../../base/clock.js'
import type { RetryWait } from '../../retry/retry.js'
import type { ExportConfig } from '../config.js'
import { PayloadError } from '../errors.js'
import { downloadPayload } from './download.js'
import type { EventSink } from '../events.js'
import type { SnapshotIdentity } from '../table-layout.js'
import { classifyFailure, type FailureVerdict } from './failure.js'
import { payloadFileName } from '../manifest.js'
import type { PeriodOutcome } from '../outcome.js'
import type { PollScheduleFactory } from '../deps.js'
import type { DurationPrediction } from '../durations.js'
import { jobDuration } from '../clari-job.js'
import { NotStartedError, type Lease, type RunSlots } from './slots.js'
import { exportIdentity } from './job-identity.js'
import { findCreatedJob, startJob, type SlotControl } from './start-job.js'
import { openTables } from '../tables/worker-tables.js'
import type { TablesOfPeriod } from '../tables/write-tables.js'
import { snapshotTime } from './snapshot-time.js'
import { waitForJob, type PollStats } from './wait-for-job.js'
import { plural } from '../units.js'

// Time allowed for a cancel's requests (the PATCH, after an interrupted create the job list
// first), on the grace clock (real time): when the run itself is being cancelled the runner
// escalates SIGINT to SIGTERM after 7.5 s.
const CANCEL_GRACE_MS = 5_000

/** What every period of a run shares: one client, one clock, one schedule that learns. */
export interface RunContext {
  config: ExportConfig
  client: ClariClient
  clock: Clock
  /**
   * Times a cancel's grace: real time in production whatever `clock` is, since a virtual clock
   * stands still while a cancel that Clari does not answer is in flight.
   */
  graceClock: Clock
  random: Random
  /** Masks the key in everything it passes on. */
  onEvent: EventSink
  schedules: PollScheduleFactory
  /** How long the run's finished periods took (the poll schedule's fallback history). */
  durations: number[]
  /** How long earlier runs say each period's job takes, for the periods they know. */
  predictions: ReadonlyMap<string, DurationPrediction>
  /** Jobs this run owns, which reconciling an ambiguous create must never adopt again. */
  ownedJobIds: Set<string>
  scheduler: RunSlots
  /** Jobs of this run running at Clari now, by period (for the in-flight lines). */
  inFlight: Map<string, string>
  intervals: PollIntervals
  /** An error's message, key masked, cleaned and cut for logs and the manifest. */
  describe(error: unknown): string
}

/** One period to export. */
export interface PeriodTask {
  period: string
  /**
   * A job an earlier attempt left unfinished, or a ledger's DONE job (with the sha256 its results
   * must hash to), to ask about before creating a new one.
   */
  earlierJob?: { jobId: string; attempt: number; sha256?: string; fromRun?: string }
  /** Aborts on cancellation of the run, or when fail-fast cancels the periods in flight. */
  signal: AbortSignal
}

export interface PeriodResult {
  outcome: PeriodOutcome
  /** Set when the period failed: what the run must do about it. */
  verdict?: FailureVerdict
}

/**
 * Exports one period on a granted slot: takes over the earlier attempt's job or creates one,
 * polls it, downloads the payload. Never throws; a failure becomes the outcome, and a job it
 * abandons while it may still run is cancelled.
 */
export async function exportPeriod(
  run: RunContext,
  task: PeriodTask,
  lease: Lease
): Promise<PeriodResult> {
  const { config, client, clock } = run
  const { period, signal } = task
  const outcome = emptyOutcome(period)
  let startedAt = clock.now()
  let createdAfter: number | undefined
  let tables: TablesOfPeriod | undefined
  const stats: PollStats = { statusPolls: 0 }
  let jobRunning = false
  // Set while an earlier job's results download: a refusal then means "export it anew".
  let downloadingEarlier = false
  const iso = (): string => new Date(clock.wallNow()).toISOString()
  const onWait = (wait: RetryWait): void => {
    if (wait.kind === 'throttle') outcome.throttleWaits++
    run.onEvent({
      type: 'waiting',
      period,
      reason: wait.kind === 'throttle' ? 'throttled' : 'transient-error',
      waitMs: wait.waitMs,
      detail: run.describe(wait.error)
    })
  }
  const deadline = (): number => startedAt + config.timing.jobTimeoutMs
  // What every wait of the period shares; the deadline moves once, at the create.
  const waits = () => ({
    signal,
    deadline: deadline(),
    onWait,
    clock,
    random: run.random,
    onEvent: run.onEvent
  })
  // What the loops that keep trying until the deadline (polling, downloading) add to that.
  const persistence = () => ({
    ...waits(),
    startedAt,
    intervals: run.intervals,
    limits: config.clari,
    describe: run.describe
  })
  const jobStarted = (jobId: string): void => {
    outcome.jobId = jobId
    jobRunning = true
    run.ownedJobIds.add(jobId)
    lease.jobStarted()
    run.inFlight.set(period, jobId)
    flightEvent(run, period, jobId, 'started')
  }
  const jobEnded = (): void => {
    if (!jobRunning) return
    jobRunning = false
    lease.jobEnded()
    run.inFlight.delete(period)
    flightEvent(run, period, outcome.jobId!, 'ended')
  }

  try {
    let job: ExportJob | undefined
    if (task.earlierJob) {
      const { jobId, attempt } = task.earlierJob
      // Recorded before asking: a run cancelled now still leaves the job to the next attempt.
      outcome.jobId = jobId
      const found = await askAboutEarlierJob(run, period, jobId, {
        signal,
        deadline: deadline(),
        onWait
      })
      if (found) {
        outcome.repolledFromAttempt = attempt
        if (task.earlierJob.fromRun) outcome.jobFromRun = task.earlierJob.fromRun
        jobStarted(jobId)
        if (found.phase === 'done') job = found.job
      } else {
        delete outcome.jobId
      }
    }
    if (!jobRunning) {
      // Our creates go to Clari one at a time, this one too when it comes after the period let
      // the next one start (its earlier job's results gone).
      await lease.createTurn(signal)
      const body: CreateExportBody = { ...config.request, timePeriod: period }
      createdAfter = clock.wallNow()
      const created = await startJob(client, config.forecastId, body, {
        ...waits(),
        slotWait: run.intervals,
        ownedJobIds: run.ownedJobIds,
        slot: slotControl(run, signal)
      })
      // job-timeout counts from the create, whatever waiting for a slot took.
      startedAt = clock.now()
      outcome.timeline.createdAt = iso()
      run.onEvent({ type: 'job-created', period, jobId: created.jobId, adopted: created.adopted })
      jobStarted(created.jobId)
    }
    const jobId = outcome.jobId!
    const others = run.inFlight.size - 1
    // A job taken over from an earlier attempt started before this clock did: nothing to aim at.
    const predicted = outcome.repolledFromAttempt ? undefined : run.predictions.get(period)
    const schedule = run.schedules(run.durations, others, predicted)
    job ??= await waitForJob(client, jobId, period, schedule, { ...persistence(), stats })
    jobEnded()
    const jobMs = jobDuration(job)
    if (jobMs !== undefined) outcome.jobDurationMs = jobMs
    const seenDoneAt = clock.wallNow()
    outcome.timeline.doneAt = new Date(seenDoneAt).toISOString()
    const snapshotAt = snapshotTime(job, {
      seenDoneAt,
      createdAfter,
      serverAheadMs: client.serverClockAheadMs
    })
    outcome.snapshotAt = snapshotAt
    outcome.rowsTruncated = job.rowsTruncated === true
    outcome.cellsTruncated = job.cellsTruncated === true
    warnIfTruncated(outcome, run.onEvent)
    const file = payloadFileName(config.forecastId, period, config.exportFormat)
    // The tables are made as the payload downloads: its bytes are read once.
    tables = periodTables(config, period, { jobId, snapshotAt }, signal)
    downloadingEarlier = outcome.repolledFromAttempt !== undefined
    const expected = downloadingEarlier ? task.earlierJob?.sha256 : undefined
    const written = await downloadPayload(
      client,
      jobId,
      {
        dir: config.outputDir,
        fileName: file,
        format: config.exportFormat,
        period,
        maxBytes: config.maxPayloadBytes,
        ...(expected !== undefined ? { sha256: expected } : {}),
        onEvent: run.onEvent,
        ...(tables ? { tap: () => tables!.forDownload() } : {})
      },
      persistence()
    )
    const downloaded = Object.assign(outcome, {
      status: 'DONE' as const,
      file,
      jobId,
      snapshotAt,
      ...written
    })
    outcome.timeline.downloadedAt = iso()
    // A failure here fails the period below; its payload stays (`file` is set).
    await addTables(downloaded, config, { clock, signal, onEvent: run.onEvent }, tables)
    return { outcome }
  } catch (error) {
    await tables?.discard()
    const gone = downloadingEarlier && !signal.aborted ? notServedAnyMore(error) : undefined
    if (gone !== undefined) {
      // Clari no longer serves what the earlier run got (results expire after about 30 days):
      // the period is exported anew, as if the earlier job had never been named.
      run.onEvent({
        type: 'earlier-job',
        period,
        jobId: outcome.jobId!,
        found: `${gone}; creating a new job`
      })
      const anew = await exportPeriod(run, { period, signal }, lease)
      anew.outcome.anewBecause = gone
      return anew
    }
    const verdict = classifyFailure(error, {
      period,
      abortReason: signal.aborted ? signal.reason : undefined,
      cancelOnTimeout: config.cancelOnTimeout,
      failFast: config.failFast,
      jobRunning,
      keySource: config.keySource
    })
    outcome.status = verdict.status
    outcome.error = run.describe(verdict.error)
    if (verdict.errorCode !== undefined) outcome.errorCode = verdict.errorCode
    if (verdict.errorId !== undefined) outcome.errorId = verdict.errorId
    if (outcome.jobId && jobRunning && verdict.cancelJob) {
      outcome.jobCancelled = await withinGrace(run, grace =>
        cancelJob(run, period, outcome.jobId!, grace)
      )
    } else if (error instanceof InterruptedCreateError) {
      Object.assign(outcome, await cancelInterruptedCreate(run, period, error.sentAt))
    }
    jobEnded()
    return { outcome, verdict }
  } finally {
    outcome.statusPolls = stats.statusPolls
    outcome.durationMs = Math.round(clock.now() - startedAt)
    outcome.timeline.endedAt = iso()
    if (stats.runningAt !== undefined) {
      outcome.timeline.runningAt = new Date(
        clock.wallNow() - (clock.now() - stats.runningAt)
      ).toISOString()
    }
  }
}

/**
 * Why an earlier job's results cannot be taken (Clari answers 404 or 410 for them: expired or
 * gone; or they do not hash to the sha256 recorded for them), or undefined for any other failure.
 */
function notServedAnyMore(error: unknown): string | undefined {
  if (error instanceof ClariApiError && (error.status === 404 || error.status === 410)) {
    return `Clari no longer serves its results (HTTP ${error.status})`
  }
  if (error instanceof PayloadError && /sha256/.test(error.message)) {
    return 'its results do not match the sha256 recorded for them'
  }
  return undefined
}

/** A truncated export is kept, with a warning: downloaded now or reused from an earlier run. */
export function warnIfTruncated(
  outcome: Pick<PeriodOutcome, 'period' | 'rowsTruncated' | 'cellsTruncated'>,
  onEvent: EventSink
): void {
  if (!outcome.rowsTruncated && !outcome.cellsTruncated) return
  onEvent({
    type: 'warning',
    period: outcome.period,
    message: 'Clari truncated this export (rows or cells)'
  })
}

/** The tables of one period's payload, when the `tables` input asks for them. */
function periodTables(
  config: ExportConfig,
  period: string,
  snapshot: SnapshotIdentity,
  signal: AbortSignal
): TablesOfPeriod | undefined {
  if (config.tables === 'none') return undefined
  const { forecastId, outputDir, tables: format, csvFormulaGuard } = config
  return openTables({
    outputDir,
    forecastId,
    period,
    snapshot,
    format,
    csvFormulaGuard,
    signal
  })
}

/**
 * Completes the tables of the outcome's payload on disk (those its download began, or all of them
 * from the file) and records them in it, when the `tables` input asks. Throws TablesError.
 */
export async function addTables(
  outcome: PeriodOutcome & { file: string; jobId: string; snapshotAt: string },
  config: ExportConfig,
  ctx: { clock: Clock; signal: AbortSignal; onEvent: EventSink },
  tables = periodTables(config, outcome.period, outcome, ctx.signal)
): Promise<void> {
  if (tables === undefined) return
  const { period, file } = outcome
  const result = await whileBusy(ctx.clock, () => tables.finish(path.join(config.outputDir, file)))
  outcome.tables = result.tables
  if (result.duplicateKeys !== undefined) outcome.duplicateKeys = result.duplicateKeys
  outcome.invalidText = result.repairedText
  for (const message of result.warnings) ctx.onEvent({ type: 'warning', period, message })
}

/**
 * Asks once (with the usual retries) about a job an earlier attempt's manifest names. It is taken
 * over only when Clari's answer proves it this run's export of the period (`exportIdentity`, the
 * rule a lost create's job is adopted by): the manifest is a file anyone could have changed, and
 * a job it names may be a colleague's. DONE or still running means it is taken over; a job Clari
 * ended, does not know, cannot answer about, or describes as another export means a new one is
 * created, and the job named is neither downloaded nor cancelled.
 */
async function askAboutEarlierJob(
  run: RunContext,
  period: string,
  jobId: string,
  ctx: { signal: AbortSignal; deadline: number; onWait: (wait: RetryWait) => void }
): Promise<{ phase: 'done' | 'running'; job?: ExportJob } | undefined> {
  const report = (found: string): void => run.onEvent({ type: 'earlier-job', period, jobId, found })
  let job: ExportJob
  try {
    ;({ job } = await run.client.getJob(jobId, ctx))
  } catch (error) {
    if (ctx.signal.aborted) throw error
    const why =
      error instanceof ClariApiError && retryRule('status', error).verdict === 'fatal'
        ? `Clari does not know it (HTTP ${error.status})`
        : `no answer (${run.describe(error)}), so it cannot be proven this run's`
    report(`${why}; creating a new job`)
    return undefined
  }
  const { forecastId } = run.config
  const identity =
    job.jobId === undefined || job.jobId === jobId
      ? exportIdentity(job, { forecastId, period, owned: run.ownedJobIds })
      : 'no'
  if (identity !== 'yes') {
    const why =
      identity === 'no'
        ? `Clari describes another export than ${forecastId} ${period}`
        : `Clari's answer does not show that it exports ${forecastId} ${period}`
    report(`${why}; leaving it alone and creating a new job`)
    return undefined
  }
  const phase = jobPhase(job.status)
  const status = job.status ?? 'unknown'
  if (phase === 'failed') {
    report(`it ended ${status} at Clari; creating a new job`)
    return undefined
  }
  report(phase === 'done' ? 'it is DONE; downloading it' : `it is ${status}; polling it`)
  return phase === 'done' ? { phase, job } : { phase }
}

/** The scheduler as start-job sees it: how many of ours run, and how to wait for a free slot. */
function slotControl(run: RunContext, signal: AbortSignal): SlotControl {
  const { scheduler } = run
  return {
    othersRunning: () => scheduler.jobsRunning,
    async waitForOneOfOurs(running) {
      if (scheduler.limit !== running) {
        scheduler.setLimit(running)
        run.onEvent({
          type: 'concurrency',
          limit: scheduler.limit,
          detail: `Clari had only ${plural(running, 'slot')} free for this run`
        })
      }
      await scheduler.whenJobEnded(scheduler.jobsEnded, signal)
      // The run stopped creating jobs meanwhile (no quota left, the key rejected).
      if (scheduler.stopped) throw new NotStartedError(scheduler.stopped)
    },
    alone() {
      if (scheduler.limit === 1) return
      scheduler.setLimit(1)
      run.onEvent({
        type: 'concurrency',
        limit: 1,
        detail: "every Clari export slot is held by others' jobs"
      })
    }
  }
}

/**
 * Runs a cancel's requests within the grace, timed on the grace clock (real time whatever clock
 * the run uses): when the run itself is being cancelled, the runner's SIGTERM does not wait.
 */
async function withinGrace<T>(
  run: RunContext,
  work: (grace: CallContext) => Promise<T>
): Promise<T> {
  const { clock, graceClock } = run
  // Follows no signal (the run's may have aborted already): only the grace ends the cancel. Its
  // timer, a sleep the event loop holds, is stopped when the work ends.
  const grace = linkedAbort(new AbortController().signal, {
    clock: graceClock,
    at: graceClock.now() + CANCEL_GRACE_MS
  })
  try {
    return await work({ signal: grace.controller.signal, deadline: clock.now() + CANCEL_GRACE_MS })
  } finally {
    grace.dispose()
  }
}

async function cancelJob(
  run: RunContext,
  period: string,
  jobId: string,
  grace: CallContext
): Promise<boolean> {
  try {
    const result = await run.client.cancelJob(jobId, grace)
    run.onEvent({ type: 'job-cancelled', period, jobId, result })
    return result === 'cancelled'
  } catch (error) {
    const reason = error instanceof CancelledError ? 'no answer within the grace' : error
    run.onEvent({
      type: 'job-cancelled',
      period,
      jobId,
      result: `cancel failed: ${run.describe(reason)}`
    })
    return false
  }
}

/**
 * The run was cancelled while a create request was on its way, so Clari may have made the job
 * all the same: within the grace, the job list is asked for it and a job it proves ours is
 * cancelled, and recorded either way. One it cannot prove is named in a warning.
 */
async function cancelInterruptedCreate(
  run: RunContext,
  period: string,
  sentAt: number
): Promise<Pick<PeriodOutcome, 'jobId' | 'jobCancelled'>> {
  return withinGrace(run, async grace => {
    let jobId: string | undefined
    try {
      const { client, config, ownedJobIds } = run
      jobId = await findCreatedJob(client, config.forecastId, period, sentAt, {
        ...grace,
        ownedJobIds
      })
    } catch (error) {
      const why = error instanceof CancelledError ? 'no answer within the grace' : error
      run.onEvent({
        type: 'warning',
        period,
        message: `the run was cancelled while its create request was on its way; Clari may have made a job all the same, which could not be found in its job list (${run.describe(why)})`
      })
      return {}
    }
    if (jobId === undefined) return {}
    return { jobId, jobCancelled: await cancelJob(run, period, jobId, grace) }
  })
}

function flightEvent(
  run: RunContext,
  period: string,
  jobId: string,
  change: 'started' | 'ended'
): void {
  run.onEvent({ type: 'jobs-in-flight', period, jobId, change, inFlight: [...run.inFlight.keys()] })
}

export function emptyOutcome(period: string): PeriodOutcome {
  return {
    period,
    status: 'ERROR',
    durationMs: 0,
    statusPolls: 0,
    throttleWaits: 0,
    rowsTruncated: false,
    cellsTruncated: false,
    timeline: {}
  }
}
