import { createReadStream } from 'node:fs'
import { lstat, readFile } from 'node:fs/promises'
import path from 'node:path'
import { writePayload } from '../checks/payload-file.js'
import type { ExportConfig } from '../config.js'
import { MANIFEST_FILE } from '../manifest.js'
import { MAX_MANIFEST_BYTES, readEarlierManifest } from './earlier-manifest.js'
import type { EarlierRun, NoEarlierRun, ResumeSource } from './earlier-run.js'

/**
 * Takes over a payload an earlier run wrote, as if it were being downloaded: it streams through
 * the same checks a fresh download passes (`writePayload`: JSON syntax and period, or the CSV
 * header; max-payload-size) and must hash to the sha256 its manifest recorded, and only then
 * appears under its name in the output folder. Returns its size and sha256, or why it cannot be
 * used; throws only for what is not the payload's fault (a full disk).
 */
export async function takeOverPayload(
  earlier: Pick<EarlierRun, 'dir' | 'leftOut'>,
  config: ExportConfig,
  period: string,
  reuse: { file: string; sha256: string },
  signal: AbortSignal
): Promise<{ bytes: number; sha256: string } | { problem: string }> {
  const { file, sha256 } = reuse
  const leftOut = earlier.leftOut.get(file)
  if (leftOut !== undefined) return { problem: `${file}: ${leftOut}` }
  const source = path.join(earlier.dir, file)
  const info = await lstat(source).catch(() => undefined)
  if (!info?.isFile()) return { problem: `${file} is missing` }
  try {
    return await writePayload(createReadStream(source, { signal }), config.outputDir, file, {
      format: config.exportFormat,
      period,
      maxBytes: config.maxPayloadBytes,
      sha256
    })
  } catch (error) {
    if (signal.aborted || (error as NodeJS.ErrnoException).code) throw error
    return { problem: `${file}: ${(error as Error).message}` }
  }
}

/**
 * The manifest.json a run left in `dir` and the payloads beside it (the terminal runner resumes
 * from its own output folder), read into the checked shape like an artifact's.
 */
export function folderSource(dir: string): ResumeSource {
  return {
    label: `output-dir's ${MANIFEST_FILE}`,
    async find(config): Promise<EarlierRun | NoEarlierRun> {
      const file = path.join(dir, MANIFEST_FILE)
      const info = await lstat(file).catch(() => undefined)
      if (!info?.isFile())
        return { kind: 'missing', reason: `there is no ${MANIFEST_FILE} in ${dir}` }
      if (info.size > MAX_MANIFEST_BYTES) {
        return { kind: 'unreadable', reason: `${file} is larger than a manifest can be` }
      }
      const manifest = readEarlierManifest(await readFile(file), {
        forecastId: config.forecastId,
        apiKey: config.clari.apiKey
      })
      if ('problem' in manifest) return { kind: manifest.kind, reason: manifest.problem }
      return { manifest, dir, leftOut: new Map(), source: file, dispose: async () => {} }
    }
  }
}
