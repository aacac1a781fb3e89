import { isRecord } from '../../clari/answers.js'
import {
  EXPORT_FORMATS,
  EXPORT_SCHEDULES,
  EXPORT_TYPES,
  isJobId,
  type ExportFormat
} from '../../clari/types.js'
import { cleanServerText, withoutSecret } from '../../clari/untrusted-text.js'
import type { DurationObservation } from '../durations.js'
import { MANIFEST_FILE } from '../manifest.js'
import {
  isPeriodStatus,
  isSha256,
  isSnapshotTime,
  MANIFEST_TOOL,
  MANIFEST_VERSION,
  type PeriodStatus,
  type RequestParameters
} from '../outcome.js'

/**
 * An earlier run's manifest.json is untrusted input: anyone who can upload an artifact to the
 * run, a damaged upload or a proxy decides what it holds. It is read here once, into a checked
 * shape, and nothing else of it reaches the resume plan, the extraction, a log line or the new
 * manifest: its size is bounded before it is parsed, its depth after (by `withoutSecret`, as
 * Clari's answers are), and every field is checked before it is compared or printed. Anything
 * outside the shape makes the whole manifest unusable; reading never throws.
 */

/** What one period of the earlier run left, every field checked. */
export interface EarlierExport {
  period: string
  status: PeriodStatus
  jobId?: string
  /** A plain file name (no folder), as this action names payloads. */
  file?: string
  sha256?: string
  rowsTruncated: boolean
  cellsTruncated: boolean
  jobCancelled: boolean
  reusedFromAttempt?: number
  /** When Clari took the snapshot (ISO-8601 UTC, `isSnapshotTime`): kept for a reused payload. */
  snapshotAt?: string
  /** How long the job ran by Clari's stamps, in ms: what the duration model learns from. */
  jobDurationMs?: number
  /** When the run saw the job DONE (epoch ms, from `timeline.doneAt`). */
  doneAt?: number
}

/** A request read into its checked shape. */
export interface CheckedRequest {
  request: RequestParameters
  /** The request held a parameter this version of the action does not send. */
  unknownParameter: boolean
}

export interface EarlierManifest extends CheckedRequest {
  forecastId: string
  runAttempt: number
  /** One per period, each period once. */
  exports: EarlierExport[]
}

/** What the manifest must be for this run. */
export interface ManifestExpectation {
  forecastId: string
  /** Only attempts before this one (a workflow re-run); unset: any (clari-export --resume). */
  attemptBefore?: number
  /** Masked wherever it appears, as in Clari's answers. */
  apiKey: string
}

export type ManifestProblemKind = 'unreadable' | 'not-ours' | 'other-forecast'

export interface ManifestProblem {
  kind: ManifestProblemKind
  /** One clean line, e.g. `its manifest.json is damaged: exports[2].sha256 is not a sha256`. */
  problem: string
}

// A manifest lists one entry per period: far below this even for hundreds of periods.
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const MAX_EXPORTS = 1_000
const MAX_TEXT = 200
const PERIOD = /^\d{4}_Q[1-4]$/
// Payload names are <forecast-id>_<period>.<json|csv>, built from validated values.
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/
// A job runs for minutes, at most hours: a week is not a duration this action recorded.
const MAX_DURATION_MS = 7 * 24 * 3600 * 1000
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/
/** The create parameters a request records, each compared when a run resumes another. */
export const REQUEST_PARAMETERS: readonly (keyof RequestParameters)[] = [
  'typesToExport',
  'currency',
  'scopeId',
  'schedule',
  'includeHistorical',
  'exportFormat'
]
const PARAMETERS: ReadonlySet<string> = new Set(REQUEST_PARAMETERS)

/** Raised inside the reader only: a field outside the shape, named by its path. */
class Damaged extends Error {}

