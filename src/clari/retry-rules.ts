import type { FailedAttempt, Retry, Throttle } from '../retry/retry.js'
import { ClariApiError, InvalidResponseError, NetworkError } from './errors.js'

/**
 * The retry rules for Clari, in one table: for each answer and endpoint, the verdict, the cap
 * within one call and the cap within a poll loop (docs/retry-policy.md#the-retry-rules is
 * rendered from it). `withRetries` (one call), `LoopMisses` (the poll loop and the download,
 * which keep trying until the period's deadline) and the callers that act on a final answer
 * (the create, the cancel) all read it through `retryRule`; what a verdict and a cap mean is
 * src/retry/retry.ts. The table lives here, not in src/retry/, because its rows are Clari's:
 * its endpoints and its error codes.
 */

/** Clari's endpoints, as the rules (and the simulator) name them. */
export const ENDPOINTS = ['create', 'status', 'results', 'cancel', 'limits', 'list'] as const
export type Endpoint = (typeof ENDPOINTS)[number]

/**
 * The endpoints a loop keeps trying until the period's deadline (the poll loop and the download
 * of a finished job): the only ones where a `perLoop` cap means anything.
 */
export const LOOPED: readonly Endpoint[] = ['status', 'results']

/**
 * Verdicts that end a call at once besides `fatal` (thrown as it came), each with a caller that
 * acts on it: `reconcile`, a create that may have made the job all the same (the job list
 * decides, job/start-job.ts); `quota`, a create refused for quota or concurrency (the limits
 * decide); `done`, a cancel of a job that had already finished (nothing to cancel).
 */
export type ClariRule = Retry | Throttle | { verdict: 'fatal' | 'reconcile' | 'quota' | 'done' }

const RETRY: ClariRule = { verdict: 'retry' }
const THROTTLE: ClariRule = { verdict: 'throttle' }
const FATAL: ClariRule = { verdict: 'fatal' }
const RECONCILE: ClariRule = { verdict: 'reconcile' }

/** One rule on every endpoint, but for those named. */
function everywhere(
  rule: ClariRule,
  except: Partial<Record<Endpoint, ClariRule>> = {}
): Record<Endpoint, ClariRule> {
  return { ...Object.fromEntries(ENDPOINTS.map(e => [e, rule])), ...except } as Record<
    Endpoint,
    ClariRule
  >
}

/**
 * Every answer the rules tell apart, most specific first. Clari's error codes count on a 400,
 * where Clari sends them (docs/clari-api.md#errors-and-codes); on any other status the status
 * decides.
 */
export const RETRY_RULES = {
  '429': everywhere(THROTTLE),
  '503': everywhere(THROTTLE),
  '408': everywhere(RETRY, { create: RECONCILE }),
  '500': everywhere(RETRY, { create: RECONCILE }),
  '502': everywhere(RETRY, { create: RECONCILE }),
  '504': everywhere(RETRY, { create: RECONCILE }),
  // "The job status could not be retrieved": transient on the others, but briefly.
  '400 SWW': everywhere({ verdict: 'retry', perCall: 2 }, { create: FATAL }),
  // Clari's answer to a create both over the monthly quota and over the concurrency limit.
  '400 export_monthly_quota_reached': everywhere(FATAL, { create: { verdict: 'quota' } }),
  '400 export_failed_to_cancel': everywhere(FATAL, { cancel: { verdict: 'done' } }),
  '400': everywhere(FATAL),
  '401': everywhere(FATAL),
  '403': everywhere(FATAL),
  '404': everywhere(FATAL),
  'other 4xx': everywhere(FATAL),
  'other status': everywhere(FATAL),
  // Refused, or a name that did not resolve: the request never reached Clari.
  'network error before sending': everywhere(RETRY),
  // Reset, or timed out, after the request went out: Clari may have acted on it.
  'network error after sending': everywhere(RETRY, { create: RECONCILE }),
  // A 2xx whose body is not what the API documents (a broken JSON, a payload that fails its checks).
  'invalid response': everywhere(RETRY, { create: RECONCILE }),
  // Not an answer at all: a bug of ours, a payload too large, a cancelled run.
  'other error': everywhere(FATAL)
} satisfies Record<string, Record<Endpoint, ClariRule>>

export type Answer = keyof typeof RETRY_RULES

/** A failed request of `endpoint` as the table reads it: its answer, its rule, Clari's hint. */
export function retryRule(endpoint: Endpoint, error: unknown): FailedAttempt & ClariRule {
  const answer = answerOf(error)
  const hint = error instanceof ClariApiError ? error.retryAfter : undefined
  return { answer, hint, ...RETRY_RULES[answer][endpoint] }
}

/** Which answer of the table a failed request got. */
export function answerOf(error: unknown): Answer {
  if (error instanceof ClariApiError) return statusAnswer(error.status, error.code)
  if (error instanceof NetworkError) {
    return error.sent ? 'network error after sending' : 'network error before sending'
  }
  if (error instanceof InvalidResponseError) return 'invalid response'
  return 'other error'
}

/** The answer an HTTP status (and, on a 400, Clari's error code) is. */
export function statusAnswer(status: number, code: string | undefined): Answer {
  const coded = `${status} ${code}`
  if (status === 400 && code !== undefined && Object.hasOwn(RETRY_RULES, coded)) {
    return coded as Answer
  }
  if (Object.hasOwn(RETRY_RULES, String(status))) return String(status) as Answer
  return status >= 400 && status < 500 ? 'other 4xx' : 'other status'
}
