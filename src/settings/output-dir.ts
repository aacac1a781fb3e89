import { readdir, readFile, realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { withoutControls } from '../engine/index.js'
import { MANIFEST_FILE } from '../engine/manifest.js'
import { MANIFEST_TOOL } from '../engine/outcome.js'
import { TABLES_DIR } from '../engine/table-layout.js'
import { InputError } from './input-error.js'

// A manifest.json larger than this is not one the action wrote.
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
// What a write interrupted before its rename leaves (src/engine/temp-file.ts).
const PARTIAL = /^\..+\.[0-9a-f]{12}\.partial$/
const PERIOD = '\\d{4}_Q[1-4]'

/**
 * The action's fence around output-dir, checked before the first request: the folder stays
 * inside the workspace (symlinks resolved) unless allow-output-outside-workspace is true, and it
 * is never the workspace root while the root holds anything the action does not write there
 * (`output-dir: .` after a checkout would replace the repository's own manifest.json).
 */
export async function checkOutputDir(
  outputDir: string,
  workspace: string,
  options: { allowOutside: boolean; forecastId: string }
): Promise<void> {
  const root = await realPath(path.resolve(workspace))
  const folder = await realPath(path.resolve(outputDir))
  const relative = path.relative(root, folder)
  const outside = relative.startsWith('..') || path.isAbsolute(relative)
  if (outside && !options.allowOutside) {
    throw new InputError(
      'output-dir',
      `is ${shown(outputDir)}, outside the workspace ${shown(workspace)}`,
      'a folder inside the workspace, such as clari-export; or set allow-output-outside-workspace: true'
    )
  }
  if (relative !== '') return
  const foreign = await firstForeignEntry(folder, options.forecastId)
  if (foreign !== undefined) {
    throw new InputError(
      'output-dir',
      `is the workspace root, which holds ${shown(foreign)}, not written by this action (its manifest.json, payloads and tables/ would land among the repository's files and replace those of the same names)`,
      'a folder of its own, such as clari-export'
    )
  }
}

/** The path with every symlink resolved, as far as it exists; the rest as written. */
async function realPath(target: string): Promise<string> {
  const missing: string[] = []
  let existing = target
  for (;;) {
    try {
      return path.join(await realpath(existing), ...missing)
    } catch {
      const parent = path.dirname(existing)
      // Stryker disable next-line ConditionalExpression: the filesystem root always resolves, so the loop ends there before this guard matters
      if (parent === existing) return target
      missing.unshift(path.basename(existing))
      existing = parent
    }
  }
}

/** The first entry (by name) of the folder that the action does not write there, if any. */
async function firstForeignEntry(dir: string, forecastId: string): Promise<string | undefined> {
  const payload = new RegExp(`^${escapeRegExp(forecastId)}_${PERIOD}\\.(json|csv)$`)
  for (const name of (await readdir(dir)).sort()) {
    if (name === TABLES_DIR || PARTIAL.test(name) || payload.test(name)) continue
    if (name === MANIFEST_FILE && (await isOurManifest(path.join(dir, name)))) continue
    return name
  }
  return undefined
}

async function isOurManifest(file: string): Promise<boolean> {
  try {
    if ((await stat(file)).size > MAX_MANIFEST_BYTES) return false
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { tool?: unknown } | null
    return parsed?.tool === MANIFEST_TOOL
  } catch {
    return false
  }
}

function shown(text: string): string {
  return JSON.stringify(withoutControls(text))
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
