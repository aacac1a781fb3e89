import { rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Manifest } from './outcome.js'
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

/** Payload file name, built only from validated values. */
export function payloadFileName(
  forecastId: string,
  period: string,
  format: 'JSON' | 'CSV'
): string {
  return `${forecastId}_${period}.${format === 'CSV' ? 'csv' : 'json'}`
}
