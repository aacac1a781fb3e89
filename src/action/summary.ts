import * as core from '@actions/core'
import { formatBytes, formatDuration } from '../engine/format.js'
import type { RunReport } from '../engine/run-export.js'
import type { UploadedArtifact } from './artifact.js'

const STATUS_ICON: Record<string, string> = { DONE: '✅', TIMED_OUT: '⏱️', CANCELLED: '⏹️' }

/** The job summary: one row per period, then where the files went. */
export async function writeSummary(
  report: RunReport,
  artifact: { uploaded?: UploadedArtifact; name: string; error?: string } | undefined
): Promise<void> {
  const { manifest } = report
  const rows = manifest.exports.map(o => [
    o.period,
    `${STATUS_ICON[o.status] ?? '❌'} ${o.status}`,
    o.jobId ? `<code>${escapeHtml(o.jobId)}</code>` : '',
    formatBytes(o.bytes),
    formatDuration(o.durationMs),
    String(o.statusPolls),
    String(o.throttleWaits),
    escapeHtml(o.error ?? '')
  ])
  const summary = core.summary
    .addHeading(`Clari forecast export: ${escapeHtml(manifest.forecastId)}`, 2)
    .addRaw(
      `${report.exported.length} of ${manifest.exports.length} periods exported, ${report.requestCount} requests to Clari.`,
      true
    )
    .addTable([
      [
        'Period',
        'Status',
        'Job',
        'Size',
        'Duration',
        'Status checks',
        'Throttle waits',
        'Error'
      ].map(data => ({ data, header: true })),
      ...rows
    ])
  if (artifact?.uploaded) {
    const label = `Artifact ${escapeHtml(artifact.name)}`
    if (artifact.uploaded.url) summary.addLink(label, artifact.uploaded.url)
    else summary.addRaw(`${label} (id ${artifact.uploaded.id})`, true)
  } else if (artifact?.error) {
    summary.addRaw(`Artifact upload failed: ${escapeHtml(artifact.error)}`, true)
  }
  await summary.write()
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}
