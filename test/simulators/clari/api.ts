import { clariErrorBody, QUOTA_CODE, quotaMessage } from './clari-errors.js'
import {
  generatedPayloadSize,
  generatedPayloadStream,
  prepareGeneratedPayload
} from './generated-payload.js'
import { sha256, withSha256 } from './hash.js'
import { isTerminal, SimJobRecord } from './jobs.js'
import { OrgAccount } from './org.js'
import type { ForecastExportOptions } from './forecast-export.js'
import { forecastPayload } from './payload.js'
import { forecastCsv } from './payload-csv.js'
import { stableHex } from './prng.js'
import { isPeriod, quarterOf } from './quarters.js'
import { FixedWindowLimiter } from './rate-limiter.js'
import { jsonResponse, type SimResponse } from './responses.js'
import type { Route } from './routes.js'
import type { ClariSpec } from './spec.js'
import type { ClariSimulatorOptions, JobPlan, PlanRequest } from './types.js'

export interface ApiRequest {
  method: string
  /** Path and query as received. */
  path: string
  route: Route
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON, raw text when not JSON, undefined when empty. */
  body: unknown
  bodyIsJson: boolean
  /** The redirect target plays a pre-authorised download URL: no key, no rate limit. */
  trusted: boolean
}

export interface Answer {
  /** false: compute the answer without changing any state (an unprocessed request). */
  apply: boolean
  /** Status value a status GET reports instead of the real one. */
  statusOverride?: string
}

const KNOWN_TYPES = ['forecast', 'quota', 'forecast_updated', 'adjustment']
const CRM_TYPES = ['crm_total', 'crm_closed']

/** The Clari API behind the gateway: auth, rate limit, and the six endpoints. */
export class ClariApi {
  readonly org: OrgAccount
  private readonly limiter?: FixedWindowLimiter
  private readonly forecasts: Set<string>
  private idCount = 0
  private errorCount = 0
  private statusAnswers = 0

  constructor(
    private readonly options: ClariSimulatorOptions & { apiKey: string; seed: number },
    private readonly now: () => number,
    private readonly spec: ClariSpec
  ) {
    this.org = new OrgAccount(
      options.limits?.concurrentLimit ?? 3,
      options.limits?.monthlyQuota ?? 1000
    )
    this.limiter = options.rateLimit && new FixedWindowLimiter(options.rateLimit)
    this.forecasts = new Set(options.forecasts ?? ['net_arr'])
  }

  newJobId(): string {
    return stableHex(24, this.options.seed, 'job', this.idCount++)
  }

  clariError(status: number, code: string, message?: string, namespace?: string): SimResponse {
    const hex = stableHex(32, this.options.seed, 'error', this.errorCount++)
    const errorId = [
      hex.slice(0, 8),
      hex.slice(8, 12),
      hex.slice(12, 16),
      hex.slice(16, 20),
      hex.slice(20)
    ].join('-')
    return jsonResponse(status, clariErrorBody(code, errorId, message, namespace))
  }

  respond(req: ApiRequest, answer: Answer): SimResponse {
    const { endpoint, jobId } = req.route
    if (!endpoint) return jsonResponse(404, { message: 'no Route matched with those values' })
    if (!req.trusted) {
      if (req.headers.apikey !== this.options.apiKey) {
        return jsonResponse(401, { message: 'Invalid authentication credentials' })
      }
      const throttled = answer.apply ? this.limiter?.check(this.now()) : undefined
      if (throttled) return jsonResponse(429, { error: 'API rate limit exceeded' }, throttled)
      // Every request is held against Clari's OpenAPI document: an unknown field, a wrong type
      // or enum value is Clari's `bad_request`, so a misspelled field fails the tests.
      const problem = req.bodyIsJson || req.body === undefined ? this.spec.problems(req) : undefined
      if (problem) {
        return this.clariError(400, 'bad_request', `The request body was malformed: ${problem}`)
      }
    }
    if (endpoint === 'create') return this.create(req, answer.apply)
    if (endpoint === 'limits') return jsonResponse(200, this.org.limits(this.now()))
    if (endpoint === 'list') return this.list()
    const job = this.org.find(jobId ?? '')
    if (!job) return this.clariError(404, 'job_not_found', `Job ${jobId} was not found.`)
    if (endpoint === 'status') return this.status(job, answer)
    if (endpoint === 'results') return this.results(job, answer.apply)
    return this.cancel(job, req.body, answer.apply)
  }

  private create(req: ApiRequest, apply: boolean): SimResponse {
    const forecastId = req.route.forecastId ?? ''
    if (!forecastId) return this.clariError(400, 'missing_forecast_id')
    const body = req.body === undefined ? {} : req.body
    if (!req.bodyIsJson && req.body !== undefined) {
      return this.clariError(400, 'bad_request', 'The request body is not valid JSON.')
    }
    if (!isRecord(body)) {
      return this.clariError(400, 'bad_request', 'The request body must be an object.')
    }
    const invalid = this.invalidCreateBody(forecastId, body)
    if (invalid) return invalid
    const now = this.now()
    if (!this.org.canCreate(now)) {
      const { monthlyQuota, concurrentLimit } = this.org
      return this.clariError(400, QUOTA_CODE, quotaMessage(monthlyQuota, concurrentLimit))
    }
    const jobId = this.newJobId()
    if (apply) {
      const timePeriod = typeof body.timePeriod === 'string' ? body.timePeriod : undefined
      const plan = this.planFor({ forecastId, timePeriod, body, index: this.org.jobs.length })
      const payloadPeriod =
        plan.periodOverride ?? (isPeriod(timePeriod) ? timePeriod : quarterOf(now))
      const snapshot = this.org.jobs.filter(
        j => j.forecastId === forecastId && j.payloadPeriod === payloadPeriod
      ).length
      const job = {
        jobId,
        forecastId,
        period: timePeriod,
        payloadPeriod,
        body,
        createdAt: now,
        plan,
        exportOptions: this.exportOptions(body, now, snapshot)
      }
      this.org.add(new SimJobRecord(job, this.now))
      if (plan.payloadBytes !== undefined) {
        const options = { forecastId, ...job.exportOptions }
        prepareGeneratedPayload(payloadPeriod, plan.payloadBytes, options)
      }
    }
    return jsonResponse(this.options.createStatus ?? 200, { jobId })
  }

