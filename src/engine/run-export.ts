import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { CallContext } from '../clari/client.js'
import { ClariApiError } from '../clari/errors.js'
import type { CreateExportBody } from '../clari/types.js'
import { cleanServerText, withoutSecret } from '../clari/untrusted-text.js'
import { CancelledError } from '../retry/abort.js'
import { systemClock } from '../retry/clock.js'
import { RetryBudgetError, type RetryWait } from '../retry/retry.js'
import { createClient } from './client-factory.js'
import type { EngineDeps } from './deps.js'
import type { ExportConfig } from './config.js'
import { JobFailedError, JobTimeoutError, QuotaError } from './errors.js'
import type { ExportEvent } from './events.js'
import { payloadFileName, writeManifest } from './manifest.js'
import type { Manifest, PeriodOutcome, PeriodStatus } from './outcome.js'
import { writePayload } from './payload-file.js'
import { defaultPollSchedule } from './poll-schedule.js'
import { startJob } from './start-job.js'
import { writeTables } from './tables/write-tables.js'
import { waitForJob, type PollStats } from './wait-for-job.js'

export type { EngineDeps }

export interface RunReport {
  manifest: Manifest
  manifestPath: string
  exported: PeriodOutcome[]
  failed: PeriodOutcome[]
  /** HTTP attempts made against Clari. */
  requestCount: number
}

// Time allowed for the cancel PATCH when the run itself is being cancelled (the runner
// escalates SIGINT to SIGTERM after 7.5 s).
const CANCEL_GRACE_MS = 5_000
// Longest error text that goes into an event, the manifest or a log line.
const MAX_ERROR_CHARS = 600

/**
 * Exports each period in order, one job at a time, writing each payload as it finishes and the
 * manifest after every period, so nothing that finished is ever lost to a later failure.
 */
