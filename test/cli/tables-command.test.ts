import { describe, expect, it } from 'vitest'
import { progressLine } from '../../src/cli/tables-command.js'

/** A terminal or a pipe that records what is written to it. */
function output(isTTY: boolean): { write: (text: string) => void; isTTY: boolean; text: string[] } {
  const text: string[] = []
  return { write: (t: string) => void text.push(t), isTTY, text }
}

describe('clari-export tables: progress of a long conversion', () => {
  it('on a terminal: one line redrawn in place after the first second, cleared at the end', () => {
    let now = 0
    const out = output(true)
    const progress = progressLine(out, 'x/net_arr_2026_Q1.json', 2 * 1024 ** 3, () => now)
    progress.update(1_000_000)
    now = 900
    progress.update(100_000_000)
    expect(out.text).toEqual([])
    now = 1_000
    progress.update(1024 ** 3 / 4)
    now = 1_100
    progress.update(600_000_000) // too soon to redraw
    now = 1_300
    progress.update(1024 ** 3)
    progress.stop()
    expect(out.text).toEqual([
      '\r\x1b[2Kx/net_arr_2026_Q1.json: 12 % of 2.0 GiB read',
      '\r\x1b[2Kx/net_arr_2026_Q1.json: 50 % of 2.0 GiB read',
      '\r\x1b[2K'
    ])
  })

  it('on a pipe: a plain line every ten seconds, nothing to clear; a short conversion shows nothing', () => {
    let now = 0
    const out = output(false)
    const progress = progressLine(out, 'a.json', 1_000, () => now)
    for (now = 0; now <= 25_000; now += 500) progress.update(now / 25)
    progress.stop()
    expect(out.text).toEqual(['a.json: 40 % of 1000 B read\n', 'a.json: 80 % of 1000 B read\n'])
    const quiet = output(false)
    const short = progressLine(quiet, 'b.json', 1_000, () => 0)
    short.update(1_000)
    short.stop()
    expect(quiet.text).toEqual([])
  })
})
