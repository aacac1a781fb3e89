import { rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Manifest } from './outcome.js'

export const MANIFEST_FILE = 'manifest.json'
/** The manifest's `tool`: marks a manifest.json made by this action. */
export const MANIFEST_TOOL = 'clari-forecast-export-action'

/** Writes manifest.json atomically, so a reader never sees half of it. */
export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  const target = path.join(dir, MANIFEST_FILE)
  const partial = path.join(dir, `.${MANIFEST_FILE}.partial`)
  await writeFile(partial, `${JSON.stringify(manifest, null, 2)}\n`)
  await rename(partial, target)
  return target
}

/** Payload file name, built only from validated values. */
export function payloadFileName(
  forecastId: string,
  period: string,
  format: 'JSON' | 'CSV'
): string {
  return `${forecastId}_${period}.${format === 'CSV' ? 'csv' : 'json'}`
}
