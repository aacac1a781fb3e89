import type { ExportConfig } from '../config.js'
import { payloadFileName } from '../manifest.js'
import type { PeriodOutcome, RequestParameters } from '../outcome.js'
import {
  readRequestParameters,
  REQUEST_PARAMETERS,
  type CheckedRequest,
  type EarlierExport,
  type EarlierManifest
} from './earlier-manifest.js'

/** What to do with one period, given what the earlier run got. */
export type PeriodResume =
  /** Take the earlier payload over, once it passes a download's checks: no request at all. */
  | { kind: 'reuse'; file: string; sha256: string; entry: ReusedFields }
  /** Ask Clari about the earlier job first: download it if DONE, poll it if running. */
  | { kind: 're-poll'; jobId: string }
  | { kind: 'anew' }

/** What a reused payload keeps of its entry: the same snapshot (jobId, snapshotAt), checked. */
export type ReusedFields = Pick<PeriodOutcome, 'rowsTruncated' | 'cellsTruncated'> &
  Required<Pick<PeriodOutcome, 'jobId' | 'snapshotAt' | 'reusedFromAttempt'>>

export type ResumePlan =
  | { usable: false; reason: string }
  | { usable: true; attempt: number; periods: Map<string, PeriodResume> }

// Statuses only Clari's own verdict gives a period: asking about such a job again cannot bring
// it back. CANCELLED is not one: the action records it for its own cancels too, and a job whose
// cancel failed, or that was DONE when the run stopped, is still there to take over.
const ENDED_AT_CLARI = new Set(['FAILED', 'ABORTED'])

/** The create parameters of a run, in one comparable form. */
export function requestParameters(config: ExportConfig): RequestParameters {
  return { ...config.request, exportFormat: config.exportFormat }
}

/**
 * Decides, from an earlier run's checked manifest alone, which periods can be reused, which jobs
 * are worth asking about again, and which must be exported anew. Pure. Anything doubtful means
 * "anew".
 */
export function planResume(earlier: EarlierManifest, config: ExportConfig): ResumePlan {
  if (earlier.forecastId !== config.forecastId) {
    return { usable: false, reason: 'it exported another forecast' }
  }
  const differs = differingRequest(earlier, requestParameters(config))
  if (differs) {
    return { usable: false, reason: `it was exported with other parameters (${differs})` }
  }
  const periods = new Map<string, PeriodResume>()
  for (const entry of earlier.exports) {
    if (config.periods.includes(entry.period)) {
      periods.set(entry.period, resumeOf(entry, earlier.runAttempt, config))
    }
  }
  return { usable: true, attempt: earlier.runAttempt, periods }
}

function resumeOf(entry: EarlierExport, attempt: number, config: ExportConfig): PeriodResume {
  const { jobId } = entry
  if (entry.status === 'DONE') {
    const file = payloadFileName(config.forecastId, entry.period, config.exportFormat)
    if (entry.file !== file || entry.sha256 === undefined) return { kind: 'anew' }
    // A payload whose snapshot cannot be named is not reused: its rows would carry no identity.
    if (!jobId || entry.snapshotAt === undefined) return { kind: 'anew' }
    return {
      kind: 'reuse',
      file,
      sha256: entry.sha256,
      entry: {
        jobId,
        snapshotAt: entry.snapshotAt,
        rowsTruncated: entry.rowsTruncated,
        cellsTruncated: entry.cellsTruncated,
        reusedFromAttempt: entry.reusedFromAttempt ?? attempt
      }
    }
  }
  if (!jobId || entry.jobCancelled || ENDED_AT_CLARI.has(entry.status)) return { kind: 'anew' }
  return { kind: 're-poll', jobId }
}

/**
 * Names the first parameter of an untrusted `request` (a manifest's, a ledger's) that differs from
 * `now`, or undefined when the two ask for the same data. It is read into the checked shape first
 * (`readRequestParameters`): nothing of it is stringified or compared before it is checked.
 */
export function differingParameter(earlier: unknown, now: RequestParameters): string | undefined {
  const checked = readRequestParameters(earlier)
  return checked ? differingRequest(checked, now) : 'none recorded'
}

function differingRequest(earlier: CheckedRequest, now: RequestParameters): string | undefined {
  if (earlier.unknownParameter) return 'a parameter this version does not send'
  return REQUEST_PARAMETERS.find(key => comparable(earlier.request[key]) !== comparable(now[key]))
}

/**
 * Checked values in one comparable form: the same types in another order ask for the same data.
 * Every value here passed the manifest's checks (short text, a known type or flag).
 */
function comparable(value: RequestParameters[keyof RequestParameters]): string {
  if (value === undefined) return 'unset'
  if (Array.isArray(value)) return [...value].sort().join(',')
  return `${typeof value}:${String(value)}`
}
