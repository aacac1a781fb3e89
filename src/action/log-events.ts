import * as core from '@actions/core'
import type { ExportEvent } from '../engine/events.js'
import { failureLine, formatBytes, formatDuration, tablesLine } from '../engine/format.js'

/** Shows the engine's events in the step log: one group per period, poll details at debug. */
export function createEventLogger(): (event: ExportEvent) => void {
  let groupOpen = false
  return event => {
    if (event.type === 'period-started') groupOpen = true
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
      core.startGroup(`Period ${event.period} (${event.index + 1} of ${event.total})`)
      return
    case 'job-created':
      core.info(
        event.adopted
          ? `Found job ${event.jobId} created by a request whose answer was lost; using it`
          : `Created export job ${event.jobId}`
      )
      return
    case 'status': {
      const next =
        event.nextCheckMs !== undefined
          ? `; next check in ${formatDuration(event.nextCheckMs)}`
          : ''
      core.debug(
        `status ${event.status} at ${formatDuration(event.elapsedMs)} (check ${event.poll})${next}`
      )
      return
    }
    case 'unknown-status':
      core.info(
        `Clari reported an undocumented status "${event.status}"; treating it as still running`
      )
      return
    case 'waiting':
      core.info(`Waiting ${formatDuration(event.waitMs)} (${event.reason}): ${event.detail}`)
      return
    case 'warning':
      core.warning(`${event.period}: ${event.message}`)
      return
    case 'job-cancelled':
      core.info(`Cancel job ${event.jobId}: ${event.result}`)
      return
    case 'period-finished': {
      const o = event.outcome
      if (o.status === 'DONE') {
        core.info(
          `${o.period}: DONE, ${o.file} (${formatBytes(o.bytes)}) in ${formatDuration(o.durationMs)}, ${o.statusPolls} status checks`
        )
        if (o.tables) core.info(`${o.period}: ${tablesLine(o.tables)}`)
      } else {
        core.info(failureLine(o))
      }
      return
    }
  }
}
