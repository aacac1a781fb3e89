import type { PeriodOutcome } from '../../src/engine/outcome.js'
import { SHA } from './earlier-manifests.js'

/**
 * A period's outcome as the engine reports it, by default exported: DONE, with its job, payload
 * file (net_arr, JSON), bytes and sha256, in 1 min and one status check. `fields` sets any field;
 * a field set to undefined is left out (`...NO_PAYLOAD` for a period that kept no file).
 */
export function periodOutcome(
  period = '2026_Q1',
  fields: Partial<PeriodOutcome> = {}
): PeriodOutcome {
  return {
    period,
    status: 'DONE',
    jobId: `job${period.replace('_', '')}`,
    file: `net_arr_${period}.json`,
    bytes: 1234,
    sha256: SHA,
    durationMs: 60_000,
    statusPolls: 1,
    throttleWaits: 0,
    rowsTruncated: false,
    cellsTruncated: false,
    timeline: {},
    ...fields
  }
}

/** The payload fields of a DONE outcome, unset: a period that failed before its file was kept. */
export const NO_PAYLOAD = {
  file: undefined,
  bytes: undefined,
  sha256: undefined
} as const satisfies Partial<PeriodOutcome>