/** Reads the bytes of an earlier manifest.json into its checked shape, or says why it cannot. */
export function readEarlierManifest(
  bytes: Buffer,
  expect: ManifestExpectation
): EarlierManifest | ManifestProblem {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    return unreadable(`its ${MANIFEST_FILE} is larger than a manifest can be`)
  }
  let parsed: unknown
  try {
    // JSON.parse does not recurse on the stack; withoutSecret cuts the depth for what follows.
    parsed = withoutSecret(JSON.parse(bytes.toString('utf8')) as unknown, expect.apiKey)
  } catch {
    return unreadable(`its ${MANIFEST_FILE} is not JSON`)
  }
  if (!isRecord(parsed)) return unreadable(`its ${MANIFEST_FILE} is not a JSON object`)
  const { tool, manifestVersion, forecastId, runAttempt } = parsed
  if (tool !== MANIFEST_TOOL || manifestVersion !== MANIFEST_VERSION) {
    return {
      kind: 'not-ours',
      problem: `its ${MANIFEST_FILE} was not made by ${MANIFEST_TOOL} (manifest version ${MANIFEST_VERSION})`
    }
  }
  if (forecastId !== expect.forecastId) {
    const named =
      typeof forecastId === 'string' ? JSON.stringify(cleanServerText(forecastId, 80)) : 'none'
    return {
      kind: 'other-forecast',
      problem: `it holds forecast ${named}, not ${expect.forecastId}`
    }
  }
  if (
    !isWhole(runAttempt, 1) ||
    (expect.attemptBefore !== undefined && runAttempt >= expect.attemptBefore)
  ) {
    const shown = isWhole(runAttempt, 0) ? String(runAttempt) : 'missing'
    return {
      kind: 'not-ours',
      problem: `its ${MANIFEST_FILE} records no earlier attempt (runAttempt ${shown})`
    }
  }
  try {
    const { request, unknownParameter } = readRequest(parsed.request)
    return {
      forecastId,
      runAttempt,
      request,
      unknownParameter,
      exports: readExports(parsed.exports, runAttempt)
    }
  } catch (error) {
    if (!(error instanceof Damaged)) throw error
    return unreadable(`its ${MANIFEST_FILE} is damaged: ${error.message}`)
  }
}

/**
 * An untrusted request (a manifest's, a ledger's) in its checked shape, or undefined when it is
 * not one this action writes. Never throws, and compares or prints nothing before it is checked.
 */
export function readRequestParameters(raw: unknown): CheckedRequest | undefined {
  try {
    return readRequest(raw)
  } catch (error) {
    if (error instanceof Damaged) return undefined
    throw error
  }
}

/**
 * What the duration model learns from a checked manifest: how long each DONE period's job ran,
 * with the request it was made with (src/engine/history/).
 */
export function manifestDurations(manifest: EarlierManifest): DurationObservation[] {
  const { forecastId, request } = manifest
  return manifest.exports.flatMap(entry =>
    entry.status === 'DONE' && entry.jobDurationMs !== undefined
      ? [
          {
            forecastId,
            period: entry.period,
            request,
            durationMs: entry.jobDurationMs,
            ...(entry.doneAt !== undefined ? { endedAt: entry.doneAt } : {}),
            ...(entry.jobId !== undefined ? { jobId: entry.jobId } : {})
          }
        ]
      : []
  )
}

function readRequest(raw: unknown): CheckedRequest {
  if (!isRecord(raw)) throw new Damaged('request is not an object')
  const keys = Object.keys(raw)
  const request: RequestParameters = {
    exportFormat: oneOf(raw.exportFormat, EXPORT_FORMATS, 'request.exportFormat') as ExportFormat
  }
  if (raw.typesToExport !== undefined) {
    const types = raw.typesToExport
    if (!Array.isArray(types) || types.length > EXPORT_TYPES.length) {
      throw new Damaged('request.typesToExport is not a list of export types')
    }
    request.typesToExport = types.map(type => oneOf(type, EXPORT_TYPES, 'request.typesToExport'))
  }
  if (raw.currency !== undefined) request.currency = text(raw.currency, 'request.currency')
  if (raw.scopeId !== undefined) request.scopeId = text(raw.scopeId, 'request.scopeId')
  if (raw.schedule !== undefined) {
    request.schedule = oneOf(raw.schedule, EXPORT_SCHEDULES, 'request.schedule')
  }
  if (raw.includeHistorical !== undefined) {
    request.includeHistorical = flag(raw.includeHistorical, 'request.includeHistorical')
  }
  return { request, unknownParameter: keys.some(key => !PARAMETERS.has(key)) }
}

