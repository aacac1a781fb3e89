import { isRecord } from '../../clari/answers.js'
import { isJobId } from '../../clari/types.js'
import type { ExportConfig } from '../config.js'
import { payloadFileName } from '../manifest.js'
import {
  isSnapshotTime,
  MANIFEST_TOOL,
  MANIFEST_VERSION,
  type PeriodOutcome,
  type RequestParameters
} from '../outcome.js'

/** What an earlier attempt of the run (or an interrupted local run) left behind. */
export interface EarlierRun {
  /** Its manifest.json, parsed but unchecked: treated as untrusted. */
  manifest: unknown
  /** The folder holding its files. */
  dir: string
  /** Where it came from, for the log (e.g. "artifact clari-forecast-net_arr"). */
  source: string
}

/** What to do with one period, given what the earlier run got. */
export type PeriodResume =
  /** Copy the earlier payload, once its sha256 is checked: no request at all. */
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

const SHA256 = /^[0-9a-f]{64}$/
// Statuses only Clari's own verdict gives a period: asking about such a job again cannot bring
// it back. CANCELLED is not one: the action records it for its own cancels too, and a job whose
// cancel failed, or that was DONE when the run stopped, is still there to take over.
const ENDED_AT_CLARI = new Set(['FAILED', 'ABORTED'])

/** The create parameters of a run, in one comparable form. */
export function requestParameters(config: ExportConfig): RequestParameters {
  return { ...config.request, exportFormat: config.exportFormat }
}

/**
 * Decides, from an earlier run's manifest alone, which periods can be reused, which jobs are
 * worth asking about again, and which must be exported anew. Pure; every field of the manifest
 * is checked, since it is a file anyone could have changed. Anything doubtful means "anew".
 */
export function planResume(manifest: unknown, config: ExportConfig): ResumePlan {
  if (!isRecord(manifest)) return { usable: false, reason: 'its manifest.json is not an object' }
  if (manifest.tool !== MANIFEST_TOOL || manifest.manifestVersion !== MANIFEST_VERSION) {
    return { usable: false, reason: 'its manifest.json was not written by this action (version 2)' }
  }
  if (manifest.forecastId !== config.forecastId) {
    return { usable: false, reason: 'it exported another forecast' }
  }
  const differs = differingParameter(manifest.request, requestParameters(config))
  if (differs)
    return { usable: false, reason: `it was exported with other parameters (${differs})` }
  const attempt = manifest.runAttempt
  if (!Number.isSafeInteger(attempt) || (attempt as number) < 1) {
    return { usable: false, reason: 'its manifest.json has no valid runAttempt' }
  }
  if (!Array.isArray(manifest.exports)) {
    return { usable: false, reason: 'its manifest.json lists no exports' }
  }
  const periods = new Map<string, PeriodResume>()
  for (const entry of manifest.exports) {
    if (!isRecord(entry) || typeof entry.period !== 'string') continue
    const { period } = entry
    if (!config.periods.includes(period) || periods.has(period)) continue
    periods.set(period, resumeOf(entry, period, attempt as number, config))
  }
  return { usable: true, attempt: attempt as number, periods }
}

function resumeOf(
  entry: Record<string, unknown>,
  period: string,
  attempt: number,
  config: ExportConfig
): PeriodResume {
  const jobId = isJobId(entry.jobId) ? entry.jobId : undefined
  const file = payloadFileName(config.forecastId, period, config.exportFormat)
  if (entry.status === 'DONE') {
    if (entry.file !== file || typeof entry.sha256 !== 'string' || !SHA256.test(entry.sha256)) {
      return { kind: 'anew' }
    }
    // A payload whose snapshot cannot be named is not reused: its rows would carry no identity.
    if (!jobId || !isSnapshotTime(entry.snapshotAt)) return { kind: 'anew' }
    const from = entry.reusedFromAttempt
    return {
      kind: 'reuse',
      file,
      sha256: entry.sha256,
      entry: {
        jobId,
        snapshotAt: entry.snapshotAt,
        rowsTruncated: entry.rowsTruncated === true,
        cellsTruncated: entry.cellsTruncated === true,
        reusedFromAttempt:
          Number.isSafeInteger(from) && (from as number) >= 1 ? (from as number) : attempt
      }
    }
  }
  if (!jobId || entry.jobCancelled === true) return { kind: 'anew' }
  if (typeof entry.status === 'string' && ENDED_AT_CLARI.has(entry.status)) return { kind: 'anew' }
  return { kind: 're-poll', jobId }
}

/** Names the first parameter that differs, or undefined when the two ask for the same data. */
export function differingParameter(earlier: unknown, now: RequestParameters): string | undefined {
  if (!isRecord(earlier)) return 'none recorded'
  const keys: (keyof RequestParameters)[] = [
    'typesToExport',
    'currency',
    'scopeId',
    'schedule',
    'includeHistorical',
    'exportFormat'
  ]
  for (const key of keys) {
    if (comparable(earlier[key]) !== comparable(now[key])) return key
  }
  const unknown = Object.keys(earlier).find(key => !keys.includes(key as keyof RequestParameters))
  return unknown === undefined ? undefined : 'a parameter this version does not send'
}

/** The same list in another order asks for the same data. */
function comparable(value: unknown): string {
  if (value === undefined) return 'unset'
  if (Array.isArray(value)) return JSON.stringify([...value].map(String).sort())
  return JSON.stringify(value)
}
