import { createHash } from 'node:crypto'
import { isRecord } from '../../clari/answers.js'
import { isJobId } from '../../clari/types.js'
import type { DurationObservation } from '../durations.js'
import {
  isPeriodStatus,
  isSha256,
  isSnapshotTime,
  MANIFEST_TOOL,
  type Manifest,
  type PeriodStatus,
  type RequestParameters
} from '../outcome.js'
import { differingParameter } from './resume.js'

/**
 * The ledger: what a run knows about its Clari jobs, small enough for the Actions cache and kept
 * there by the adapter, so that a re-run that sees no earlier artifact (or a later run, with
 * `reuse-within`) can take the jobs over by their ids. It holds no payload, and never the key.
 */
export interface Ledger {
  tool: typeof MANIFEST_TOOL
  ledgerVersion: typeof LEDGER_VERSION
  forecastId: string
  request: RequestParameters
  /** GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT of the run that saved it. */
  runId?: string
  runAttempt: number
  savedAt: string
  /** One entry per period, in the order the run asked for them. */
  periods: LedgerPeriod[]
}

export interface LedgerPeriod {
  period: string
  status: PeriodStatus
  jobId?: string
  bytes?: number
  sha256?: string
  /** When Clari's job had the data ready (ISO): how old a reused snapshot is. */
  snapshotAt?: string
  /** How long the job ran by Clari's own stamps: what the duration model learns from. */
  jobDurationMs?: number
  rowsTruncated: boolean
  cellsTruncated: boolean
  /** The action cancelled the job at Clari: nothing there to take over. */
  jobCancelled?: boolean
}

export const LEDGER_VERSION = 1
/** A ledger of a few hundred periods is some tens of KiB; anything larger is not one of ours. */
export const MAX_LEDGER_BYTES = 1024 * 1024
const MAX_LEDGER_PERIODS = 1000
const KEY_PREFIX = 'clari-export-ledger'
// Durations from a ledger count as the model counts any: finite, above 0, below a day.
const DAY_MS = 24 * 60 * 60_000

/** The ledger of a run, from its manifest (which holds every period's outcome). */
export function ledgerOf(manifest: Manifest, savedAt: Date): Ledger {
  return {
    tool: MANIFEST_TOOL,
    ledgerVersion: LEDGER_VERSION,
    forecastId: manifest.forecastId,
    request: manifest.request,
    ...(manifest.runId !== undefined ? { runId: manifest.runId } : {}),
    runAttempt: manifest.runAttempt,
    savedAt: savedAt.toISOString(),
    periods: manifest.exports.map(o => ({
      period: o.period,
      status: o.status,
      ...(o.jobId !== undefined ? { jobId: o.jobId } : {}),
      ...(o.bytes !== undefined ? { bytes: o.bytes } : {}),
      ...(o.sha256 !== undefined ? { sha256: o.sha256 } : {}),
      // The snapshot a reused period keeps is its earlier one, not the time this run saw it.
      ...((o.snapshotAt ?? o.timeline.doneAt) !== undefined
        ? { snapshotAt: o.snapshotAt ?? o.timeline.doneAt }
        : {}),
      ...(o.jobDurationMs !== undefined ? { jobDurationMs: o.jobDurationMs } : {}),
      rowsTruncated: o.rowsTruncated,
      cellsTruncated: o.cellsTruncated,
      ...(o.jobCancelled ? { jobCancelled: true } : {})
    }))
  }
}

/** The run a ledger is looked up for: what it must have been made for to count. */
export interface LedgerWanted {
  forecastId: string
  request: RequestParameters
  periods: readonly string[]
}

export type LedgerReading = { ledger: Ledger } | { unusable: string }

/**
 * Reads a ledger restored from the cache. It is untrusted like an earlier artifact (anyone whose
 * workflow may write the repository's cache may have saved it): bounded in size, every field
 * checked, entries for other periods and doubtful entries left out, and another forecast or
 * other parameters make it unusable. Never throws.
 */
