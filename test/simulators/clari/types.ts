/**
 * Time source of the simulator: job states, rate-limit windows, `Date` headers and recorded
 * request times all read it. When `wallNow` exists it is preferred, so the retry room's
 * VirtualClock can be passed as is (its `now()` is monotonic from 0, `wallNow()` is epoch ms).
 */
import type { CurrencyShape, ForecastExportOptions } from './forecast-export.js'

export interface SimClock {
  now(): number
  wallNow?(): number
}

export type JobOutcome = 'DONE' | 'FAILED' | 'CANCELLED' | 'ABORTED'

/**
 * How one export job behaves. `ClariSimulatorOptions.plan` gives it for every job the simulator
 * creates, once, at the create (a create a fault stops before it is processed makes no job and
 * asks for no plan). Every field is optional: `{}` is a job DONE at once with the generated
 * payload. Time-driven by default (SCHEDULED until `queuedMs`, STARTED until `durationMs`, then
 * `outcome`, on the sim clock); `statuses` scripts it poll by poll instead. A cancel ends it
 * whatever the plan says.
 */
export interface JobPlan {
  /** From creation to the terminal state, on the sim clock (default 0: done at once). */
  durationMs?: number
  /** Time in SCHEDULED before STARTED (default 0). */
  queuedMs?: number
  /** Default 'DONE'. */
  outcome?: JobOutcome
  /** Status per successive status GET, overriding time; the last value repeats. */
  statuses?: string[]
  /**
   * Results body; default: `forecastPayload` (JSON) or `forecastCsv` (CSV export) of the job's
   * period, forecast and `exportOptions`.
   */
  payload?: string | Buffer
  /**
   * Stream `generatedPayloadStream(period, payloadBytes, {forecastId, ...exportOptions})`
   * (chunked) instead of a held body.
   */
  payloadBytes?: number
  /** The payload names this period instead (Clari's silent fallback to the current quarter). */
  periodOverride?: string
  rowsTruncated?: boolean
  cellsTruncated?: boolean
}

export interface PlanRequest {
  forecastId: string
  timePeriod?: string
  body: Record<string, unknown>
  /** 0-based index of the job among the jobs created so far. */
  index: number
}

export interface ClariSimulatorOptions {
  /** Default 'sim-key'; any request whose `apikey` header differs gets 401. */
  apiKey?: string
  clock?: SimClock
  /** Status body shape: flat, `{job: {...}}`, or alternating per status request (default 'wrapped'). */
  envelope?: 'flat' | 'wrapped' | 'alternate'
  /** Default 200. */
  createStatus?: 200 | 202
  /** `GET /export/jobs`: bare array or `{jobs: [...]}` (default 'array'). */
  jobListShape?: 'array' | 'object'
  /** Rewrites each entry of the job list (e.g. drops fields Clari might leave out). */
  jobListView?: (job: Record<string, unknown>) => Record<string, unknown>
  /**
   * Each created job's plan: one for all, or a function of the create request (e.g. a long job
   * for one period only: `req => ({ durationMs: req.timePeriod === '2026_Q2' ? HOUR : MINUTE })`).
   * Not merged with anything: a plan given here replaces a harness's default plan as a whole.
   * Default `{}`: every job DONE at once.
   */
  plan?: JobPlan | ((req: PlanRequest) => JobPlan)
  /** Defaults 3 and 1000. */
  limits?: { concurrentLimit?: number; monthlyQuota?: number }
  /** Known forecast ids (default ['net_arr']). */
  forecasts?: string[]
  /** Fixed windows on the sim clock; over the limit → 429 {"error":"API rate limit exceeded"}. */
  rateLimit?: { limit: number; windowMs: number; retryAfter?: 'seconds' | 'http-date' | 'none' }
  faults?: FaultRule[]
  /** Seeds rate-based faults, job ids and error ids (default 1). */
  seed?: number
  /** Port of the API on 127.0.0.1 (default: a free one). */
  port?: number
  /** `currency` on payload entries: "USD" (default 'string') or {"code","symbol"} ('object'). */
  currencyShape?: CurrencyShape
  /** A `Date` header (sim clock) on every answer (default true); false: none, as a proxy may drop it. */
  dateHeader?: boolean
}

export type Endpoint = 'create' | 'status' | 'results' | 'cancel' | 'limits' | 'list'

