import type { ExportLimits } from '../../clari/types.js'
import { systemClock } from '../../base/clock.js'
import { createClient } from './client-factory.js'
import { MAX_CONCURRENCY, type ExportConfig } from '../config.js'
import { DEFAULT_KEY_SOURCE, isKeyRejected, KeyRejectedError } from '../errors.js'
import type { EngineDeps } from '../deps.js'
import { plural } from '../units.js'

export interface ExportPlan {
  forecastId: string
  periods: string[]
  limits: ExportLimits
  /** Periods a real run would export at once (`auto`: the slots free now). */
  concurrency: number
  /** Rounds of that many jobs a real run would take. */
  waves: number
  /** Set when the run would need more jobs than the rolling 30-day quota has left. */
  problem?: string
}

/** A dry run: what a real run would export, checked against Clari's limits; creates no job. */
export async function planExport(config: ExportConfig, deps: EngineDeps = {}): Promise<ExportPlan> {
  const clock = deps.clock ?? systemClock
  const client = createClient(config, deps)
  try {
    const signal = deps.signal ?? new AbortController().signal
    const limits = await client
      .getLimits({ signal, deadline: clock.now() + config.timing.jobTimeoutMs })
      .catch((error: unknown) => {
        throw isKeyRejected(error)
          ? new KeyRejectedError(config.keySource ?? DEFAULT_KEY_SOURCE, error)
          : error
      })
    const left = limits.availableMonthlyQuota
    const needed = config.periods.length
    const problem =
      left !== undefined && left < needed
        ? `the run needs ${plural(needed, 'export job')} but Clari's quota has ${left} left (of ${limits.monthlyQuota ?? '?'} per 30 days)`
        : undefined
    const most = Math.min(MAX_CONCURRENCY, Math.max(1, needed))
    const wanted =
      config.concurrency === 'auto' ? (limits.availableConcurrentLimit ?? 1) : config.concurrency
    const concurrency = Math.min(most, Math.max(1, wanted))
    return {
      forecastId: config.forecastId,
      periods: config.periods,
      limits,
      concurrency,
      waves: Math.ceil(needed / concurrency),
      problem
    }
  } finally {
    client.close()
  }
}
