import type {
  ClariSimulator,
  ClariSimulatorOptions,
  FaultRule
} from '../../test/simulators/clari/index.js'
import { historyReport } from './warehouse-query.js'

export interface Scenario {
  description: string
  /** Attempts of the workflow run to show, each a run of the bundle (default 1). */
  attempts?: number
  /** Attempts after the first are "Re-run all jobs": no artifact of an earlier one is listed. */
  fullRerun?: boolean
  /** Workflow runs one after another, as on a nightly schedule: each a new snapshot. */
  nights?: number
  /** Action inputs besides the connection (api-url, api-key) and artifact settings. */
  inputs: Record<string, string>
  /** Simulator setup; `apiKey` is filled in by the caller. */
  simulator: Omit<ClariSimulatorOptions, 'apiKey'>
  /**
   * Something more to show once the action's last run is over: a title and what to print under
   * it, from every run's output folder (oldest first) and the simulator.
   */
  report?: { title: string; text(outputDirs: string[], sim: ClariSimulator): Promise<string> }
}

const FORECAST_ID = 'net_arr'
const QUARTERS = ['2026_Q1', '2026_Q2', '2026_Q3', '2026_Q4']
// Real seconds per job and payload sizes that look like a mid-size org's forecast export.
const JOB_SECONDS: Record<string, number> = { '2026_Q1': 2, '2026_Q2': 3, '2026_Q3': 2.5 }
const PAYLOAD_KIB: Record<string, number> = { '2026_Q1': 620, '2026_Q2': 1480, '2026_Q3': 910 }
const DEFAULT_JOB_SECONDS = 2
const DEFAULT_PAYLOAD_KIB = 1150

// What a busy afternoon on Clari's API looks like: one status check throttled with
// Retry-After, one download hit by a transient 503.
const TURBULENCE: FaultRule[] = [
  {
    endpoint: 'status',
    period: '2026_Q2',
    times: 1,
    fault: {
      kind: 'http',
      status: 429,
      headers: { 'Retry-After': '2' },
      body: { error: 'API rate limit exceeded' }
    }
  },
  {
    endpoint: 'results',
    period: '2026_Q4',
    times: 1,
    fault: {
      kind: 'http',
      status: 503,
      headers: { 'Retry-After': '1' },
      body: { error: 'Service Unavailable' }
    }
  }
]

/** `failedPeriod`'s job fails; with `failOnce`, only its first (a re-run's new job succeeds). */
function simulator(failedPeriod?: string, failOnce = false): Scenario['simulator'] {
  let failures = 0
  return {
    forecasts: [FORECAST_ID],
    faults: TURBULENCE,
    plan: ({ timePeriod = '' }) => ({
      durationMs: (JOB_SECONDS[timePeriod] ?? DEFAULT_JOB_SECONDS) * 1000,
      queuedMs: 300,
      payloadBytes: (PAYLOAD_KIB[timePeriod] ?? DEFAULT_PAYLOAD_KIB) * 1024,
      outcome: timePeriod === failedPeriod && (!failOnce || failures++ === 0) ? 'FAILED' : 'DONE'
    })
  }
}

const inputs = {
  'forecast-id': FORECAST_ID,
  periods: `${QUARTERS[0]}..${QUARTERS[QUARTERS.length - 1]}`,
  'poll-interval': '1',
  'max-poll-interval': '1'
}

export const SCENARIOS = {
  happy: {
    description: `four quarters of ${FORECAST_ID}, one 429 with Retry-After: 2 and one transient 503 on the way`,
    inputs,
    simulator: simulator()
  },
  failure: {
    description: 'the same, but the 2026_Q3 job ends FAILED on Clari: the other quarters are kept',
    inputs,
    simulator: simulator('2026_Q3')
  },
  rerun: {
    description:
      'the failure, then "Re-run failed jobs": attempt 2 reuses the three quarters attempt 1 exported and creates one job',
    attempts: 2,
    inputs,
    simulator: simulator('2026_Q3', true)
  },
  'rerun-all': {
    description:
      'the failure, then "Re-run all jobs" where no artifact of attempt 1 is visible: attempt 2 takes the three DONE jobs over through the ledger in the Actions cache (their results downloaded again, no create) and creates one job',
    attempts: 2,
    fullRerun: true,
    inputs,
    simulator: simulator('2026_Q3', true)
  },
  plan: {
    description: 'a dry run: the plan, the quota left and the slots free; no job is created',
    inputs: { ...inputs, 'dry-run': 'true', 'max-concurrent-jobs': 'auto' },
    simulator: simulator()
  },
  tables: {
    description:
      "two nights of the forecast's real-looking data (every week, forecast and quota; figures move and a rep leaves between them) with tables: ndjson, then the README's history queries in DuckDB",
    nights: 2,
    inputs: {
      ...inputs,
      periods: `${QUARTERS[0]}..${QUARTERS[1]}`,
      'include-historical': 'true',
      'types-to-export': 'forecast,forecast_updated,quota',
      tables: 'ndjson'
    },
    // The simulator's own forecast payloads (no payloadBytes): reps, managers, weekly frames.
    simulator: {
      forecasts: [FORECAST_ID],
      faults: TURBULENCE,
      plan: ({ timePeriod = '' }) => ({
        durationMs: (JOB_SECONDS[timePeriod] ?? DEFAULT_JOB_SECONDS) * 1000,
        queuedMs: 300
      })
    },
    report: {
      title: 'DuckDB over both nights: the latest snapshot by field, and week over week',
      text: historyReport
    }
  }
} satisfies Record<string, Scenario>

/** Every scenario, seen as a Scenario (for the fields only some of them set). */
export function scenarioOf(name: ScenarioName): Scenario {
  return SCENARIOS[name]
}

export type ScenarioName = keyof typeof SCENARIOS

export function isScenarioName(name: string): name is ScenarioName {
  return Object.hasOwn(SCENARIOS, name)
}
