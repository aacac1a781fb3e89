import { mkdir } from 'node:fs/promises'
import type { ClariClient } from '../../clari/client.js'
import type { ExportLimits } from '../../clari/types.js'
import { describeError, withoutSecret } from '../../clari/untrusted-text.js'
import { linkedAbort } from '../../base/abort.js'
import { pollDelay } from '../../retry/backoff.js'
import { systemClock, whileBusy, type Clock } from '../../base/clock.js'
import { createClient } from './client-factory.js'
import { MAX_CONCURRENCY, type ExportConfig } from '../config.js'
import type { EngineDeps } from '../deps.js'
import { isKeyRejected } from '../errors.js'
import type { ExportEvent } from '../events.js'
import {
  addTables,
  emptyOutcome,
  exportPeriod,
  warnIfTruncated,
  type RunContext
} from '../job/export-period.js'
import { FailFastError } from '../job/failure.js'
import { writeManifest } from '../manifest.js'
import { MANIFEST_TOOL, MANIFEST_VERSION, type Manifest, type PeriodOutcome } from '../outcome.js'
import { defaultPollSchedule } from '../job/poll-schedule.js'
import type { ResumeSource } from '../reruns/earlier-run.js'
import { resumeEarlier, type Resumed } from '../reruns/resume-earlier.js'
import { requestParameters } from '../reruns/resume.js'
import { learnDurations, type LearnedDurations } from './learn-durations.js'
import { isStopReason, PeriodScheduler, startOrder } from './scheduler.js'

export type { EngineDeps }

export interface RunReport {
  manifest: Manifest
  manifestPath: string
  exported: PeriodOutcome[]
  failed: PeriodOutcome[]
  /** HTTP attempts made against Clari. */
  requestCount: number
}

// Longest error text that goes into an event, the manifest or a log line.
const MAX_ERROR_CHARS = 600

/**
 * Exports every period: first takes over what an earlier run finished (no request for those),
 * then runs the rest on the scheduler's slots, one at a time or as many as Clari allows. Each
 * payload is written as it finishes and the manifest after every period, in input order, so
 * nothing that finished is ever lost to a later failure. `resumeFrom` says where an earlier run
 * may be found; nothing it holds can fail the run (see `resumeEarlier`). `fromLedger` (see
 * `resumeFromLedger`) is used where that finds nothing usable, or where there is no such source.
 */
