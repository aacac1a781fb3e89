import * as core from '@actions/core'
import {
  PERIOD_COLUMNS,
  resumeLine,
  runTotals,
  totalsLine,
  truncation,
  type PeriodColumnKey
} from '../engine/run/format.js'
import type { PeriodOutcome, PeriodTimeline } from '../engine/outcome.js'
import type { RunReport } from '../engine/run/run-export.js'
import type { ArtifactResult } from './artifact.js'

const STATUS_ICON: Record<string, string> = { DONE: '✅', TIMED_OUT: '⏱️', CANCELLED: '⏹️' }

/** The milestones of a period in order, and the name of the phase each one starts. */
const MILESTONES: { key: keyof PeriodTimeline; label: string; phase: string }[] = [
  { key: 'createdAt', label: 'Queued', phase: 'queued' },
  { key: 'runningAt', label: 'Running', phase: 'running' },
  { key: 'doneAt', label: 'Done', phase: 'downloading' },
  { key: 'downloadedAt', label: 'Downloaded', phase: 'downloaded' }
]
// Mermaid colours: running in the accent colour, the download greyed as done, failures red.
const PHASE_TAG: Record<string, string> = { running: 'active, ', downloading: 'done, ' }

/**
 * The job summary: totals, one row per period, a timeline GitHub draws as a Mermaid gantt chart
 * (its Markdown renders ```mermaid blocks) with the exact times folded below it, then where the
 * files went. Everything from the server is escaped; 40 periods at most keep it far below the
 * runner's 1 MiB limit.
 */
export async function writeSummary(
  report: RunReport,
  artifact: ArtifactResult | undefined
): Promise<void> {
  const { manifest } = report
  const rows = manifest.exports.map(o => [
    ...PERIOD_COLUMNS.map(c => summaryCell(c.key, c.text(o), o)),
    escapeHtml(o.error ?? truncation(o) ?? '')
  ])
  const summary = core.summary
    .addHeading(`Clari forecast export: ${escapeHtml(manifest.forecastId)}`, 2)
    .addRaw(`${escapeHtml(totalsLine(runTotals(report)))}.`, true)
  const resumed = resumeLine(report)
  if (resumed) summary.addRaw(`${escapeHtml(resumed)}.`, true)
  summary.addTable([
    [...PERIOD_COLUMNS.map(c => c.header), 'Error'].map(data => ({ data, header: true })),
    ...rows
  ])
  const gantt = timelineGantt(manifest.exports)
  if (gantt) {
    summary
      .addHeading('Timeline', 3)
      .addRaw(`\n\`\`\`mermaid\n${gantt}\`\`\`\n`, true)
      .addDetails('Times (UTC)', timesTable(manifest.exports))
  }
  if (artifact?.uploaded) {
    const label = `Artifact ${escapeHtml(artifact.name)}`
    if (artifact.uploaded.url) summary.addLink(label, artifact.uploaded.url)
    else summary.addRaw(`${label} (id ${artifact.uploaded.id})`, true)
  } else if (artifact?.error) {
    summary.addRaw(`Artifact upload failed: ${escapeHtml(artifact.error)}`, true)
  }
  await summary.write()
}

/** A column's text as a summary cell: escaped, the status with its icon, the job as code. */
function summaryCell(key: PeriodColumnKey, text: string, outcome: PeriodOutcome): string {
  if (key === 'status') {
    const icon = truncation(outcome) ? '⚠️' : (STATUS_ICON[outcome.status] ?? '❌')
    return `${icon} ${escapeHtml(text)}`
  }
  if (key === 'job') return text ? `<code>${escapeHtml(text)}</code>` : ''
  return escapeHtml(text)
}

/** One section per period that got a job, one bar per phase between two known milestones. */
function timelineGantt(exports: PeriodOutcome[]): string | undefined {
  const sections = exports.flatMap(o => {
    const seen = MILESTONES.flatMap(m => {
      const at = o.timeline[m.key] ? Date.parse(o.timeline[m.key]!) : NaN
      return Number.isFinite(at) ? [{ ...m, at }] : []
    })
    if (seen.length === 0) return []
    const bars = seen.slice(0, -1).map((m, i) => {
      const next = seen[i + 1]!
      // Clari may go from queued to DONE between two checks: that span is "in Clari".
      const phase = m.phase === 'queued' && next.phase !== 'running' ? 'in Clari' : m.phase
      return `    ${phase} :${PHASE_TAG[phase] ?? ''}${m.at}, ${next.at}`
    })
    const last = seen[seen.length - 1]!
    if (o.status !== 'DONE') {
      // A failed period's last phase runs until the action gave up on it.
      const ended = o.timeline.endedAt ? Date.parse(o.timeline.endedAt) : NaN
      bars.push(
        ended > last.at
          ? `    ${o.status} :crit, ${last.at}, ${ended}`
          : `    ${o.status} :crit, milestone, ${last.at}, ${last.at}`
      )
    }
    return [`  section ${mermaidLabel(o.period)}`, ...bars]
  })
  if (sections.length === 0) return undefined
  return ['gantt', '  dateFormat x', '  axisFormat %H:%M:%S', ...sections, ''].join('\n')
}

function timesTable(exports: PeriodOutcome[]): string {
  const cell = (tag: string, text: string): string => `<${tag}>${text}</${tag}>`
  const header = ['Period', ...MILESTONES.map(m => m.label)].map(h => cell('th', h)).join('')
  const rows = exports.map(o => {
    const times = MILESTONES.map(m => cell('td', timeOfDay(o.timeline[m.key])))
    return cell('tr', cell('td', escapeHtml(o.period)) + times.join(''))
  })
  return cell('table', cell('tr', header) + rows.join(''))
}

function timeOfDay(iso: string | undefined): string {
  const at = iso ? new Date(iso) : undefined
  return at && Number.isFinite(at.getTime()) ? at.toISOString().slice(11, 19) : ''
}

/** Mermaid has no escaping: keep a section name to characters that cannot end or nest it. */
function mermaidLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '_')
}

/** For HTML cells: no markup, no code spans or fences, one line. */
function escapeHtml(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').replace(/[&<>"'`]/g, c => `&#${c.charCodeAt(0)};`)
}
