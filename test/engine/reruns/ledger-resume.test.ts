import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ExportConfig } from '../../../src/engine/config.js'
import type { RunReport } from '../../../src/engine/run/run-export.js'
import {
  ledgerOf,
  ledgerTakeOvers,
  parseLedger,
  type Ledger
} from '../../../src/engine/reruns/ledger.js'
import { resumeFromLedger } from '../../../src/engine/reruns/resume-earlier.js'
import { requestParameters } from '../../../src/engine/reruns/resume.js'
import type { ResumeSource } from '../../../src/engine/reruns/earlier-run.js'
import { folderSource } from '../../../src/engine/reruns/earlier-files.js'
import { attemptName, provenance } from '../../../src/engine/run/format.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const PERIODS = ['2026_Q1', '2026_Q2', '2026_Q3']

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** The ledger a run would save, read back through the checks a restored one passes. */
function ledgerFrom(report: RunReport, config: ExportConfig): Ledger {
  const text = JSON.stringify(ledgerOf(report.manifest, new Date()))
  const read = parseLedger(text, {
    forecastId: config.forecastId,
    request: requestParameters(config),
    periods: config.periods
  })
  if ('unusable' in read) throw new Error(read.unusable)
  return read.ledger
}

/** Attempt 1 of run 100: 2026_Q2's job fails at Clari, the others are DONE. */
async function firstAttempt(): Promise<{
  config: ExportConfig
  report: RunReport
  ledger: Ledger
}> {
  h = await startHarness({
    plan: req => ({
      durationMs: 10 * MINUTE,
      outcome: req.timePeriod === '2026_Q2' && req.index < 3 ? 'FAILED' : 'DONE'
    })
  })
  const config = h.config({ periods: PERIODS, run: { id: '100', attempt: 1 } })
  const { report } = await h.run(config)
  expect(report.failed.map(o => o.period)).toEqual(['2026_Q2'])
  return { config, report, ledger: ledgerFrom(report, config) }
}

/**
 * Attempt 2 of run 100, resumed from `ledger` as the action resumes where no artifact is (or
 * `earlier`, the artifact it tried first).
 */
function secondAttempt(
  ledger: Ledger,
  config: ExportConfig,
  earlier?: ResumeSource
): ReturnType<Harness['run']> {
  const takeOvers = ledgerTakeOvers(ledger, PERIODS, {
    runId: '100',
    now: h!.clock.wallNow(),
    reuseWithinMs: 0
  })
  return h!.run(
    { ...config, run: { id: '100', attempt: 2 } },
    {},
    earlier,
    resumeFromLedger(ledger, takeOvers, 'the ledger')
  )
}

const creates = (from: number): (string | undefined)[] =>
  h!.sim.requests
    .slice(from)
    .filter(r => r.endpoint === 'create')
    .map(r => r.period)

describe('a re-run resumed through the ledger (no earlier artifact usable)', () => {
  it('downloads the DONE jobs again by id (no create), byte for byte, same job and snapshot; exports the failed one anew', async () => {
    const { config, report: first, ledger } = await firstAttempt()
    const payloads = await Promise.all(
      ['2026_Q1', '2026_Q3'].map(p => readFile(path.join(h!.dir, `net_arr_${p}.json`)))
    )
    const before = h!.sim.requests.length

    const { report, events } = await secondAttempt(ledger, config)

    expect(creates(before)).toEqual(['2026_Q2'])
    expect(report.failed).toEqual([])
    for (const [i, period] of ['2026_Q1', '2026_Q3'].entries()) {
      const was = first.manifest.exports.find(o => o.period === period)!
      expect(report.manifest.exports.find(o => o.period === period)).toMatchObject({
        jobId: was.jobId,
        snapshotAt: was.snapshotAt,
        sha256: was.sha256,
        repolledFromAttempt: 1
      })
      expect(await readFile(path.join(h!.dir, `net_arr_${period}.json`))).toEqual(payloads[i])
      // Clari's answer that it is DONE is the one status read: it is downloaded, not polled.
      const asked = h!.sim.requests.slice(before).filter(r => r.jobId === was.jobId)
      expect(asked.map(r => r.endpoint)).toEqual(['status', 'results'])
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'earlier-job',
          period,
          found: 'it is DONE; downloading it'
        })
      )
    }
  })

  it.each([404, 410])(
    'exports anew, saying so, a period whose results Clari no longer serves (%i)',
    async status => {
      const { config, ledger } = await firstAttempt()
      h!.sim.addFault({
        endpoint: 'results',
        period: '2026_Q1',
        // The earlier job's results only: the new job's are served.
        times: 1,
        fault: { kind: 'http', status }
      })
      const before = h!.sim.requests.length

      const { report, events } = await secondAttempt(ledger, config)

      expect(creates(before).sort()).toEqual(['2026_Q1', '2026_Q2'])
      expect(report.failed).toEqual([])
      // The summary's provenance column says it, from the manifest.
      expect(report.manifest.exports[0]).toMatchObject({
        period: '2026_Q1',
        anewBecause: `Clari no longer serves its results (HTTP ${status})`
      })
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'earlier-job',
          period: '2026_Q1',
          found: `Clari no longer serves its results (HTTP ${status}); creating a new job`
        })
      )
    }
  )

  it('exports anew, saying so, a period whose earlier job Clari does not know (404)', async () => {
    const { config, ledger } = await firstAttempt()
    h!.sim.addFault({
      endpoint: 'status',
      period: '2026_Q1',
      times: 1,
      fault: { kind: 'http', status: 404 }
    })
    const before = h!.sim.requests.length

    const { report, events } = await secondAttempt(ledger, config)

    expect(creates(before).sort()).toEqual(['2026_Q1', '2026_Q2'])
    expect(report.failed).toEqual([])
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'earlier-job',
        period: '2026_Q1',
        found: 'Clari does not know it (HTTP 404); creating a new job'
      })
    )
  })

  // Only results Clari no longer serves, or not those recorded, send a period to a new job.
  it('fails, with no new job, a period whose earlier results Clari refuses (403)', async () => {
    const { config, ledger } = await firstAttempt()
    h!.sim.addFault({
      endpoint: 'results',
      period: '2026_Q1',
      fault: { kind: 'http', status: 403 }
    })
    const before = h!.sim.requests.length

    const { report } = await secondAttempt(ledger, config)

    expect(creates(before)).toEqual(['2026_Q2'])
    expect(report.manifest.exports[0]).toMatchObject({ period: '2026_Q1', status: 'ERROR' })
    expect(report.manifest.exports[0]!.anewBecause).toBeUndefined()
  })

  it('fails, with no new job, a period whose earlier results pass max-payload-size', async () => {
    const { config, ledger } = await firstAttempt()
    const before = h!.sim.requests.length

    const { report } = await secondAttempt(ledger, { ...config, maxPayloadBytes: 16 })

    expect(creates(before)).toEqual(['2026_Q2'])
    expect(report.manifest.exports[0]).toMatchObject({ period: '2026_Q1', status: 'ERROR' })
    expect(report.manifest.exports[0]!.anewBecause).toBeUndefined()
  })

  it('exports anew a period whose results do not hash to the ledger’s sha256', async () => {
    const { config, ledger } = await firstAttempt()
    const forged: Ledger = {
      ...ledger,
      periods: ledger.periods.map(p =>
        p.period === '2026_Q3' ? { ...p, sha256: '0'.repeat(64) } : p
      )
    }
    const before = h!.sim.requests.length

    const { report, events } = await secondAttempt(forged, config)

    expect(creates(before).sort()).toEqual(['2026_Q2', '2026_Q3'])
    expect(report.failed).toEqual([])
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'earlier-job',
        period: '2026_Q3',
        found: 'its results do not match the sha256 recorded for them; creating a new job'
      })
    )
  })
})

