import { ClariClient } from '../../clari/client.js'
import { RetryBudget } from '../../retry/budget.js'
import { systemClock } from '../../base/clock.js'
import type { ExportConfig } from '../config.js'
import type { EngineDeps } from '../deps.js'

/** The Clari client a run uses: its settings as the config has them, one retry budget per run. */
export function createClient(config: ExportConfig, deps: EngineDeps): ClariClient {
  return new ClariClient(config.clari, {
    clock: deps.clock ?? systemClock,
    random: deps.random ?? Math.random,
    budget: new RetryBudget(),
    minRequestSpacingMs: deps.minRequestSpacingMs
  })
}