export async function runExport(
  config: ExportConfig,
  deps: EngineDeps = {},
  resumeFrom?: ResumeSource,
  fromLedger?: Resumed
): Promise<RunReport> {
  const clock = deps.clock ?? systemClock
  const graceClock = deps.graceClock ?? systemClock
  const random = deps.random ?? Math.random
  const signal = deps.signal ?? new AbortController().signal
  const sink = deps.onEvent ?? (() => {})
  // The client masks the key in what Clari sends; this is the last line, for everything else.
  const { apiKey } = config.clari
  const onEvent = (event: ExportEvent): void => sink(withoutSecret(event, apiKey))
  const intervals = {
    initialMs: config.timing.pollIntervalMs,
    factor: 1.5,
    maxMs: config.timing.maxPollIntervalMs
  }
  const client = createClient(config, deps)
  const describe = (error: unknown): string => describeError(error, apiKey, MAX_ERROR_CHARS)

  await mkdir(config.outputDir, { recursive: true })
  const manifest: Manifest = {
    tool: MANIFEST_TOOL,
    manifestVersion: MANIFEST_VERSION,
    forecastId: config.forecastId,
    ...(config.run?.id !== undefined ? { runId: config.run.id } : {}),
    runAttempt: config.run?.attempt ?? 1,
    request: requestParameters(config),
    startedAt: new Date(clock.wallNow()).toISOString(),
    // Stryker disable next-line StringLiteral: every manifest write sets finishedAt first
    finishedAt: '',
    exports: []
  }
  const outcomes: (PeriodOutcome | undefined)[] = config.periods.map(() => undefined)
  // Manifest writes of concurrent periods go one after another, each with all that finished.
  // Stryker disable next-line StringLiteral: the chain's first value is never read
  let saving: Promise<string> = Promise.resolve('')
  const saveManifest = (): Promise<string> => {
    // A write that failed fails its own caller only; the next one tries again.
    // Stryker disable next-line ArrowFunction,StringLiteral: what a failed write leaves is never read, only that it settled
    const settled = saving.catch(() => '')
    saving = settled.then(() => {
      manifest.exports = outcomes.filter((o): o is PeriodOutcome => o !== undefined)
      manifest.finishedAt = new Date(clock.wallNow()).toISOString()
      return writeManifest(config.outputDir, manifest)
    })
    return saving
  }
  const finish = async (index: number, outcome: PeriodOutcome): Promise<void> => {
    outcomes[index] = withoutSecret(outcome, apiKey)
    onEvent({ type: 'period-finished', outcome: outcomes[index] })
    await whileBusy(clock, saveManifest)
  }

  try {
    // A cancel during the start delay leaves every period "not started", as below.
    await clock.sleep(deps.startDelayMs ?? 0, signal).catch(() => {})
    let resumed: Resumed | undefined
    // Also when cancelled: the earlier run's jobs stay recorded for the next attempt.
    if (resumeFrom) {
      resumed = await whileBusy(clock, () =>
        resumeEarlier(resumeFrom, { config, signal, onEvent, describe })
      )
      // clari-export numbers its runs on from the one it resumed.
      if (config.run?.attempt === undefined && resumed.attempt !== undefined) {
        manifest.runAttempt = resumed.attempt + 1
      }
      const instead = fromLedger && `taking jobs over from ${fromLedger.source}`
      await finishReused({ config, clock, signal, describe, onEvent, finish }, resumed, instead)
    }
    // Where no earlier artifact is usable, the ledger's jobs are asked about again instead.
    if (fromLedger && (!resumed || resumed.unusable !== undefined) && !signal.aborted) {
      resumed = fromLedger
      await finishReused({ config, clock, signal, describe, onEvent, finish }, resumed)
    }
    const todo = config.periods.flatMap((period, index) =>
      outcomes[index] === undefined ? [{ period, index }] : []
    )
    if (todo.length > 0) {
      const own = [...(deps.history ?? []), ...(resumed?.durations ?? [])]
      const learned = await learnDurations(
        { config, client, clock, signal, describe },
        todo.map(t => t.period),
        own
      )
      await exportOnSlots({
        config,
        client,
        clock,
        graceClock,
        random,
        signal,
        onEvent,
        describe,
        intervals,
        todo,
        repoll: resumed?.repoll ?? new Map(),
        attempt: resumed?.attempt ?? 0,
        ...(resumed?.expected ? { expected: resumed.expected } : {}),
        ...(resumed?.fromRun ? { fromRun: resumed.fromRun } : {}),
        schedules: deps.pollSchedule ?? defaultPollSchedule(intervals, random),
        learned,
        finish
      })
    }
  } finally {
    client.close()
  }
  const manifestPath = await saveManifest()
  return {
    manifest,
    manifestPath,
    exported: manifest.exports.filter(o => o.status === 'DONE'),
    failed: manifest.exports.filter(o => o.status !== 'DONE'),
    requestCount: client.requestCount
  }
}

/**
 * Finishes the periods whose payloads were taken over (no request to Clari): their tables are
 * made anew from the checked payload, a truncated one is warned about as a download would be,
 * and one line says what the resume took over, or why nothing (unless the run was cancelled,
 * which says so once, when it ends).
 */
