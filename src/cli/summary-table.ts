import {
  PERIOD_COLUMNS,
  resumeLine,
  runTotals,
  totalsLine,
  type EarlierRunName
} from '../engine/run/format.js'
import { withoutControls } from '../engine/index.js'
import { MANIFEST_FILE } from '../engine/manifest.js'
import type { RunReport } from '../engine/run/run-export.js'

const HEADER = PERIOD_COLUMNS.map(c => c.header)

/**
 * The run's summary as plain text: one row per period, the problems (periodProblems' lines),
 * totals, where the files are, and what to do next (`advice`).
 */
export function summaryTable(
  report: RunReport,
  where: { outputDir: string; earlier: EarlierRunName },
  problems: string[],
  advice?: string
): string {
  const rows = report.manifest.exports.map(o =>
    PERIOD_COLUMNS.map(c => withoutControls(c.text(o, where.earlier)))
  )
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd()
  return [
    line(HEADER),
    line(widths.map(w => '-'.repeat(w))),
    ...rows.map(line),
    '',
    // Server text may carry terminal escapes; it is shown without them.
    ...problems.map(line => `failed: ${withoutControls(line)}`),
    `${totalsLine(runTotals(report))}.`,
    ...[resumeLine(report, where.earlier)].flatMap(line => (line ? [`${line}.`] : [])),
    `Files in ${where.outputDir} (${MANIFEST_FILE} lists every period).`,
    ...(advice ? [advice] : []),
    ''
  ].join('\n')
}