function readExports(raw: unknown, runAttempt: number): EarlierExport[] {
  if (!Array.isArray(raw)) throw new Damaged('exports is not a list')
  if (raw.length > MAX_EXPORTS) throw new Damaged(`exports lists more than ${MAX_EXPORTS} periods`)
  const seen = new Set<string>()
  return raw.map((entry: unknown, index) => {
    const at = `exports[${index}]`
    if (!isRecord(entry)) throw new Damaged(`${at} is not an object`)
    const period = entry.period
    if (typeof period !== 'string' || !PERIOD.test(period)) {
      throw new Damaged(`${at}.period is not a fiscal quarter`)
    }
    if (seen.has(period)) throw new Damaged(`${at} lists ${period} a second time`)
    seen.add(period)
    const status = entry.status
    if (!isPeriodStatus(status)) {
      throw new Damaged(`${at}.status is not a period status`)
    }
    const read: EarlierExport = {
      period,
      status,
      rowsTruncated: optional(entry.rowsTruncated, isBoolean, `${at}.rowsTruncated`) ?? false,
      cellsTruncated: optional(entry.cellsTruncated, isBoolean, `${at}.cellsTruncated`) ?? false,
      jobCancelled: optional(entry.jobCancelled, isBoolean, `${at}.jobCancelled`) ?? false
    }
    const jobId = optional(entry.jobId, isJobId, `${at}.jobId`)
    if (jobId !== undefined) read.jobId = jobId
    const file = optional(entry.file, matches(FILE_NAME), `${at}.file`)
    if (file !== undefined) read.file = file
    const sha256 = optional(entry.sha256, isSha256, `${at}.sha256`)
    if (sha256 !== undefined) read.sha256 = sha256
    const from = optional(
      entry.reusedFromAttempt,
      (v: unknown): v is number => isWhole(v, 1) && v <= runAttempt,
      `${at}.reusedFromAttempt`
    )
    if (from !== undefined) read.reusedFromAttempt = from
    const snapshotAt = optional(entry.snapshotAt, isSnapshotTime, `${at}.snapshotAt`)
    if (snapshotAt !== undefined) read.snapshotAt = snapshotAt
    const duration = optional(
      entry.jobDurationMs,
      (v: unknown): v is number =>
        typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= MAX_DURATION_MS,
      `${at}.jobDurationMs`
    )
    if (duration !== undefined) read.jobDurationMs = duration
    // The timeline is the summary's, not the resume's: only a well-formed doneAt is kept.
    const doneAt = isRecord(entry.timeline) ? entry.timeline.doneAt : undefined
    if (isSnapshotTime(doneAt)) read.doneAt = Date.parse(doneAt)
    return read
  })
}

function unreadable(problem: string): ManifestProblem {
  return { kind: 'unreadable', problem }
}

/** A field that may be absent; present, it must pass `check`. */
function optional<T>(value: unknown, check: (v: unknown) => v is T, path: string): T | undefined {
  if (value === undefined) return undefined
  if (!check(value)) throw new Damaged(`${path} is not what this action writes`)
  return value
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  const match = allowed.find(a => a === value)
  if (match === undefined) throw new Damaged(`${path} is not one of ${allowed.join(', ')}`)
  return match
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length > MAX_TEXT || CONTROL.test(value)) {
    throw new Damaged(`${path} is not a short line of text`)
  }
  return value
}

function flag(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new Damaged(`${path} is not true or false`)
  return value
}

function isBoolean(value: unknown): value is boolean {
  return typeof value === 'boolean'
}

function isWhole(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min
}

function matches(pattern: RegExp): (value: unknown) => value is string {
  return (value): value is string => typeof value === 'string' && pattern.test(value)
}