/**
 * One fault the simulator serves instead of the real answer (`faults.ts`, `FaultBook.pick`).
 *
 * How a request meets the rules:
 * - Rules are tried in the order given (`options.faults`, then `addFault`); the **first rule that
 *   fires answers the request**, and the rules after it never see that request.
 * - A rule **sees** a request when `endpoint` and `period` match and its fault can happen there
 *   (`status-value` only on status GETs; `redirect-other-origin` only on GETs).
 * - Of the requests it sees, a rule lets the first `skip` pass, then fires on the next `times`
 *   (each one with probability `rate`, when set; a request the draw spares passes, and does not
 *   count towards `times`); after that it lets every request pass.
 * - A request no rule fires on gets the real answer.
 *
 * So `skip` counts only the requests that reached this rule: two rules on one endpoint,
 * `{ times: 1 }` then `{ skip: 1, times: 1 }`, fault the 1st and the 3rd request, not the 1st and
 * the 2nd (the 1st never reached the second rule). For faults in a row give the rules in that
 * order without `skip`: `{ times: 1, fault: A }, { times: 2, fault: B }` serves A, B, B, then the
 * real answers.
 *
 * A fault is served before the simulator checks anything (key, rate limit, the OpenAPI
 * document). It leaves the simulator's state as it was (no job created, no poll counted),
 * except `process: true` kinds, `status-value`, `trickle` and `redirect-other-origin`, which
 * handle the request for real first. A test sees which requests were faulted in
 * `sim.requests[i].fault`.
 */
export interface FaultRule {
  /** Default: any request, including unknown routes. */
  endpoint?: Endpoint | Endpoint[]
  /**
   * Only requests concerning this period: a create's body `timePeriod`, or the period of the job
   * a status, results or cancel request names. The job list and the limits concern no period,
   * so a rule with a `period` never fires on them.
   */
  period?: string
  /** Fire on at most N of the requests it sees (after `skip`); default unlimited. */
  times?: number
  /** Let the first N requests this rule sees pass before it fires (default 0). */
  skip?: number
  /** Probability 0..1 per request it would fire on, drawn from the simulator's seeded PRNG. */
  rate?: number
  fault: Fault
}

/**
 * `process: true` means the request is handled first (e.g. the job is created) and only the answer
 * is lost: an ambiguous failure. Without it the request has no effect on the simulator's state.
 */
export type Fault =
  | { kind: 'http'; status: number; headers?: Record<string, string>; body?: unknown }
  | { kind: 'clari-error'; status: number; code: string; message?: string; namespace?: string }
  | { kind: 'reset-before-response'; process?: boolean }
  | { kind: 'reset-mid-body'; process?: boolean }
  | { kind: 'short-body'; process?: boolean }
  | { kind: 'hang'; process?: boolean }
  /** The real answer, its body sent `chunkBytes` at a time every `intervalMs` of real time. */
  | { kind: 'trickle'; chunkBytes: number; intervalMs: number }
  | { kind: 'invalid-json' }
  /** Only status GETs: handled normally (counts as a poll), but answers this status value. */
  | { kind: 'status-value'; status: string }
  /** Only GETs: 302 to the second server (another origin), which serves the real answer. */
  | { kind: 'redirect-other-origin' }

export interface RecordedRequest {
  method: string
  /** Path and query as sent. */
  path: string
  endpoint?: Endpoint
  jobId?: string
  period?: string
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON body, the raw text if it is not JSON, or undefined if empty. */
  body?: unknown
  /** Sim clock. */
  at: number
  /** As answered, or undefined if faulted without an answer. */
  status?: number
  fault?: Fault['kind']
  /** 'other' for requests that reached the redirect target server. */
  origin: 'main' | 'other'
}

export interface SimJob {
  jobId: string
  forecastId: string
  /** `timePeriod` as requested (undefined when the body had none). */
  period?: string
  body: Record<string, unknown>
  createdAt: number
  plan: JobPlan
  /** Current status, evaluated at the sim clock when read. */
  status: string
  statusPolls: number
  cancelled: boolean
  downloads: number
  /** Of the full body /results served, once served (streamed payloads: once fully sent). */
  payloadSha256?: string
  /**
   * What its payload is made of besides period and forecast (payload.ts): the sim clock at
   * creation as the export's "now", the create body's includeHistorical, typesToExport and
   * currency, the simulator's currency shape, and `snapshot`: how many jobs of the same forecast
   * and payload period were created before it.
   */
  exportOptions: ForecastExportOptions
}

export interface ClariSimulator {
  /** e.g. http://127.0.0.1:PORT/v4 */
  url: string
  /** Origin of the redirect target server, e.g. http://127.0.0.1:OTHERPORT */
  otherOrigin: string
  apiKey: string
  requests: RecordedRequest[]
  /** In creation order. */
  jobs: SimJob[]
  otherOriginSawApiKey: boolean
  /** TCP connections accepted by the main server (keep-alive reuse shows as few). */
  connections: number
  addFault(rule: FaultRule): void
  /** Other users' jobs holding concurrency slots until `forMs` from now (sim clock). */
  occupySlots(n: number, forMs: number): void
  setMonthlyQuotaLeft(n: number): void
  /**
   * A job the token's user started outside this simulator's jobs (another forecast, another
   * run): it appears in `GET /export/jobs` only. Fields default to a DONE forecast job.
   */
  listJobElsewhere(job: Record<string, unknown>): void
  /** Closes both servers and destroys open sockets, including hung ones. */
  close(): Promise<void>
}
