/** A sha256 as a manifest records one (of no file in particular). */
export const SHA = 'a'.repeat(64)

/** A manifest.json as this action writes it, for forecast net_arr, attempt 1: raw, untrusted. */
export function earlierManifest(
  overrides: Record<string, unknown> = {},
  exports: unknown[] = []
): unknown {
  return {
    tool: 'clari-forecast-export-action',
    manifestVersion: 2,
    forecastId: 'net_arr',
    runAttempt: 1,
    request: { exportFormat: 'JSON' },
    startedAt: '',
    finishedAt: '',
    exports,
    ...overrides
  }
}

/** A DONE entry of that manifest, with its job, snapshot, payload file and sha256. */
export const doneEntry = (period: string, extra: Record<string, unknown> = {}) => ({
  period,
  status: 'DONE',
  jobId: `job${period.replace('_', '')}`,
  snapshotAt: '2026-01-05T06:00:00.000Z',
  file: `net_arr_${period}.json`,
  sha256: SHA,
  ...extra
})
