import { afterEach, describe, expect, it } from 'vitest'
import type { ExportEvent } from '../../src/engine/events.js'
import { createProgress, type Progress } from '../../src/cli/progress.js'
import { periodOutcome } from '../helpers/period-outcome.js'

const CLEAR = '\r\x1b[2K'

const done = periodOutcome('2026_Q1', {
  jobId: 'job-1',
  bytes: 2048,
  durationMs: 65_000,
  statusPolls: 4
})

const EVENTS: ExportEvent[] = [
  { type: 'period-started', period: '2026_Q1', index: 0, total: 2 },
  { type: 'job-created', period: '2026_Q1', jobId: 'job-1', adopted: false },
  {
    type: 'status',
    period: '2026_Q1',
    jobId: 'job-1',
    status: 'STARTED',
    poll: 1,
    elapsedMs: 5_000,
    nextCheckMs: 7_000
  },
  {
    type: 'waiting',
    period: '2026_Q1',
    reason: 'throttled',
    waitMs: 20_000,
    detail: 'HTTP 429 \x1b[31mslow down\x1b[0m'
  },
  { type: 'status', period: '2026_Q1', jobId: 'job-1', status: 'DONE', poll: 2, elapsedMs: 30_000 },
  { type: 'period-finished', outcome: done }
]

let progress: Progress | undefined
afterEach(() => progress?.stop())

function render(isTTY: boolean): string {
  let clock = 1_000_000
  let text = ''
  progress = createProgress(
    { isTTY, write: chunk => (text += chunk) },
    () => 'the earlier run in clari-export',
    () => clock
  )
  for (const event of EVENTS) {
    progress.onEvent(event)
    clock += 5_000
  }
  return text
}

describe('terminal progress', () => {
  it('prints one plain line per change when the output is not a terminal', () => {
    expect(render(false).split('\n')).toEqual([
      '[1/2] 2026_Q1 creating the export job, 0 s elapsed',
      '2026_Q1: created job job-1',
      '[1/2] 2026_Q1 STARTED, 10 s elapsed, next check in 7 s',
      // Server text never reaches the terminal with its escape sequences.
      '2026_Q1: waiting 20 s (throttled): HTTP 429  [31mslow down [0m',
      '[1/2] 2026_Q1 waiting (throttled), 15 s elapsed, next check in 20 s',
      '2026_Q1: DONE, net_arr_2026_Q1.json (2.0 KiB) in 1 min 5 s, 4 status checks',
      ''
    ])
  })

  it('redraws a single live line on a terminal and keeps only the lasting lines', () => {
    const text = render(true)
    // Lasting lines end with a newline; state changes only rewrite the live line.
    const lasting = text
      .split(CLEAR)
      .filter(part => part.includes('\n'))
      .map(part => part.slice(0, part.indexOf('\n')))
    expect(lasting).toEqual([
      '2026_Q1: created job job-1',
      '2026_Q1: waiting 20 s (throttled): HTTP 429  [31mslow down [0m',
      '2026_Q1: DONE, net_arr_2026_Q1.json (2.0 KiB) in 1 min 5 s, 4 status checks'
    ])
    expect(text).toContain(`${CLEAR}[1/2] 2026_Q1 SCHEDULED, 5 s elapsed`)
    expect(text).toContain(`${CLEAR}[1/2] 2026_Q1 STARTED, 10 s elapsed, next check in 7 s`)
    expect(text).toContain(`${CLEAR}[1/2] 2026_Q1 DONE, 20 s elapsed`)
    // No escape sequence other than the line clearing.
    expect(text.split('\x1b').length).toBe(text.split(CLEAR).length)
  })
})