export function parseLedger(text: string, wanted: LedgerWanted): LedgerReading {
  if (text.length > MAX_LEDGER_BYTES) return { unusable: 'it is larger than 1 MiB' }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { unusable: 'it is not JSON' }
  }
  if (!isRecord(value) || value.tool !== MANIFEST_TOOL || value.ledgerVersion !== LEDGER_VERSION) {
    return { unusable: `it is not this action's ledger (version ${LEDGER_VERSION})` }
  }
  if (value.forecastId !== wanted.forecastId) return { unusable: 'it is of another forecast' }
  const differs = differingParameter(value.request, wanted.request)
  if (differs) return { unusable: `it was made with other parameters (${differs})` }
  const { runId, runAttempt, savedAt, periods } = value
  if (!Number.isSafeInteger(runAttempt) || (runAttempt as number) < 1) {
    return { unusable: 'it has no valid runAttempt' }
  }
  if (!isSnapshotTime(savedAt)) {
    return { unusable: 'it has no valid savedAt' }
  }
  if (!Array.isArray(periods) || periods.length > MAX_LEDGER_PERIODS) {
    return { unusable: `it does not list up to ${MAX_LEDGER_PERIODS} periods` }
  }
  const kept = new Map<string, LedgerPeriod>()
  for (const entry of periods as unknown[]) {
    const checked = checkedPeriod(entry, wanted.periods)
    if (checked && !kept.has(checked.period)) kept.set(checked.period, checked)
  }
  return {
    ledger: {
      tool: MANIFEST_TOOL,
      ledgerVersion: LEDGER_VERSION,
      forecastId: wanted.forecastId,
      request: wanted.request,
      ...(typeof runId === 'string' && /^\d{1,20}$/.test(runId) ? { runId } : {}),
      runAttempt: runAttempt as number,
      savedAt,
      periods: [...kept.values()]
    }
  }
}

function checkedPeriod(entry: unknown, periods: readonly string[]): LedgerPeriod | undefined {
  if (!isRecord(entry)) return undefined
  const { period, status, jobId, bytes, sha256, snapshotAt, jobDurationMs } = entry
  if (typeof period !== 'string' || !periods.includes(period)) return undefined
  if (!isPeriodStatus(status)) return undefined
  const known = status
  const checked: LedgerPeriod = {
    period,
    status: known,
    rowsTruncated: entry.rowsTruncated === true,
    cellsTruncated: entry.cellsTruncated === true
  }
  if (isJobId(jobId)) checked.jobId = jobId
  if (Number.isSafeInteger(bytes) && (bytes as number) >= 0) checked.bytes = bytes as number
  if (isSha256(sha256)) checked.sha256 = sha256
  if (isSnapshotTime(snapshotAt)) checked.snapshotAt = snapshotAt
  if (
    typeof jobDurationMs === 'number' &&
    Number.isFinite(jobDurationMs) &&
    jobDurationMs > 0 &&
    jobDurationMs < DAY_MS
  ) {
    checked.jobDurationMs = jobDurationMs
  }
  if (entry.jobCancelled === true) checked.jobCancelled = true
  // A DONE entry is only worth anything with all it takes to check a download against it.
  if (known === 'DONE' && (!checked.jobId || !checked.sha256 || checked.bytes === undefined)) {
    return undefined
  }
  return checked
}

/** What the duration model learns from a checked ledger: its DONE jobs' durations. */
export function ledgerObservations(ledger: Ledger): DurationObservation[] {
  return ledger.periods.flatMap(p =>
    p.status === 'DONE' && p.jobDurationMs !== undefined
      ? [
          {
            forecastId: ledger.forecastId,
            period: p.period,
            request: ledger.request,
            durationMs: p.jobDurationMs,
            ...(p.snapshotAt !== undefined ? { endedAt: Date.parse(p.snapshotAt) } : {}),
            // Stryker disable next-line ConditionalExpression: a parsed DONE entry always has its jobId, and the model reads an undefined one as absent
            ...(p.jobId !== undefined ? { jobId: p.jobId } : {})
          }
        ]
      : []
  )
}