async function finishReused(
  run: {
    config: ExportConfig
    clock: Clock
    signal: AbortSignal
    describe: (error: unknown) => string
    onEvent: (event: ExportEvent) => void
    finish: (index: number, outcome: PeriodOutcome) => Promise<void>
  },
  resumed: Resumed,
  /** With an unusable `resumed`: what the run turns to instead, for the line that says so. */
  instead?: string
): Promise<void> {
  const { config, clock, onEvent } = run
  const { source } = resumed
  if (resumed.unusable !== undefined) {
    if (run.signal.aborted) return
    const anew = config.periods
    onEvent({
      type: 'resume',
      source,
      unusable: resumed.unusable,
      ...(instead ? { instead, anew: [] } : { anew }),
      reused: [],
      repolled: []
    })
    return
  }
  for (const { index, period, fields } of resumed.reused) {
    onEvent({ type: 'period-started', period, index, total: config.periods.length })
    const outcome: PeriodOutcome & { file: string; jobId: string; snapshotAt: string } = {
      ...emptyOutcome(period),
      ...fields,
      status: 'DONE'
    }
    warnIfTruncated(outcome, onEvent)
    try {
      // Made anew from the checked payload: local work, no request, whatever the earlier run had.
      await addTables(outcome, config, { clock, signal: run.signal, onEvent })
    } catch (error) {
      const status = run.signal.aborted ? 'CANCELLED' : 'ERROR'
      Object.assign(outcome, { status, error: run.describe(error) })
    }
    await run.finish(index, outcome)
  }
  const reused = resumed.reused.map(r => r.period)
  onEvent({
    type: 'resume',
    source,
    reused,
    repolled: config.periods.filter(p => resumed.repoll.has(p)),
    anew: config.periods.filter(p => !reused.includes(p) && !resumed.repoll.has(p))
  })
}

interface SlotRun {
  config: ExportConfig
  client: ClariClient
  clock: RunContext['clock']
  graceClock: RunContext['graceClock']
  random: RunContext['random']
  signal: AbortSignal
  onEvent: (event: ExportEvent) => void
  describe: (error: unknown) => string
  intervals: RunContext['intervals']
  todo: { period: string; index: number }[]
  /** Jobs of the earlier attempt to ask about again, by period. */
  repoll: ReadonlyMap<string, string>
  /** The earlier attempt whose jobs are asked about again (0: none). */
  attempt: number
  /** What a re-polled DONE job's results must hash to, by period (a ledger's record). */
  expected?: ReadonlyMap<string, string>
  /** Where another run's job came from (`reuse-within`), by period, for the summary. */
  fromRun?: ReadonlyMap<string, string>
  schedules: RunContext['schedules']
  /** What earlier runs say about the periods' job durations (nothing with `history: none`). */
  learned: LearnedDurations
  finish: (index: number, outcome: PeriodOutcome) => Promise<void>
}

/**
 * Runs the periods that need Clari on the scheduler: the earlier attempt's jobs first (they run
 * at Clari already), then the rest in input order. A failure's verdict decides whether the run
 * goes on, stops creating, or also cancels the periods in flight.
 */
