import {
  formatBytes,
  formatDuration,
  provenance,
  resumeLine,
  runTotals,
  totalsLine
} from '../engine/format.js'
import { MANIFEST_FILE } from '../engine/manifest.js'
import type { RunReport } from '../engine/run-export.js'
import { terminalSafe } from './terminal-text.js'

const HEADER = ['Period', 'Status', 'Job', 'Size', 'Duration', 'Checks', 'Throttle waits']

/**
 * The run's summary as plain text: one row per period, the problems (periodProblems' lines),
 * totals, where the files are.
 */
export function summaryTable(report: RunReport, outputDir: string, problems: string[]): string {
  const rows = report.manifest.exports.map(o => [
    o.period,
    [o.status, provenance(o)].filter(Boolean).join(', '),
    terminalSafe(o.jobId ?? ''),
    formatBytes(o.bytes),
    formatDuration(o.durationMs),
    String(o.statusPolls),
    String(o.throttleWaits)
  ])
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
    ...problems.map(line => `failed: ${terminalSafe(line)}`),
    `${totalsLine(runTotals(report))}.`,
    ...[resumeLine(report)].flatMap(line => (line ? [`${line}.`] : [])),
    `Files in ${outputDir} (${MANIFEST_FILE} lists every period).`,
    ''
  ].join('\n')
}
