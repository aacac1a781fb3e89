import path from 'node:path'
import { errorMessage } from '../base/error-message.js'
import { withoutControls } from '../engine/index.js'
import { tablesLine } from '../engine/run/format.js'
import { TABLES_DIR } from '../engine/table-layout.js'
import { writeTables } from '../engine/tables/write-tables.js'
import { isForecastId } from '../settings/parse-settings.js'
import type { TablesCommand } from './args.js'
import type { CliContext } from './context.js'
import { shownPath } from './shown-path.js'

// `<forecast-id>_<period>.json`, as an export run names its payloads.
const PAYLOAD_NAME = /^(.+)_(\d{4}_Q[1-4])\.json$/

/**
 * Writes the tables of payloads already on disk, each to `tables/` in its own folder (or in
 * --output-dir). Returns how many could not be converted.
 */
export async function convertPayloads(command: TablesCommand, ctx: CliContext): Promise<number> {
  let failed = 0
  const report = (out: CliContext['stdout'], line: string): void =>
    void out.write(`${withoutControls(line)}\n`)
  for (const payload of command.payloads) {
    const file = path.resolve(ctx.cwd, payload)
    const name = PAYLOAD_NAME.exec(path.basename(file))
    if (!name || !isForecastId(name[1]!)) {
      report(
        ctx.stderr,
        `clari-export: ${payload}: not a payload name: tables need <forecast-id>_<YYYY_QN>.json, as an export writes it`
      )
      failed++
      continue
    }
    const [, forecastId, period] = name as unknown as [string, string, string]
    const outputDir = path.resolve(ctx.cwd, command.outputDir ?? path.dirname(file))
    try {
      const tables = await writeTables(file, {
        outputDir,
        forecastId,
        period,
        format: command.format,
        signal: ctx.signal
      })
      report(
        ctx.stdout,
        `${payload}: ${tablesLine(tables)} (in ${shownPath(ctx.cwd, path.join(outputDir, TABLES_DIR))})`
      )
    } catch (error) {
      if (ctx.signal.aborted) throw error
      report(ctx.stderr, `clari-export: ${payload}: ${errorMessage(error)}`)
      failed++
    }
  }
  return failed
}
