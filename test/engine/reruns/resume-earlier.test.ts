import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ExportEvent } from '../../../src/engine/events.js'
import { earlierAttemptSource } from '../../../src/engine/reruns/earlier-artifacts.js'
import { folderSource } from '../../../src/engine/reruns/earlier-files.js'
import type { ResumeSource } from '../../../src/engine/reruns/earlier-run.js'
import { ledgerOf } from '../../../src/engine/reruns/ledger.js'
import { resumeEarlier, resumeFromLedger } from '../../../src/engine/reruns/resume-earlier.js'
import { notResumingLine } from '../../../src/engine/run/format.js'
import { formatDuration } from '../../../src/engine/units.js'
import { doneEntry, earlierManifest, SHA } from '../../helpers/earlier-manifests.js'
import { periodOutcome } from '../../helpers/period-outcome.js'
import { shippedConfig } from '../../helpers/shipped-config.js'

const config = shippedConfig({ 'api-key': 'k', 'forecast-id': 'net_arr', periods: '2026_Q1' })

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clari-resume-earlier-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A run of net_arr's 2026_Q1 in `dir`: its payload, and a manifest recording it DONE. */
async function earlierRun(): Promise<void> {
  const payload = JSON.stringify({ timePeriods: [{ timePeriodId: '2026_Q1' }], entries: [] })
  const sha256 = createHash('sha256').update(payload).digest('hex')
  await writeFile(path.join(dir, 'net_arr_2026_Q1.json'), payload)
  const manifest = earlierManifest({}, [doneEntry('2026_Q1', { sha256 })])
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest))
}

/** resumeEarlier into a fresh output-dir, with the notices it sends. */
async function resume(from: ResumeSource, signal = new AbortController().signal) {
  const outputDir = path.join(dir, 'out')
  await mkdir(outputDir)
  const events: ExportEvent[] = []
  const resumed = await resumeEarlier(from, {
    config: { ...config, outputDir },
    signal,
    onEvent: event => events.push(event),
    describe: String
  })
  return { resumed, events, taken: await readdir(outputDir) }
}

/** `from`, counting how often what it found is disposed of. */
function counting(from: ResumeSource): { source: ResumeSource; disposed: () => number } {
  let disposed = 0
  const source: ResumeSource = {
    label: from.label,
    async find(c, signal) {
      const found = await from.find(c, signal)
      if ('reason' in found) return found
      return { ...found, dispose: async () => void disposed++ }
    }
  }
  return { source, disposed: () => disposed }
}

describe('resumeEarlier', () => {
  it.each([
    {
      what: "output-dir's manifest.json",
      from: () => folderSource(dir),
      line: () =>
        `Not resuming from output-dir's manifest.json: there is no manifest.json in ${dir}; exporting every period`
    },
    {
      what: 'an earlier attempt',
      from: () =>
        earlierAttemptSource({ sources: [], runAttempt: 1, artifactNames: [], tempDir: dir }),
      line: () =>
        'Not resuming from an earlier attempt: missing: this run has no earlier attempt; exporting every period'
    }
  ])('names where it looked when there is nothing there: $what', async c => {
    const { resumed } = await resume(c.from())
    expect(notResumingLine(resumed.source, resumed.unusable!)).toBe(c.line())
  })

  // What the source downloaded (into RUNNER_TEMP) goes once its payloads are copied out.
  it('takes the payload over and then disposes of what the source found', async () => {
    await earlierRun()
    const { source, disposed } = counting(folderSource(dir))
    const { resumed, taken } = await resume(source)
    expect(resumed.reused.map(r => r.period)).toEqual(['2026_Q1'])
    expect(taken).toEqual(['net_arr_2026_Q1.json'])
    expect(disposed()).toBe(1)
  })

  it('keeps the job of a payload it was taking over when the run is cancelled, and takes nothing', async () => {
    await earlierRun()
    const cancel = new AbortController()
    const { source: counted, disposed } = counting(folderSource(dir))
    // The cancel lands once the take-over has begun: after the source answered, before the read.
    const source: ResumeSource = {
      label: counted.label,
      async find(c, signal) {
        const found = await counted.find(c, signal)
        setImmediate(() => cancel.abort())
        return found
      }
    }
    const { resumed, events, taken } = await resume(source, cancel.signal)
    expect(resumed.unusable).toBeUndefined()
    expect(resumed.reused).toEqual([])
    expect(resumed.repoll).toEqual(new Map([['2026_Q1', 'job2026Q1']]))
    expect(events).toEqual([])
    expect(taken).toEqual([])
    expect(disposed()).toBe(1)
  })

  it('learns the job durations of a manifest it takes nothing from (other parameters)', async () => {
    const earlier = earlierManifest({ request: { exportFormat: 'JSON', currency: 'EUR' } }, [
      doneEntry('2026_Q1', { jobDurationMs: 90_000 })
    ])
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(earlier))
    const resumed = await resumeEarlier(folderSource(dir), {
      config: { ...config, outputDir: path.join(dir, 'out') },
      signal: new AbortController().signal,
      onEvent: () => {},
      describe: String
    })
    expect(resumed.unusable).toMatch(/other parameters \(currency\)/)
    expect(resumed.durations.map(o => [o.period, o.durationMs])).toEqual([['2026_Q1', 90_000]])
  })
})

describe('resumeFromLedger', () => {
  const ledger = ledgerOf(
    {
      tool: 'clari-forecast-export-action',
      manifestVersion: 2,
      forecastId: 'net_arr',
      runId: '4242',
      runAttempt: 1,
      request: { exportFormat: 'JSON' },
      startedAt: '2026-12-06T17:00:00.000Z',
      finishedAt: '2026-12-06T17:01:00.000Z',
      exports: [periodOutcome('2026_Q1')]
    },
    new Date('2026-12-06T18:00:00Z')
  )
  const download = { kind: 'download', jobId: 'job2026Q1', sha256: SHA, bytes: 1234 } as const

  // The summary names another run's job with its age; a re-run's own jobs need no such line.
  it('names the run and age of another run’s job only', () => {
    const own = resumeFromLedger(ledger, new Map([['2026_Q1', download]]), 'the ledger')
    expect(own).not.toHaveProperty('fromRun')
    expect(own.expected).toEqual(new Map([['2026_Q1', SHA]]))
    const other = resumeFromLedger(
      ledger,
      new Map([['2026_Q1', { ...download, ageMs: 2 * 60_000 }]]),
      'the ledger'
    )
    expect(other.fromRun).toEqual(
      new Map([['2026_Q1', `run 4242, its snapshot ${formatDuration(2 * 60_000)} old`]])
    )
  })
})
