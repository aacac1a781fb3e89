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

/** Payload file name, built only from validated values. */
export function payloadFileName(
  forecastId: string,
  period: string,
  format: 'JSON' | 'CSV'
): string {
  return `${forecastId}_${period}.${format === 'CSV' ? 'csv' : 'json'}`
}
