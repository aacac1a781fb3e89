import { lstat, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { errorMessage } from '../base/error-message.js'
import { withoutControls } from '../engine/index.js'
import { listedPayloads, MANIFEST_FILE, type ListedPayload } from '../engine/manifest.js'
import { tablesLine } from '../engine/run/format.js'
import { TABLES_DIR } from '../engine/table-layout.js'
import { writeTables } from '../engine/tables/write-tables.js'
import { formatBytes } from '../engine/units.js'
import type { TablesCommand } from './args.js'
import type { CliContext } from './context.js'
import type { TerminalOutput } from './progress.js'
import { shownPath } from './shown-path.js'

// A manifest lists one entry per period: far below this even for hundreds of periods.
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
// A conversion shorter than this shows no progress; a pipe gets a line this often.
const PROGRESS_AFTER_MS = 1_000
const PIPE_LINE_MS = 10_000
const CLEAR_LINE = '\r\x1b[2K'

/** One payload to convert: as the user named it, where it is, and the snapshot it is. */
interface Conversion {
  shown: string
  file: string
  listed: ListedPayload
}

/**
 * `clari-export tables`: writes the tables of exports already on disk, each to `tables/` in the
 * payload's folder (or in --output-dir). An export folder's manifest.json names its payloads and
 * the snapshot each one is; a payload given by name must be listed in its own folder's
 * manifest.json. Returns how many folders or payloads could not be converted.
 */
export async function convertPayloads(command: TablesCommand, ctx: CliContext): Promise<number> {
  let failed = 0
  const complain = (subject: string, problem: string): void => {
    ctx.stderr.write(`clari-export: ${withoutControls(`${subject}: ${problem}`)}\n`)
    failed++
  }
  for (const given of command.paths) {
    const found = await conversionsOf(given, ctx.cwd)
    if ('problem' in found) complain(given, found.problem)
    else {
      for (const conversion of found) {
        const problem = await convert(conversion, command, ctx)
        if (problem !== undefined) complain(conversion.shown, problem)
      }
    }
  }
  return failed
}

/** What a path names: a folder's listed payloads, one listed payload, or nothing (manifest.json). */
async function conversionsOf(
  given: string,
  cwd: string
): Promise<Conversion[] | { problem: string }> {
  const full = path.resolve(cwd, given)
  const info = await stat(full).catch(() => undefined)
  if (info === undefined) return { problem: 'no such file or folder' }
  if (info.isDirectory()) {
    const listed = await readManifest(full)
    if ('problem' in listed) return listed
    if (listed.length === 0)
      return { problem: `its ${MANIFEST_FILE} lists no finished JSON payload` }
    return listed.map(l => ({
      shown: path.join(given, l.file),
      file: path.join(full, l.file),
      listed: l
    }))
  }
  // `clari-export/*.json` names the manifest too: it is no payload, and says what the others are.
  if (path.basename(full) === MANIFEST_FILE) return []
  const listed = await readManifest(path.dirname(full))
  if ('problem' in listed) return { problem: `its snapshot is unknown: ${listed.problem}` }
  const entry = listed.find(l => l.file === path.basename(full))
  if (entry === undefined) {
    return {
      problem: `the ${MANIFEST_FILE} beside it does not list it as a finished JSON payload, so its snapshot is unknown`
    }
  }
  return [{ shown: given, file: full, listed: entry }]
}

/** The payloads the manifest.json in `dir` lists, or why it cannot say. */
async function readManifest(dir: string): Promise<ListedPayload[] | { problem: string }> {
  const file = path.join(dir, MANIFEST_FILE)
  const info = await lstat(file).catch(() => undefined)
  if (!info?.isFile()) {
    return {
      problem: `there is no ${MANIFEST_FILE} in ${dir} (it tells each payload's job and snapshot time: convert a folder as the export wrote it)`
    }
  }
  if (info.size > MAX_MANIFEST_BYTES) return { problem: `${file} is larger than a manifest can be` }
  try {
    return listedPayloads(JSON.parse(await readFile(file, 'utf8')))
  } catch {
    return { problem: `${file} is not valid JSON` }
  }
}

/** Converts one payload; returns the problem, if any. */
async function convert(
  { shown, file, listed }: Conversion,
  command: TablesCommand,
  ctx: CliContext
): Promise<string | undefined> {
  const outputDir = path.resolve(ctx.cwd, command.outputDir ?? path.dirname(file))
  const size = (await stat(file).catch(() => undefined))?.size ?? 0
  const progress = progressLine(ctx.stderr, shown, size)
  try {
    const result = await writeTables(file, {
      outputDir,
      forecastId: listed.forecastId,
      period: listed.period,
      snapshot: listed.snapshot,
      format: command.format,
      csvFormulaGuard: command.csvFormulaGuard,
      signal: ctx.signal,
      onProgress: progress.update
    })
    progress.stop()
    ctx.stdout.write(
      `${withoutControls(`${shown}: ${tablesLine(result.tables)} (in ${shownPath(ctx.cwd, path.join(outputDir, TABLES_DIR))})`)}\n`
    )
    for (const warning of result.warnings) {
      ctx.stderr.write(`${withoutControls(`${shown}: warning: ${warning}`)}\n`)
    }
    return undefined
  } catch (error) {
    progress.stop()
    if (ctx.signal.aborted) throw error
    return errorMessage(error)
  }
}

/**
 * How far a long conversion got: a line redrawn in place on a terminal, a line every ten seconds
 * on a pipe; nothing for a conversion that ends within a second.
 */
export function progressLine(
  out: TerminalOutput,
  shown: string,
  size: number,
  now: () => number = Date.now
): { update: (bytes: number) => void; stop: () => void } {
  const startedAt = now()
  let shownAt = 0
  let drawn = false
  return {
    update(bytes) {
      const at = now()
      if (at - startedAt < PROGRESS_AFTER_MS || at - shownAt < (out.isTTY ? 250 : PIPE_LINE_MS)) {
        return
      }
      shownAt = at
      const percent = size > 0 ? Math.min(100, Math.floor((100 * bytes) / size)) : 0
      const line = withoutControls(`${shown}: ${percent} % of ${formatBytes(size)} read`)
      if (out.isTTY) {
        out.write(`${CLEAR_LINE}${line}`)
        drawn = true
      } else out.write(`${line}\n`)
    },
    stop() {
      if (drawn) out.write(CLEAR_LINE)
      drawn = false
    }
  }
}
