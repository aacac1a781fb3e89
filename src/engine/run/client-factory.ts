import { ClariClient } from '../../clari/client.js'
import { RetryBudget } from '../../retry/budget.js'
import { systemClock } from '../../base/clock.js'
import { DEFAULT_RETRY_LIMITS } from '../../retry/retry.js'
import type { ExportConfig } from '../config.js'
import type { EngineDeps } from '../deps.js'

/** The Clari client a run uses: one retry budget per run, limits from the config. */
export function createClient(config: ExportConfig, deps: EngineDeps): ClariClient {
  return new ClariClient({
    apiUrl: config.apiUrl,
    apiKey: config.apiKey,
    requestTimeoutMs: config.timing.requestTimeoutMs,
    clock: deps.clock ?? systemClock,
    random: deps.random ?? Math.random,
    budget: new RetryBudget(),
    limits: { ...DEFAULT_RETRY_LIMITS, maxRetryAfterMs: config.timing.maxRetryAfterMs },
    minRequestSpacingMs: deps.minRequestSpacingMs
  })
}
