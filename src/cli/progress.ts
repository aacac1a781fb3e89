import type { ExportEvent } from '../engine/events.js'
import { failureLine, formatBytes, formatDuration, tablesLine } from '../engine/format.js'
import { terminalSafe } from './terminal-text.js'

export interface TerminalOutput {
  write(text: string): unknown
  /** A terminal gets one live line; a pipe or file gets plain lines it can keep. */
  isTTY?: boolean
}

export interface Progress {
  onEvent(event: ExportEvent): void
  /** Clears the live line and stops redrawing it. */
  stop(): void
}

interface LiveState {
  label: string
  state: string
  startedAt: number
  nextCheckAt?: number
}

const REDRAW_MS = 1_000
const CLEAR_LINE = '\r\x1b[2K'

/**
 * Shows the run as it happens: period, state, elapsed time and the next status check. On a
 * terminal that is one line redrawn every second; elsewhere one line per change.
 */
export function createProgress(out: TerminalOutput, now: () => number = Date.now): Progress {
  const live = out.isTTY === true
  let current: LiveState | undefined
  let timer: NodeJS.Timeout | undefined

  const liveLine = (): string => {
    if (!current) return ''
    const elapsed = formatDuration(now() - current.startedAt)
    const next =
      current.nextCheckAt !== undefined
        ? `, next check in ${formatDuration(Math.max(0, current.nextCheckAt - now()))}`
        : ''
    return terminalSafe(`${current.label} ${current.state}, ${elapsed} elapsed${next}`)
  }
  const redraw = (): void => {
    if (current) out.write(CLEAR_LINE + liveLine())
  }
  /** A line that stays: above the live line on a terminal. */
  const print = (text: string): void => {
    const line = terminalSafe(text)
    out.write(live ? `${CLEAR_LINE}${line}\n${liveLine()}` : `${line}\n`)
  }
  const update = (state: string, nextCheckMs?: number): void => {
    if (!current) return
    current.state = state
    current.nextCheckAt = nextCheckMs !== undefined ? now() + nextCheckMs : undefined
    if (live) redraw()
    else out.write(`${liveLine()}\n`)
  }

  return {
    onEvent(event) {
      switch (event.type) {
        case 'period-started':
          current = {
            label: `[${event.index + 1}/${event.total}] ${event.period}`,
            state: 'creating the export job',
            startedAt: now()
          }
          if (live) timer ??= setInterval(redraw, REDRAW_MS).unref()
          update(current.state)
          return
        case 'job-created':
          print(
            `${event.period}: ${event.adopted ? 'found job' : 'created job'} ${event.jobId}${event.adopted ? ' (its create answer was lost)' : ''}`
          )
          // A pipe already has the line above; only the live line shows the state.
          if (live) update('SCHEDULED')
          return
        case 'status':
          // The last status of a period is reported by period-finished.
          if (event.nextCheckMs !== undefined || live) update(event.status, event.nextCheckMs)
          return
        case 'waiting':
          print(
            `${event.period}: waiting ${formatDuration(event.waitMs)} (${event.reason}): ${event.detail}`
          )
          update(`waiting (${event.reason})`, event.waitMs)
          return
        case 'unknown-status':
          print(`${event.period}: undocumented status "${event.status}", treated as still running`)
          return
        case 'warning':
          print(`${event.period}: warning: ${event.message}`)
          return
        case 'job-cancelled':
          print(`${event.period}: cancel job ${event.jobId}: ${event.result}`)
          return
        case 'period-finished': {
          const o = event.outcome
          current = undefined
          print(
            o.status === 'DONE'
              ? `${o.period}: DONE, ${o.file} (${formatBytes(o.bytes)}) in ${formatDuration(o.durationMs)}`
              : failureLine(o)
          )
          if (o.tables) print(`${o.period}: ${tablesLine(o.tables)}`)
          return
        }
      }
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      if (live) out.write(CLEAR_LINE)
    }
  }
}
