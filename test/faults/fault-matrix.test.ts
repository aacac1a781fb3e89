import { performance } from 'node:perf_hooks'
import { afterEach, describe, expect, it } from 'vitest'
import type { ExportEvent } from '../../src/engine/events.js'
import { startHarness, type Harness } from '../helpers/engine-harness.js'
import { FAULT_MATRIX, MATRIX_PERIODS, type RowHooks } from './matrix.js'
import { expectNothingLostOrLeaked } from './row-checks.js'

/** Real time one row may take: the faults in real time use a 300 ms request-timeout. */
const REAL_BOUND_MS = 8_000
/** Each job runs 1 min on the virtual clock, so every period sees several status checks. */
const PLAN = { durationMs: 60_000, queuedMs: 10_000 }

let h: Harness | undefined
let cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
  cleanups = []
  await h?.close()
  h = undefined
})

describe('fault matrix', () => {
  it('names every row once, in kebab case', () => {
    const ids = FAULT_MATRIX.map(row => row.id)
    expect(ids.filter(id => !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id))).toEqual([])
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
  })

  it.each(FAULT_MATRIX.map(row => [row.id, row] as const))('%s', async (_name, row) => {
    h = await startHarness({ plan: PLAN, ...row.sim })
    const harness = h
    const hooks: RowHooks =
      (await row.setup?.({ sim: harness.sim, defer: c => void cleanups.push(c) })) ?? {}
    const base = harness.config()
    const config = harness.config({
      periods: [...MATRIX_PERIODS],
      clari: { ...base.clari, requestTimeoutMs: row.requestTimeoutMs ?? 500, ...hooks.clari },
      timing: { ...base.timing, ...row.timing },
      ...hooks.config
    })

    const events: ExportEvent[] = []
    const startedAt = performance.now()
    const { report } = await harness.run(config, {
      onEvent: e => {
        events.push(e)
        hooks.onEvent?.(e)
      }
    })
    const realMs = performance.now() - startedAt

    expect(report.manifest.exports.map(o => o.status)).toEqual(row.expect)
    for (const outcome of report.failed) expect(outcome.error).toMatch(row.error!)
    await expectNothingLostOrLeaked(harness, report, events)
    row.check?.({ sim: harness.sim, report, events: events })
    expect(harness.clock.now()).toBeLessThanOrEqual(row.boundMinutes * 60_000)
    expect(realMs).toBeLessThan(REAL_BOUND_MS)
  })
})
