import { ClariApiError } from '../clari/errors.js'
import { RetryBudgetError } from '../retry/retry.js'
import { firstOf, formatBytes } from './units.js'

// Job ids a message names before it says "…": enough to find them in Clari, a line still.
const IDS_SHOWN = 5

// Every message here is about one period, whose line already names the period and its job: the
// message says what happened and, where the user can act, what to do.

/** The job reached a terminal failure state on Clari's side (which gives no reason). */
export class JobFailedError extends Error {
  override readonly name = 'JobFailedError'
  constructor(
    readonly jobId: string,
    readonly status: string
  ) {
    super(`the job ended ${status} at Clari, which gives no reason`)
  }
}

/** The job did not finish, or its results did not download, within job-timeout. */
export class JobTimeoutError extends Error {
  override readonly name = 'JobTimeoutError'
  constructor(
    readonly jobId: string,
    readonly lastStatus: string | undefined,
    readonly elapsedMs: number,
    /** `download`: the job is DONE at Clari, only fetching its results ran out of time. */
    readonly phase: 'job' | 'download' = 'job',
    /** Why the last try failed, when tries failed (already cleaned). */
    lastError?: string
  ) {
    const seconds = `${Math.round(elapsedMs / 1000)} s`
    const last = lastError ? `; last error: ${lastError}` : ''
    super(
      phase === 'job'
        ? `the job did not finish within job-timeout (${seconds}; last status ${lastStatus ?? 'unknown'}${last})`
        : `the job is DONE, but its results did not download within job-timeout (${seconds}${last})`
    )
  }
}

/** The organisation's rolling 30-day export quota is used up: no job can be created. */
export class QuotaError extends Error {
  override readonly name = 'QuotaError'
  constructor(readonly monthlyQuota: number | undefined) {
    super(
      `Clari's export quota is used up (${monthlyQuota ?? 'unknown'} jobs per 30 days); no further jobs were created. It frees up as the jobs of the last 30 days age out (dry-run shows what is left)`
    )
  }
}

/** Waited for a free concurrency slot until the job deadline. */
export class ConcurrencyTimeoutError extends Error {
  override readonly name = 'ConcurrencyTimeoutError'
  constructor(concurrentLimit: number | undefined) {
    super(
      `Clari's export concurrency limit (${concurrentLimit ?? 'unknown'}) stayed full until job-timeout: other exports of your organisation held every slot; run again later, or raise job-timeout`
    )
  }
}

/** The downloaded file is not what was asked for (broken JSON, or another period). */
export class PayloadError extends Error {
  override readonly name: string = 'PayloadError'
}

/** The payload grew past max-payload-size: the download was stopped and the file removed. */
export class PayloadTooLargeError extends PayloadError {
  override readonly name = 'PayloadTooLargeError'
  constructor(readonly maxBytes: number) {
    super(
      `the payload is larger than max-payload-size (${formatBytes(maxBytes)}); the download was stopped and the partial file removed (raise max-payload-size to keep it)`
    )
  }
}

/**
 * What keeps a listed job that may be a lost create's from being proven so: the list does not
 * show that it exports this forecast's period (`unnamed`: no file name yet, say), or when it
 * started cannot be compared with when the create was sent (`undated`: no answer carried a
 * readable Date header, so Clari's clock is unknown; or the list gives the job no start time).
 */
export interface JobDoubt {
  jobId: string
  unnamed: boolean
  undated?: 'no-date-header' | 'no-start-time'
}

/**
 * A create whose answer was lost, and a job list that cannot tell which job (if any) it made:
 * nothing is adopted and nothing created again. Carries the candidates for the user to check:
 * `several` jobs proven this export's, or the ones that may be it, each with its `doubts`.
 */
export class UnprovenJobError extends Error {
  override readonly name = 'UnprovenJobError'
  readonly reason: 'unproven' | 'several'
  readonly jobIds: string[]
  readonly doubts: readonly JobDoubt[]
  constructor(
    readonly forecastId: string,
    readonly period: string,
    found: { several: string[] } | { doubts: JobDoubt[]; sentAt: number }
  ) {
    const exported = `${forecastId} ${period}`
    const why =
      'several' in found
        ? `${found.several.length} jobs of ${exported} started since (${firstOf(found.several, IDS_SHOWN)}), and any could be it`
        : whyUnproven(exported, found.doubts, found.sentAt)
    super(
      `the create request's answer was lost; ${why}. None was adopted and no second job created (to spend no more quota): check them in Clari`
    )
    this.reason = 'several' in found ? 'several' : 'unproven'
    this.doubts = 'several' in found ? [] : found.doubts
    this.jobIds = 'several' in found ? found.several : found.doubts.map(d => d.jobId)
  }
}

/**
 * Says for each kind of candidate what the job list leaves out, so the user checks that in
 * Clari: whether the job exports this period, or whether it started after the create was sent.
 */
function whyUnproven(exported: string, doubts: readonly JobDoubt[], sentAt: number): string {
  // Empty, and so skipped, when no candidate is of that kind.
  const ids = (unnamed: boolean, undated: JobDoubt['undated']): string =>
    firstOf(
      doubts.filter(d => d.unnamed === unnamed && d.undated === undated).map(d => d.jobId),
      IDS_SHOWN
    )
  const unnamed = `the job list does not show that they export ${exported}`
  const clauses: string[] = []
  const dated = ids(true, undefined)
  if (dated) clauses.push(`job(s) ${dated} started since may be it, but ${unnamed}`)
  for (const undated of ['no-start-time', 'no-date-header'] as const) {
    const timing =
      undated === 'no-date-header'
        ? 'no answer from Clari carried a readable Date header, so when they started cannot be compared with when the create was sent'
        : 'the job list gives no start time for them to compare with when the create was sent'
    const named = ids(false, undated)
    if (named) clauses.push(`job(s) ${named} export ${exported} and may be it, but ${timing}`)
    const neither = ids(true, undated)
    if (neither) clauses.push(`job(s) ${neither} may be it, but ${unnamed}, and ${timing}`)
  }
  const sent = doubts.some(d => d.undated)
    ? ` (${new Date(sentAt).toISOString()} by the runner's clock)`
    : ''
  return clauses.join('; ') + sent
}

/**
 * Clari's gateway refused the key: a 401 without a Clari error code (a refused permission has
 * one). Every other request of the run would be refused the same way.
 */
export function isKeyRejected(error: unknown): error is ClariApiError | RetryBudgetError {
  const api = error instanceof RetryBudgetError ? error.cause : error
  return api instanceof ClariApiError && api.status === 401 && !api.code
}

/** Where the user set the key, as the advice names it when Clari refuses it. */
export const DEFAULT_KEY_SOURCE = 'the api-key secret'

/** A refused key, with what to check: `keySource` is the api-key secret, or CLARI_API_KEY. */
export class KeyRejectedError extends Error {
  override readonly name = 'KeyRejectedError'
  constructor(keySource: string, cause: ClariApiError | RetryBudgetError) {
    const api = cause instanceof RetryBudgetError ? cause.cause : cause
    const said = api instanceof ClariApiError && api.serverMessage ? `: ${api.serverMessage}` : ''
    super(
      `Clari rejected the API key (HTTP 401${said}): check ${keySource}; the key may be mistyped, expired or revoked`,
      { cause }
    )
  }
}
