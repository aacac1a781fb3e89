import type { ExportEvent } from '../engine/events.js'
import {
  finishedLine,
  historyLine,
  resumingLine,
  tablesLine,
  waitingLine,
  type EarlierRunName
} from '../engine/run/format.js'
import { formatDuration, plural } from '../engine/units.js'
import { withoutControls } from '../engine/index.js'

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
 * terminal that is one line redrawn every second, listing every period in flight; elsewhere one
 * line per change. Each period ends with one line, which says what became of a job the run gave
 * up on (`earlier` names the run a --resume took over from).
 */
export function createProgress(
  out: TerminalOutput,
  earlier: EarlierRunName,
  now: () => number = Date.now
): Progress {
  const live = out.isTTY === true
  const inFlight = new Map<string, LiveState>()
  const cancels = new Map<string, string>()
  let timer: NodeJS.Timeout | undefined

  const stateLine = (s: LiveState): string => {
    const elapsed = formatDuration(now() - s.startedAt)
    const next =
      s.nextCheckAt !== undefined
        ? `, next check in ${formatDuration(Math.max(0, s.nextCheckAt - now()))}`
        : ''
    return `${s.label} ${s.state}, ${elapsed} elapsed${next}`
  }
  const liveLine = (): string => {
    const states = [...inFlight.values()]
    if (states.length <= 1) return withoutControls(states.map(stateLine).join(''))
    const brief = states.map(s => `${s.label} ${s.state} ${formatDuration(now() - s.startedAt)}`)
    return withoutControls(`${states.length} in flight: ${brief.join(' · ')}`)
  }
  const redraw = (): void => {
    if (inFlight.size > 0) out.write(CLEAR_LINE + liveLine())
  }
  /** A line that stays: above the live line on a terminal. */
  const print = (text: string): void => {
    const line = withoutControls(text)
    out.write(live ? `${CLEAR_LINE}${line}\n${liveLine()}` : `${line}\n`)
  }
  const update = (period: string, state: string, nextCheckMs?: number): void => {
    const s = inFlight.get(period)
    if (!s) return
    s.state = state
    s.nextCheckAt = nextCheckMs !== undefined ? now() + nextCheckMs : undefined
    if (live) redraw()
    else out.write(`${withoutControls(stateLine(s))}\n`)
  }

  return {
    onEvent(event) {
      switch (event.type) {
        case 'period-started':
          inFlight.set(event.period, {
            label: `[${event.index + 1}/${event.total}] ${event.period}`,
            state: 'creating the export job',
            startedAt: now()
          })
          if (live) timer ??= setInterval(redraw, REDRAW_MS).unref()
          update(event.period, 'creating the export job')
          return
        case 'job-created':
          print(
            `${event.period}: ${event.adopted ? 'found job' : 'created job'} ${event.jobId}${event.adopted ? ' (its create answer was lost)' : ''}`
          )
          // A pipe already has the line above; only the live line shows the state.
          if (live) update(event.period, 'SCHEDULED')
          return
        case 'status':
          // The last status of a period is reported by period-finished.
          if (event.nextCheckMs !== undefined || live) {
            update(event.period, event.status, event.nextCheckMs)
          }
          return
        case 'waiting': {
          print(waitingLine(event))
          update(event.period, `waiting (${event.reason})`, event.waitMs)
          return
        }
        case 'unknown-status':
          print(`${event.period}: undocumented status "${event.status}", treated as still running`)
          return
        case 'warning':
          print(`${event.period}: warning: ${event.message}`)
          return
        case 'notice':
          print(`${event.period}: note: ${event.message}`)
          return
        case 'job-cancelled':
          // Told in the period's own last line.
          cancels.set(event.period, event.result)
          return
        case 'concurrency':
          print(`Exporting up to ${plural(event.limit, 'period')} at once (${event.detail})`)
          return
        case 'resume':
          print(resumingLine(event))
          return
        case 'earlier-job':
          print(`${event.period}: earlier job ${event.jobId}: ${event.found}`)
          return
        case 'history':
          print(historyLine(event))
          return
        case 'jobs-in-flight':
          // The live line lists them; a pipe gets no extra line for it.
          return
        case 'period-finished': {
          const o = event.outcome
          inFlight.delete(o.period)
          print(finishedLine(o, earlier, cancels.get(o.period)))
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