/**
 * The cache keys of ledgers: they name the forecast, a fingerprint of the parameters and one of
 * the periods (so that a lookup by prefix finds this export's ledgers, not another's, and matrix
 * legs of one run never take each other's key), then the run and the attempt. `save` is unique to
 * the run, attempt and periods (a cache key is immutable); `restore` lists the prefixes a lookup
 * tries in turn, each taking its newest entry: this run's earlier attempts, then any run's with
 * the same periods, then any run's of this forecast and parameters.
 */
export function ledgerKeys(
  wanted: LedgerWanted,
  run: { id: string; attempt: number }
): { save: string; restore: string[] } {
  const exportKey = `${KEY_PREFIX}-${wanted.forecastId}-${fingerprint(canonicalRequest(wanted.request))}-`
  const periodsKey = `${exportKey}${fingerprint(wanted.periods)}-`
  return {
    save: `${periodsKey}${run.id}-${run.attempt}`,
    restore: [`${periodsKey}${run.id}-`, periodsKey, exportKey]
  }
}

/**
 * The parameters in one order (lists sorted): this only picks the cache key; whether a ledger's
 * parameters are the run's is decided by `differingParameter`.
 */
function canonicalRequest(request: RequestParameters): unknown {
  return Object.entries(request)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => [k, Array.isArray(v) ? [...v].map(String).sort() : v] as const)
    .sort(([a], [b]) => a.localeCompare(b))
}

/** 16 hex digits of sha256 over the JSON of `value`. */
function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16)
}

/** What a run may do with one period's entry in a ledger, instead of creating a job. */
export type LedgerTakeOver =
  /** Download the DONE job's results again by its id (no create), checked against `sha256`. */
  | { kind: 'download'; jobId: string; sha256: string; bytes: number; ageMs?: number }
  /** Ask Clari about the unfinished job: download it when DONE, poll it while it runs. */
  | { kind: 're-poll'; jobId: string }

// Only Clari's own verdict ends a job for good; CANCELLED may be the action's own cancel of a
// job that was DONE, and counts only when the ledger says the cancel reached Clari.
const ENDED_AT_CLARI = new Set<PeriodStatus>(['FAILED', 'ABORTED'])

/**
 * Per period of `periods`, what a checked ledger lets a run take over. A re-run of the ledger's
 * own run takes every DONE job and asks again about every job it left unfinished and did not
 * cancel; any other run (`reuse-within`) takes only DONE jobs whose snapshot is younger than
 * `reuseWithinMs` (never one dated in the future), and none when that is 0. Pure.
 */
export function ledgerTakeOvers(
  ledger: Ledger,
  periods: readonly string[],
  run: { runId?: string; now: number; reuseWithinMs: number }
): Map<string, LedgerTakeOver> {
  const sameRun = run.runId !== undefined && ledger.runId === run.runId
  const plans = new Map<string, LedgerTakeOver>()
  for (const entry of ledger.periods) {
    if (!periods.includes(entry.period) || !entry.jobId) continue
    const { jobId } = entry
    if (entry.status === 'DONE' && entry.sha256 && entry.bytes !== undefined) {
      const done = { kind: 'download', jobId, sha256: entry.sha256, bytes: entry.bytes } as const
      if (sameRun) {
        plans.set(entry.period, done)
        continue
      }
      const ageMs = entry.snapshotAt ? run.now - Date.parse(entry.snapshotAt) : NaN
      if (ageMs >= 0 && ageMs < run.reuseWithinMs) plans.set(entry.period, { ...done, ageMs })
      continue
    }
    if (sameRun && !entry.jobCancelled && !ENDED_AT_CLARI.has(entry.status)) {
      plans.set(entry.period, { kind: 're-poll', jobId })
    }
  }
  return plans
}
