import type { ClariClient } from '../../clari/client.js'
import type { Clock } from '../../base/clock.js'
import type { ExportConfig } from '../config.js'
import type { DurationObservation, DurationPrediction } from '../durations.js'
import { predictDurations, type HistoryWanted } from '../history/duration-model.js'
import { jobListObservations } from '../history/sources.js'
import { differingParameter, requestParameters } from '../reruns/resume.js'

export interface LearnedDurations {
  predictions: Map<string, DurationPrediction>
  /** Clari's job list: read, not needed, not asked for, or why it could not be read. */
  jobList: string
}

/**
 * How long each period's job is expected to take, from what earlier runs recorded (`own`: the
 * ledger, an earlier attempt's manifest) and, with `history: all`, from Clari's job list. The
 * list costs a request against Clari's rate limit and may be long, so it is read at most once,
 * at the start, and only when the own records leave a period of the run without a prediction.
 * Reading it is only a chance to do better: it is tried once, and a failure is reported and
 * changes nothing else (beyond counting, as any failed request does, against the retry budget).
 */
export async function learnDurations(
  run: {
    config: ExportConfig
    client: ClariClient
    clock: Clock
    signal: AbortSignal
    describe(error: unknown): string
  },
  periods: readonly string[],
  own: readonly DurationObservation[]
): Promise<LearnedDurations> {
  const { config } = run
  // Stryker disable next-line StringLiteral: with history: none no history line is shown, the only reader of jobList ('none' → "" does not compile)
  if (config.history === 'none') return { predictions: new Map(), jobList: 'not asked for' }
  const parameters = requestParameters(config)
  const wanted: HistoryWanted = {
    forecastId: config.forecastId,
    periods,
    exportFormat: config.exportFormat,
    sameRequest: request => differingParameter(request, parameters) === undefined
  }
  const fromOwn = predictDurations(own, wanted)
  if (config.history !== 'all') return { predictions: fromOwn, jobList: 'not asked for' }
  if (periods.every(p => fromOwn.has(p))) return { predictions: fromOwn, jobList: 'not needed' }
  try {
    const jobs = await run.client.listJobs({
      signal: run.signal,
      // Stryker disable next-line ArithmeticOperator: with once: true the client makes no retry wait, the only use of a call's deadline (each attempt is bounded by request-timeout alone)
      deadline: run.clock.now() + config.clari.requestTimeoutMs,
      once: true
    })
    const listed = jobListObservations(jobs, config.forecastId, periods)
    return { predictions: predictDurations([...own, ...listed], wanted), jobList: 'read' }
  } catch (error) {
    if (run.signal.aborted) return { predictions: fromOwn, jobList: 'not read, cancelled' }
    return { predictions: fromOwn, jobList: `not read (${run.describe(error)})` }
  }
}
