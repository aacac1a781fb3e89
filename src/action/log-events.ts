import * as core from '@actions/core'
import type { ExportEvent } from '../engine/events.js'
import {
  finishedLine,
  historyLine,
  notResumingLine,
  tablesLine,
  waitingLine
} from '../engine/run/format.js'
import { formatDuration } from '../engine/units.js'

/**
 * Shows the engine's events in the step log. Every line about a period starts with it. One
 * period at a time, each gets a log group; when periods run at once their lines interleave, so
 * there are no groups, and a line whenever a job starts or ends names the jobs still in flight.
 */
export function createEventLogger(): (event: ExportEvent) => void {
  let concurrent = false
  let groupOpen = false
  return event => {
    if (event.type === 'concurrency' && event.limit > 1) {
      concurrent = true
      // Raised mid-run (auto): the open group would swallow the next period's lines.
      if (groupOpen) core.endGroup()
      groupOpen = false
    }
    if (event.type === 'period-started' && !concurrent) {
      core.startGroup(`Period ${event.period} (${event.index + 1} of ${event.total})`)
      groupOpen = true
      return
    }
    if (event.type === 'jobs-in-flight' && !concurrent) return
    logEvent(event)
    if (event.type === 'period-finished' && groupOpen) {
      core.endGroup()
      groupOpen = false
    }
  }
}

function logEvent(event: ExportEvent): void {
  switch (event.type) {
    case 'period-started':
      return
    case 'job-created':
      core.info(
        event.adopted
          ? `${event.period}: found job ${event.jobId} created by a request whose answer was lost; using it`
          : `${event.period}: created export job ${event.jobId}`
      )
      return
    case 'status': {
      const next =
        event.nextCheckMs !== undefined
          ? `; next check in ${formatDuration(event.nextCheckMs)}`
          : ''
      core.debug(
        `${event.period}: status ${event.status} at ${formatDuration(event.elapsedMs)} (check ${event.poll})${next}`
      )
      return
    }
    case 'unknown-status':
      core.info(
        `${event.period}: Clari reported an undocumented status "${event.status}"; treating it as still running`
      )
      return
    case 'waiting':
      core.info(waitingLine(event))
      return
    case 'warning':
      core.warning(`${event.period}: ${event.message}`)
      return
    case 'notice':
      core.notice(`${event.period}: ${event.message}`)
      return
    case 'job-cancelled':
      core.info(`${event.period}: cancel job ${event.jobId}: ${event.result}`)
      return
    case 'jobs-in-flight': {
      const flying = event.inFlight.length > 0 ? event.inFlight.join(', ') : 'none'
      core.info(`${event.period}: job ${event.jobId} ${event.change}; in flight: ${flying}`)
      return
    }
    case 'concurrency':
      core.info(`Exporting up to ${event.limit} period(s) at once (${event.detail})`)
      return
    case 'resume':
      if (event.unusable) {
        core.notice(notResumingLine(event.source, event.unusable))
        return
      }
      core.info(
        [
          `Resuming from ${event.source}:`,
          `reused ${listOrNone(event.reused)} (no request to Clari);`,
          `asking Clari again about the jobs of ${listOrNone(event.repolled)};`,
          `exporting anew ${listOrNone(event.anew)}`
        ].join(' ')
      )
      return
    case 'earlier-job':
      core.info(`${event.period}: earlier attempt's job ${event.jobId}: ${event.found}`)
      return
    case 'history':
      core.info(historyLine(event))
      return
    case 'period-finished': {
      const o = event.outcome
      core.info(finishedLine(o))
      if (o.tables) core.info(`${o.period}: ${tablesLine(o.tables)}`)
      return
    }
  }
}

function listOrNone(periods: string[]): string {
  return periods.length > 0 ? periods.join(', ') : 'none'
}
