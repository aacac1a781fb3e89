import { rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { isRecord } from '../clari/answers.js'
import { isJobId } from '../clari/types.js'
import { isSnapshotTime, MANIFEST_TOOL, type Manifest } from './outcome.js'
import type { SnapshotIdentity } from './table-layout.js'
import { tempPathFor } from './temp-file.js'

export const MANIFEST_FILE = 'manifest.json'

/** Writes manifest.json atomically, so a reader never sees half of it. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  const target = path.join(dir, MANIFEST_FILE)
  const partial = tempPathFor(dir, MANIFEST_FILE)
  try {
    await writeFile(partial, `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' })
    await rename(partial, target)
  } catch (error) {
    await rm(partial, { force: true })
    throw error
  }
  return target
}

/**
 * The files the manifest lists, relative to the output folder: every payload kept (also of a
 * period whose tables failed) and every table.
 */
export function outputFiles(manifest: Manifest): string[] {
  return manifest.exports.flatMap(o => [
    ...(o.file ? [o.file] : []),
    ...Object.values(o.tables ?? {}).map(t => t.file)
  ])
}

const FORECAST_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/

/** A forecast tab ID as the action accepts it (also what payload file names start with). */
export function isForecastId(value: string): boolean {
  return FORECAST_ID.test(value)
}

/** Payload file name, built only from validated values. */
export function payloadFileName(
  forecastId: string,
  period: string,
  format: 'JSON' | 'CSV'
): string {
  return `${forecastId}_${period}.${format === 'CSV' ? 'csv' : 'json'}`
}

/** A payload a manifest lists as DONE, with the snapshot it is. */
export interface ListedPayload {
  forecastId: string
  period: string
  /** Relative to the manifest's folder. */
  file: string
  snapshot: SnapshotIdentity
}

// `YYYY_QN`, as the action records periods.
const PERIOD = /^\d{4}_Q[1-4]$/

/**
 * The JSON payloads an export's manifest.json lists as DONE, each with its snapshot identity, or
 * why the manifest cannot say. The manifest is a file anyone could change: every field used is
 * checked, and an entry that fails a check is left out.
 */
export function listedPayloads(manifest: unknown): ListedPayload[] | { problem: string } {
  if (!isRecord(manifest) || manifest.tool !== MANIFEST_TOOL) {
    return { problem: `it is not a ${MANIFEST_FILE} this action wrote` }
  }
  const { forecastId, exports } = manifest
  if (typeof forecastId !== 'string' || !isForecastId(forecastId) || !Array.isArray(exports)) {
    return { problem: `its ${MANIFEST_FILE} names no forecast or lists no exports` }
  }
  return exports.flatMap((entry: unknown) => {
    if (!isRecord(entry) || entry.status !== 'DONE') return []
    const { period, file, jobId, snapshotAt } = entry
    if (typeof period !== 'string' || !PERIOD.test(period)) return []
    if (file !== payloadFileName(forecastId, period, 'JSON')) return []
    if (!isJobId(jobId) || !isSnapshotTime(snapshotAt)) return []
    return [{ forecastId, period, file, snapshot: { jobId, snapshotAt } }]
  })
}