async function exportOnSlots(r: SlotRun): Promise<void> {
  const { config, client, clock, signal, onEvent } = r
  const { limit, max } = await concurrencyLimit(r)
  const watching = linkedAbort(signal)
  let raising: Promise<void> | undefined
  // While periods wait below the most allowed, look for room: at once when one of ours
  // finishes, and every max-poll-interval for slots that others' jobs free.
  const lookForRoom = (): Promise<void> => {
    if (!raising && scheduler.limit < max && scheduler.waiting > 0 && !signal.aborted) {
      raising = raiseLimit(r, scheduler, max, run.ownedJobIds, watching.controller.signal).finally(
        () => (raising = undefined)
      )
    }
    return raising ?? Promise.resolve()
  }
  const scheduler = new PeriodScheduler(limit, () => void lookForRoom())
  const run: RunContext = {
    config,
    client,
    clock,
    graceClock: r.graceClock,
    random: r.random,
    onEvent,
    schedules: r.schedules,
    durations: [],
    predictions: r.learned.predictions,
    ownedJobIds: new Set(),
    scheduler,
    inFlight: new Map(),
    intervals: r.intervals,
    describe: r.describe
  }
  const inFlight = new Set<AbortController>()
  const onAbort = (): void =>
    scheduler.stop({ status: 'CANCELLED', error: 'not started: the run was cancelled' })
  if (signal.aborted) onAbort()
  else {
    // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts once, so its listener runs once either way
    signal.addEventListener('abort', onAbort, { once: true })
  }

  const runPeriod = async ({ period, index }: { period: string; index: number }): Promise<void> => {
    const earlierJobId = r.repoll.get(period)
    const grant = await scheduler.acquire()
    if (isStopReason(grant)) {
      // An earlier attempt's job stays recorded, for the next attempt to take over.
      const jobId = earlierJobId !== undefined ? { jobId: earlierJobId } : {}
      return r.finish(index, { ...emptyOutcome(period), ...grant, ...jobId })
    }
    const task = linkedAbort(signal)
    inFlight.add(task.controller)
    try {
      onEvent({ type: 'period-started', period, index, total: config.periods.length })
      const sha256 = r.expected?.get(period)
      const fromRun = r.fromRun?.get(period)
      const earlierJob =
        earlierJobId !== undefined
          ? {
              jobId: earlierJobId,
              attempt: r.attempt,
              ...(sha256 ? { sha256 } : {}),
              ...(fromRun ? { fromRun } : {})
            }
          : undefined
      const result = await exportPeriod(
        run,
        { period, earlierJob, signal: task.controller.signal },
        grant
      )
      // A taken-over job's time says nothing about how long a job takes.
      const { status, durationMs, repolledFromAttempt } = result.outcome
      if (status === 'DONE' && !repolledFromAttempt) run.durations.push(durationMs)
      const action = result.verdict?.run
      // Fail-fast reaches the periods in flight at once, not after the manifest write.
      if (action?.kind === 'stop' && action.cancelInFlight) {
        for (const other of inFlight) {
          if (other !== task.controller) other.abort(new FailFastError(period))
        }
      }
      // The period is finished (reported, in the manifest) before its slot goes to the next,
      // and before the periods a stop leaves unstarted are reported.
      await r.finish(index, result.outcome)
      if (action?.kind === 'stop') scheduler.stop(action.notStarted)
    } finally {
      inFlight.delete(task.controller)
      task.dispose()
      grant.release()
    }
  }

  try {
    const { predictions } = r.learned
    const orderBy = (longestFirst: boolean): { period: string; index: number }[] =>
      startOrder(r.todo, {
        resumed: t => r.repoll.has(t.period),
        expectedMs: period => predictions.get(period)?.expectedMs,
        longestFirst
      })
    const order = orderBy(max > 1)
    if (config.history !== 'none') onEvent(historyEvent(r, order, orderBy(false)))
    // Every period asks for its slot now, in this order; the scheduler grants them in turn.
    const periods = Promise.allSettled(order.map(runPeriod))
    void watchForRoom(r, scheduler, lookForRoom, watching.controller.signal)
    // Every period settles before the run ends (its job cancelled or finished), even when one
    // of them could not be recorded (a manifest write that failed); that failure then ends it.
    const failure = (await periods).find(p => p.status === 'rejected')
    if (failure) throw failure.reason
  } finally {
    watching.controller.abort()
    watching.dispose()
    // Stryker disable next-line StringLiteral: a listener left on the run's signal would stop a scheduler with nothing left to grant
    signal.removeEventListener('abort', onAbort)
  }
}

/** What the run learned, in input order, and the start order when longest-first changed it. */
function historyEvent(
  r: SlotRun,
  order: readonly { period: string }[],
  unsorted: readonly { period: string }[]
): ExportEvent {
  const { predictions, jobList } = r.learned
  const startOrder = order.map(t => t.period)
  const inputOrder = r.todo.map(t => t.period)
  return {
    type: 'history',
    predicted: inputOrder.flatMap(period => {
      const p = predictions.get(period)
      return p ? [{ period, ...p }] : []
    }),
    unknown: inputOrder.filter(period => !predictions.has(period)),
    jobList,
    ...(startOrder.some((p, i) => p !== unsorted[i]!.period) ? { startOrder } : {})
  }
}