  private invalidCreateBody(forecastId: string, body: Record<string, unknown>) {
    if (!this.forecasts.has(forecastId)) {
      const message = `Forecast ${forecastId} does not exist in the ForecastTemplate.`
      return this.clariError(400, 'no_such_forecast_config', message)
    }
    const types = body.typesToExport
    if (types !== undefined) {
      if (!Array.isArray(types))
        return this.clariError(400, 'bad_request', 'typesToExport must be a list.')
      if (types.some(t => CRM_TYPES.includes(t as string))) {
        return this.clariError(400, 'type_not_supported')
      }
      const unknown = types.filter(t => !KNOWN_TYPES.includes(t as string))
      if (unknown.length > 0) {
        const message = `The following typesToExport values are invalid: [${unknown.join(', ')}]`
        return this.clariError(400, 'bad_request', message)
      }
    }
    if (body.currency !== undefined && !/^[A-Z]{3}$/.test(String(body.currency))) {
      return this.clariError(400, 'bad_request', 'The currency parameter is invalid.')
    }
    if (body.exportFormat !== undefined && !['JSON', 'CSV'].includes(String(body.exportFormat))) {
      return this.clariError(400, 'bad_request', 'The exportFormat parameter is invalid.')
    }
    if (body.includeHistorical !== undefined && typeof body.includeHistorical !== 'boolean') {
      return this.clariError(400, 'bad_request', 'The includeHistorical parameter is invalid.')
    }
    return undefined
  }

  /** What the create body, the clock and earlier exports make of the job's data (payload.ts). */
  private exportOptions(
    body: Record<string, unknown>,
    asOf: number,
    snapshot: number
  ): ForecastExportOptions {
    const { includeHistorical, typesToExport, currency } = body
    return {
      asOf,
      snapshot,
      includeHistorical: includeHistorical === true,
      ...(Array.isArray(typesToExport) ? { typesToExport: typesToExport as string[] } : {}),
      ...(typeof currency === 'string' ? { currency } : {}),
      currencyShape: this.options.currencyShape ?? 'string'
    }
  }

  private planFor(req: PlanRequest): JobPlan {
    const plan = this.options.plan
    return { ...(typeof plan === 'function' ? plan(req) : plan) }
  }

  private status(job: SimJobRecord, answer: Answer): SimResponse {
    const now = this.now()
    const polled = job.poll(now, answer.apply)
    const view = job.view(now, answer.statusOverride ?? polled)
    const envelope = this.options.envelope ?? 'wrapped'
    const wrapped =
      envelope === 'alternate' ? this.statusAnswers++ % 2 === 0 : envelope === 'wrapped'
    return jsonResponse(200, wrapped ? { job: view } : view)
  }

  private results(job: SimJobRecord, apply: boolean): SimResponse {
    if (job.statusAt(this.now()) !== 'DONE') return this.clariError(400, 'invalid_jobId')
    if (apply) job.downloads++
    const { payload, payloadBytes } = job.plan
    const { payloadPeriod, forecastId, exportOptions } = job
    if (payloadBytes !== undefined) {
      const options = { forecastId, ...exportOptions }
      const generated = generatedPayloadStream(payloadPeriod, payloadBytes, options)
      return {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        body: apply ? withSha256(generated, sha => (job.payloadSha256 = sha)) : generated,
        length: generatedPayloadSize(payloadPeriod, payloadBytes, options)
      }
    }
    const csv = job.fileType === 'CSV'
    const content =
      payload ?? (csv ? forecastCsv : forecastPayload)(payloadPeriod, forecastId, exportOptions)
    const body = Buffer.from(content)
    if (apply) job.payloadSha256 = sha256(body)
    const contentType = csv ? 'text/csv; charset=utf-8' : 'application/json'
    return { status: 200, headers: { 'Content-Type': contentType }, body }
  }

  private cancel(job: SimJobRecord, body: unknown, apply: boolean): SimResponse {
    if (!isRecord(body) || body.type !== 'CANCEL') {
      return this.clariError(400, 'bad_request', 'The type parameter is invalid.')
    }
    const now = this.now()
    if (isTerminal(job.statusAt(now))) return this.clariError(400, 'export_failed_to_cancel')
    if (apply) this.org.cancel(job, now)
    return jsonResponse(200, { status: 'CANCELLED', successful: true })
  }

  /** Jobs the token's user started elsewhere (other forecasts, other runs): listed only. */
  readonly listedElsewhere: Record<string, unknown>[] = []

  private list(): SimResponse {
    const now = this.now()
    const view = this.options.jobListView ?? (job => job)
    const jobs = [...this.org.jobs.map(job => job.view(now)), ...this.listedElsewhere].map(view)
    return jsonResponse(200, this.options.jobListShape === 'object' ? { jobs } : jobs)
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
