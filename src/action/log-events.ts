import * as core from '@actions/core'
import type { ExportEvent } from '../engine/events.js'
import {
  attemptName,
  finishedLine,
  historyLine,
  resumingLine,
  tablesLine,
  waitingLine
} from '../engine/run/format.js'
import { formatDuration, plural } from '../engine/units.js'

/**
 * Shows the engine's events in the step log. Every line about a period starts with it. One
 * period at a time, each gets a log group; when periods run at once their lines interleave, so
 * there are no groups, and a line whenever a job starts or ends names the jobs still in flight.
 */
export function createEventLogger(): (event: ExportEvent) => void {
  let concurrent = false
  let groupOpen = false
  // What became of a job the run gave up on ends its period's line: one line per period.
  const cancels = new Map<string, string>()
  return event => {
    if (event.type === 'job-cancelled') {
      cancels.set(event.period, event.result)
      return
    }
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
    if (event.type === 'period-finished') {
      const o = event.outcome
      core.info(finishedLine(o, attemptName, cancels.get(o.period)))
      if (o.tables) core.info(`${o.period}: ${tablesLine(o.tables)}`)
    } else {
      logEvent(event)
    }
    if (event.type === 'period-finished' && groupOpen) {
      core.endGroup()
      groupOpen = false
    }
  }
}

function logEvent(
  event: Exclude<ExportEvent, { type: 'period-finished' | 'job-cancelled' }>
): void {
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
    case 'jobs-in-flight': {
      const flying =
        event.inFlight.length > 0
          ? `in flight: ${event.inFlight.join(', ')}`
          : 'no job of this run in flight'
      core.info(`${event.period}: job ${event.jobId} ${event.change}; ${flying}`)
      return
    }
    case 'concurrency':
      core.info(`Exporting up to ${plural(event.limit, 'period')} at once (${event.detail})`)
      return
    case 'resume':
      if (event.unusable) core.notice(resumingLine(event))
      else core.info(resumingLine(event))
      return
    case 'earlier-job':
      core.info(`${event.period}: earlier attempt's job ${event.jobId}: ${event.found}`)
      return
    case 'history':
      core.info(historyLine(event))
      return
  }
}