/** Checks Clari's limits every max-poll-interval while periods wait for room that may come. */
async function watchForRoom(
  r: SlotRun,
  scheduler: PeriodScheduler,
  lookForRoom: () => Promise<void>,
  signal: AbortSignal
): Promise<void> {
  try {
    for (;;) {
      await r.clock.sleep(pollDelay(Infinity, r.intervals, r.random), signal)
      // Stryker disable next-line LogicalOperator: once every period has its slot, looking on reads nothing (lookForRoom needs a waiting period) until the run's end stops the watch
      if (scheduler.waiting === 0 || scheduler.stopped) return
      await lookForRoom()
    }
  } catch {
    // Stopped: every period has its slot, or the run is over.
  }
}

/** How many periods run at once at the start, and the most the run may raise it to. */
async function concurrencyLimit(r: SlotRun): Promise<{ limit: number; max: number }> {
  const { config, onEvent } = r
  const periods = r.todo.length
  if (config.concurrency !== 'auto') {
    const limit = Math.min(config.concurrency, Math.max(1, periods))
    if (limit > 1) onEvent({ type: 'concurrency', limit, detail: 'max-concurrent-jobs' })
    return { limit, max: limit }
  }
  const most = Math.min(MAX_CONCURRENCY, Math.max(1, periods))
  try {
    const limits = await r.client.getLimits({
      signal: r.signal,
      deadline: r.clock.now() + config.timing.jobTimeoutMs
    })
    const free = limits.availableConcurrentLimit
    if (free === undefined) throw new Error('Clari did not say how many export slots are free')
    const limit = Math.min(most, Math.max(1, free))
    onEvent({
      type: 'concurrency',
      limit,
      detail: `max-concurrent-jobs auto: Clari has ${free} of ${limits.concurrentLimit ?? '?'} export slots free`
    })
    // Never more than the organisation's own limit: waiting for room beyond it would be futile.
    return { limit, max: Math.min(most, Math.max(limit, limits.concurrentLimit ?? most)) }
  } catch (error) {
    // Cancelled: the scheduler reports every period as not started.
    if (r.signal.aborted) return { limit: 1, max: 1 }
    onEvent({
      type: 'concurrency',
      limit: 1,
      detail: `max-concurrent-jobs auto: one at a time, the export limits could not be read (${isKeyRejected(error) ? 'Clari rejected the API key' : r.describe(error)})`
    })
    return { limit: 1, max: most }
  }
}

/** A period finished while others wait below the most allowed: take the slots Clari has free. */
async function raiseLimit(
  r: SlotRun,
  scheduler: PeriodScheduler,
  max: number,
  ours: ReadonlySet<string>,
  // The run's watch, which ends with exportOnSlots: no read outlives the client.
  signal: AbortSignal
): Promise<void> {
  try {
    const limits = await r.client.getLimits({
      signal,
      deadline: r.clock.now() + r.config.clari.requestTimeoutMs,
      once: true
    })
    const room = roomForUs(limits, ours)
    if (room === undefined || scheduler.stopped) return
    const target = Math.min(max, Math.max(1, room))
    if (target <= scheduler.limit) return
    scheduler.setLimit(target)
    r.onEvent({
      type: 'concurrency',
      limit: target,
      detail: `Clari has room for ${room} of this run's jobs again`
    })
  } catch {
    // Only a chance to go faster: the run goes on at the limit it has.
  }
}

/**
 * How many jobs this run could hold at Clari at the instant the limits were read: the limit less
 * the jobs of others. Counted from the job ids Clari lists, so our own creates and finishes
 * racing the read cannot inflate it; undefined when the answer does not say.
 */
function roomForUs(limits: ExportLimits, ours: ReadonlySet<string>): number | undefined {
  const { concurrentLimit, runningJobIds, submittedJobIds, availableConcurrentLimit } = limits
  if (concurrentLimit === undefined) return undefined
  if (runningJobIds === undefined && submittedJobIds === undefined) {
    // Clari omits the lists when nothing runs at all.
    return availableConcurrentLimit === concurrentLimit ? concurrentLimit : undefined
  }
  const holding = new Set([...(runningJobIds ?? []), ...(submittedJobIds ?? [])])
  const others = [...holding].filter(id => !ours.has(id)).length
  return concurrentLimit - others
}
