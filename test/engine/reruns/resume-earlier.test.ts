import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { folderSource } from '../../../src/engine/reruns/earlier-files.js'
import { ledgerOf } from '../../../src/engine/reruns/ledger.js'
import { resumeEarlier, resumeFromLedger } from '../../../src/engine/reruns/resume-earlier.js'
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

describe('resumeEarlier', () => {
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