export async function runExport(config: ExportConfig, deps: EngineDeps = {}): Promise<RunReport> {
  const clock = deps.clock ?? systemClock
  const random = deps.random ?? Math.random
  const signal = deps.signal ?? new AbortController().signal
  const sink = deps.onEvent ?? (() => {})
  // The client masks the key in what Clari sends; this is the last line, for everything else.
  const onEvent = (event: ExportEvent): void => sink(withoutSecret(event, config.apiKey))
  const { timing } = config
  const intervals = {
    initialMs: timing.pollIntervalMs,
    factor: 1.5,
    maxMs: timing.maxPollIntervalMs
  }
  const schedules = deps.pollSchedule ?? defaultPollSchedule(intervals, random)
  const client = createClient(config, deps)
  const safeText = (text: string): string =>
    cleanServerText(withoutSecret(text, config.apiKey), MAX_ERROR_CHARS)

  await mkdir(config.outputDir, { recursive: true })
  const manifest: Manifest = {
    forecastId: config.forecastId,
    startedAt: new Date(clock.wallNow()).toISOString(),
    finishedAt: '',
    exports: []
  }
  const ownedJobIds = new Set<string>()
  const durations: number[] = []
  let stopReason: { status: PeriodStatus; error: string } | undefined
  // Set when no later period can succeed either (quota used up, key rejected).
  let runWideFailure: string | undefined
  let manifestPath = ''

  try {
    // A cancel during the start delay leaves every period "not started", as below.
    await clock.sleep(deps.startDelayMs ?? 0, signal).catch(() => {})
    for (const [index, period] of config.periods.entries()) {
      let outcome: PeriodOutcome
      if (signal.aborted)
        stopReason ??= { status: 'CANCELLED', error: 'not started: the run was cancelled' }
      if (stopReason) {
        outcome = { ...emptyOutcome(period), ...stopReason }
      } else {
        onEvent({ type: 'period-started', period, index, total: config.periods.length })
        outcome = await exportPeriod(period)
        if (outcome.status === 'DONE') durations.push(outcome.durationMs)
        if (runWideFailure) {
          // Creating more jobs would only fail the same way (and spend requests doing so).
          stopReason = { status: 'ERROR', error: `not started: ${runWideFailure}` }
        } else if (outcome.status !== 'DONE' && config.failFast) {
          stopReason = {
            status: 'CANCELLED',
            error: `not started: fail-fast after ${period} failed`
          }
        }
      }
      outcome = withoutSecret(outcome, config.apiKey)
      manifest.exports.push(outcome)
      onEvent({ type: 'period-finished', outcome })
      manifestPath = await saveManifest()
    }
  } finally {
    client.close()
  }
  manifestPath = await saveManifest()
  return {
    manifest,
    manifestPath,
    exported: manifest.exports.filter(o => o.status === 'DONE'),
    failed: manifest.exports.filter(o => o.status !== 'DONE'),
    requestCount: client.requestCount
  }

  async function saveManifest(): Promise<string> {
    manifest.finishedAt = new Date(clock.wallNow()).toISOString()
    return writeManifest(config.outputDir, manifest)
  }

  async function exportPeriod(period: string): Promise<PeriodOutcome> {
    const outcome = emptyOutcome(period)
    const startedAt = clock.now()
    const stats: PollStats = { statusPolls: 0 }
    const iso = (): string => new Date(clock.wallNow()).toISOString()
    const onWait = (wait: RetryWait): void => {
      if (wait.kind === 'throttle') outcome.throttleWaits++
      onEvent({
        type: 'waiting',
        period,
        reason: wait.kind === 'throttle' ? 'throttled' : 'transient-error',
        waitMs: wait.waitMs,
        detail: safeText(describe(wait.error))
      })
    }
    const ctx: CallContext = { signal, deadline: startedAt + timing.jobTimeoutMs, onWait }
    const body: CreateExportBody = { ...config.request, timePeriod: period }
    try {
      const created = await startJob(client, config.forecastId, body, {
        ...ctx,
        clock,
        random,
        onEvent,
        slotWait: intervals,
        ownedJobIds
      })
      outcome.jobId = created.jobId
      outcome.timeline.createdAt = iso()
      ownedJobIds.add(created.jobId)
      onEvent({ type: 'job-created', period, jobId: created.jobId, adopted: created.adopted })

      const job = await waitForJob(client, created.jobId, period, schedules(durations), {
        ...ctx,
        clock,
        onEvent,
        stats,
        startedAt
      })
      outcome.timeline.doneAt = iso()
      outcome.rowsTruncated = job.rowsTruncated === true
      outcome.cellsTruncated = job.cellsTruncated === true
      if (outcome.rowsTruncated || outcome.cellsTruncated) {
        onEvent({ type: 'warning', period, message: 'Clari truncated this export (rows or cells)' })
      }
      const file = payloadFileName(config.forecastId, period, config.exportFormat)
      const written = await client.downloadResults(
        created.jobId,
        res => writePayload(res, config.outputDir, file, { format: config.exportFormat, period }),
        ctx
      )
      Object.assign(outcome, { status: 'DONE', file, ...written })
      outcome.timeline.downloadedAt = iso()
      if (config.tables !== 'none') {
        // A failure here makes the period ERROR below; the payload stays (file is already set).
        const { forecastId, outputDir, tables: format } = config
        const payload = path.join(outputDir, file)
        outcome.tables = await writeTables(payload, {
          outputDir,
          forecastId,
          period,
          format,
          signal
        })
      }
    } catch (error) {
      Object.assign(outcome, failure(error))
      outcome.error = safeText(outcome.error ?? '')
      // Free Clari's slot and quota for a job we abandon; one that ended on its own needs nothing.
      const abandoned =
        signal.aborted || (error instanceof JobTimeoutError && config.cancelOnTimeout)
      if (outcome.jobId && abandoned) await cancelJob(period, outcome.jobId)
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
    return outcome

    function failure(error: unknown): Partial<PeriodOutcome> {
      if (signal.aborted || error instanceof CancelledError) {
        return { status: 'CANCELLED', error: 'the run was cancelled' }
      }
      if (error instanceof JobFailedError) {
        const known = ['FAILED', 'CANCELLED', 'ABORTED'].includes(error.status)
        return { status: (known ? error.status : 'FAILED') as PeriodStatus, error: error.message }
      }
      if (error instanceof JobTimeoutError) return { status: 'TIMED_OUT', error: error.message }
      if (error instanceof QuotaError) runWideFailure = error.message
      const api = error instanceof RetryBudgetError ? error.cause : error
      // The gateway's 401 (no Clari code) means the key itself is bad or revoked.
      if (api instanceof ClariApiError && api.status === 401 && !api.code) {
        runWideFailure = 'Clari rejected the API key (HTTP 401); check the api-key secret'
      }
      if (api instanceof ClariApiError) {
        return {
          status: 'ERROR',
          error: describe(error),
          errorCode: api.code,
          errorId: api.errorId
        }
      }
      return { status: 'ERROR', error: describe(error) }
    }
  }

  async function cancelJob(period: string, jobId: string): Promise<void> {
    const grace = AbortSignal.timeout(CANCEL_GRACE_MS)
    const result = await client
      .cancelJob(jobId, { signal: grace, deadline: clock.now() + CANCEL_GRACE_MS })
      .catch((error: unknown) => `cancel failed: ${safeText(describe(error))}`)
    onEvent({ type: 'job-cancelled', period, jobId, result })
  }
}

function emptyOutcome(period: string): PeriodOutcome {
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