describe('the ledger beside an earlier artifact (the action tries the artifact first)', () => {
  const notFound: ResumeSource = {
    label: 'an earlier attempt',
    find: () =>
      Promise.resolve({ kind: 'missing', reason: 'no artifact of an earlier attempt was found' })
  }
  it.each([
    {
      artifact: 'none usable: the ledger is turned to, and the line says so',
      source: (): ResumeSource => notFound,
      lines: [
        {
          type: 'resume',
          source: 'an earlier attempt',
          unusable: 'no artifact of an earlier attempt was found',
          instead: 'taking jobs over from the ledger',
          reused: [],
          repolled: [],
          anew: []
        },
        {
          type: 'resume',
          source: 'the ledger',
          reused: [],
          repolled: ['2026_Q1', '2026_Q3'],
          anew: ['2026_Q2']
        }
      ],
      repolled: ['2026_Q1', '2026_Q3']
    },
    {
      artifact: 'usable: its payloads are reused and the ledger is left alone',
      source: (): ResumeSource => folderSource(h!.dir),
      lines: [
        {
          type: 'resume',
          source: expect.stringMatching(/manifest\.json$/),
          reused: ['2026_Q1', '2026_Q3'],
          repolled: [],
          anew: ['2026_Q2']
        }
      ],
      repolled: []
    }
  ])('an earlier artifact $artifact', async ({ source, lines, repolled }) => {
    const { config, ledger } = await firstAttempt()
    const before = h!.sim.requests.length

    const { report, events } = await secondAttempt(ledger, config, source())

    expect(events.filter(e => e.type === 'resume')).toEqual(lines)
    expect(creates(before)).toEqual(['2026_Q2'])
    expect(report.failed).toEqual([])
    expect(
      report.manifest.exports.filter(o => o.repolledFromAttempt !== undefined).map(o => o.period)
    ).toEqual(repolled)
  })
})

describe('reuse-within: a later run takes over recent DONE jobs of another run', () => {
  it.each([
    { window: 6 * HOUR, age: HOUR, reused: ['2026_Q1', '2026_Q3'] },
    { window: 30 * MINUTE, age: HOUR, reused: [] }
  ])(
    'a snapshot $age ms old with a window of $window ms: reused $reused',
    async ({ window, age, reused }) => {
      const { config, ledger } = await firstAttempt()
      await h!.clock.sleep(age)
      const takeOvers = ledgerTakeOvers(ledger, PERIODS, {
        runId: '200',
        now: h!.clock.wallNow(),
        reuseWithinMs: window
      })
      const before = h!.sim.requests.length

      const { report } = await h!.run(
        { ...config, run: { id: '200', attempt: 1 } },
        {},
        undefined,
        takeOvers.size > 0 ? resumeFromLedger(ledger, takeOvers, 'the ledger') : undefined
      )

      const created = PERIODS.filter(p => !reused.includes(p))
      expect(creates(before).sort()).toEqual(created)
      expect(
        report.manifest.exports.filter(o => o.repolledFromAttempt !== undefined).map(o => o.period)
      ).toEqual(reused)
      // The summary's status column names the run it came from and its age (the job is its own).
      for (const period of reused) {
        const outcome = report.manifest.exports.find(o => o.period === period)!
        expect(provenance(outcome, attemptName)).toMatch(
          /^job of run 100, its snapshot 1 h \d+ min old$/
        )
      }
    }
  )
})
