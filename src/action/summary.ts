import * as core from '@actions/core'
import {
  attemptName,
  PERIOD_COLUMNS,
  planLines,
  resumeLine,
  runTotals,
  totalsLine,
  truncation,
  type PeriodColumnKey
} from '../engine/run/format.js'
import type { PeriodOutcome, PeriodTimeline } from '../engine/outcome.js'
import type { ExportPlan } from '../engine/run/plan.js'
import type { RunReport } from '../engine/run/run-export.js'
import type { ArtifactResult } from './artifact.js'
import { element, table, text } from './html.js'

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
 * files went. Each part is an HTML element on its own line (`html.ts`: every element closed,
 * every text inert as HTML and as Markdown), with blank lines between them. 40 periods at most
 * keep it far below the runner's 1 MiB limit.
 */
export async function writeSummary(
  report: RunReport,
  artifact: ArtifactResult | undefined,
  /** One line of advice after a failure, e.g. what "Re-run failed jobs" would do. */
  advice?: string
): Promise<void> {
  const { manifest } = report
  const rows = manifest.exports.map(o => [
    ...PERIOD_COLUMNS.map(c => summaryCell(c.key, c.text(o, attemptName), o)),
    text(o.error ?? truncation(o) ?? '')
  ])
  const resumed = resumeLine(report, attemptName)
  const parts = [
    element('h2', text(`Clari forecast export: ${manifest.forecastId}`)),
    element('p', text(`${totalsLine(runTotals(report))}.`)),
    resumed && element('p', text(`${resumed}.`)),
    table([[...PERIOD_COLUMNS.map(c => c.header), 'Error'].map(text), ...rows]),
    advice && element('p', text(advice))
  ]
  const gantt = timelineGantt(manifest.exports)
  if (gantt) {
    parts.push(
      element('h3', 'Timeline'),
      `\`\`\`mermaid\n${gantt}\`\`\``,
      element('details', element('summary', 'Times (UTC)') + timesTable(manifest.exports))
    )
  }
  parts.push(artifact && artifactLine(artifact))
  await writeParts(parts)
}

/** A dry run's summary: the plan, the quota left and the slots free, as the log says them. */
export async function writePlanSummary(plan: ExportPlan): Promise<void> {
  await writeParts([
    element('h2', text(`Clari forecast export: ${plan.forecastId} (dry run)`)),
    ...planLines(plan).map(line => element('p', text(line))),
    plan.problem && element('p', `⚠️ ${text(`Dry run: ${plan.problem}`)}`)
  ])
}

/** Blocks apart: each starts a line, so GitHub reads it as HTML, and the fence as a fence. */
async function writeParts(parts: (string | false | undefined)[]): Promise<void> {
  const blocks = parts.filter((part): part is string => Boolean(part))
  await core.summary.addRaw(`${blocks.join('\n\n')}\n`).write()
}

function artifactLine(artifact: ArtifactResult): string | undefined {
  const name = text(`Artifact ${artifact.name}`)
  if (artifact.uploaded?.url) {
    return element('p', element('a', name, { href: artifact.uploaded.url }))
  }
  if (artifact.uploaded) return element('p', `${name} (id ${artifact.uploaded.id})`)
  // The artifact service's own text: inert, and shown as the quote it is.
  if (artifact.error) {
    return element('p', `${name}: upload failed: ${element('code', text(artifact.error))}`)
  }
  return undefined
}

/** A column's text as a summary cell: inert, the status with its icon, the job as code. */
function summaryCell(key: PeriodColumnKey, value: string, outcome: PeriodOutcome): string {
  if (key === 'status') {
    const icon = truncation(outcome) ? '⚠️' : (STATUS_ICON[outcome.status] ?? '❌')
    return `${icon} ${text(value)}`
  }
  if (key === 'job') return value ? element('code', text(value)) : ''
  return text(value)
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
  return table([
    ['Period', ...MILESTONES.map(m => m.label)],
    ...exports.map(o => [text(o.period), ...MILESTONES.map(m => timeOfDay(o.timeline[m.key]))])
  ])
}

function timeOfDay(iso: string | undefined): string {
  const at = iso ? new Date(iso) : undefined
  return at && Number.isFinite(at.getTime()) ? at.toISOString().slice(11, 19) : ''
}

/** Mermaid has no escaping: keep a section name to characters that cannot end or nest it. */
function mermaidLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '_')
}
