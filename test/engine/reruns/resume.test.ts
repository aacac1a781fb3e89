import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { ExportConfig } from '../../../src/engine/config.js'
import type { Manifest } from '../../../src/engine/outcome.js'
import { folderSource } from '../../../src/engine/reruns/earlier-files.js'
import { readEarlierManifest } from '../../../src/engine/reruns/earlier-manifest.js'
import type { ResumeSource } from '../../../src/engine/reruns/earlier-run.js'
import { planResume } from '../../../src/engine/reruns/resume.js'
import { doneEntry, earlierManifest, SHA } from '../../helpers/earlier-manifests.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'
import { shippedConfig } from '../../helpers/shipped-config.js'
import { sha256 } from '../../simulators/clari/index.js'

const MINUTE = 60_000
const PERIODS = ['2026_Q1', '2026_Q2', '2026_Q3']

function config(overrides: Partial<ExportConfig> = {}): ExportConfig {
  return {
    ...shippedConfig({ 'api-key': 'k', 'forecast-id': 'net_arr', periods: PERIODS.join(',') }),
    ...overrides
  }
}

const manifest = earlierManifest
const done = doneEntry

/** The plan for a manifest, read through the checked shape as every source reads it. */
function plan(earlier: unknown, now = config()) {
  const checked = readEarlierManifest(Buffer.from(JSON.stringify(earlier)), {
    forecastId: now.forecastId,
    apiKey: now.clari.apiKey
  })
  if ('problem' in checked) throw new Error(checked.problem)
  return planResume(checked, now)
}

describe('planResume: what a checked earlier manifest allows', () => {
  it.each([
    {
      name: 'another currency',
      earlier: manifest({ request: { exportFormat: 'JSON', currency: 'EUR' } }),
      reason: /other parameters \(currency\)/
    },
    {
      name: 'CSV then, JSON now',
      earlier: manifest({ request: { exportFormat: 'CSV' } }),
      reason: /other parameters \(exportFormat\)/
    },
    {
      name: 'a parameter this version does not know',
      earlier: manifest({ request: { exportFormat: 'JSON', 'x::warning::y': 1 } }),
      reason: /other parameters \(a parameter this version does not send\)/
    }
  ])('unusable when $name', ({ earlier, reason }) => {
    const result = plan(earlier)
    expect(result.usable).toBe(false)
    if (!result.usable) expect(result.reason).toMatch(reason)
  })

  it('takes nothing from a run that exported other types', () => {
    const now = config({ request: { typesToExport: ['quota', 'forecast'] } })
    const earlier = manifest({ request: { exportFormat: 'JSON', typesToExport: ['forecast'] } })
    const result = plan(earlier, now)
    expect(result).toEqual({
      usable: false,
      reason: 'it was exported with other parameters (typesToExport)'
    })
  })

  it('reads types in any order as the same request', () => {
    const now = config({ request: { typesToExport: ['quota', 'forecast'] } })
    const earlier = manifest({
      request: { exportFormat: 'JSON', typesToExport: ['forecast', 'quota'] }
    })
    expect(plan(earlier, now).usable).toBe(true)
  })

  it.each([
    { name: 'DONE with its file and sha256', entry: done('2026_Q1'), kind: 'reuse' },
    {
      name: 'DONE under another file name',
      entry: done('2026_Q1', { file: 'net_arr_2026_Q2.json' }),
      kind: 'anew'
    },
    { name: 'DONE without a sha256', entry: done('2026_Q1', { sha256: undefined }), kind: 'anew' },
    // Its rows could not say which snapshot they are.
    { name: 'DONE with no jobId', entry: done('2026_Q1', { jobId: undefined }), kind: 'anew' },
    {
      name: 'DONE with no snapshotAt',
      entry: done('2026_Q1', { snapshotAt: undefined }),
      kind: 'anew'
    },
    {
      name: 'ERROR with a job (an outage ended it)',
      entry: { period: '2026_Q1', status: 'ERROR', jobId: 'abc123' },
      kind: 're-poll'
    },
    {
      name: 'TIMED_OUT, not cancelled',
      entry: { period: '2026_Q1', status: 'TIMED_OUT', jobId: 'abc123' },
      kind: 're-poll'
    },
    {
      name: 'TIMED_OUT and cancelled',
      entry: { period: '2026_Q1', status: 'TIMED_OUT', jobId: 'abc123', jobCancelled: true },
      kind: 'anew'
    },
    {
      name: 'FAILED at Clari',
      entry: { period: '2026_Q1', status: 'FAILED', jobId: 'abc123' },
      kind: 'anew'
    },
    {
      name: 'ABORTED at Clari',
      entry: { period: '2026_Q1', status: 'ABORTED', jobId: 'abc123' },
      kind: 'anew'
    },
    {
      name: 'CANCELLED by the run and cancelled at Clari',
      entry: { period: '2026_Q1', status: 'CANCELLED', jobId: 'abc123', jobCancelled: true },
      kind: 'anew'
    },
    {
      name: 'CANCELLED by the run while its job was DONE (during the download)',
      entry: { period: '2026_Q1', status: 'CANCELLED', jobId: 'abc123' },
      kind: 're-poll'
    },
    {
      name: 'CANCELLED by the run, but the cancel failed',
      entry: { period: '2026_Q1', status: 'CANCELLED', jobId: 'abc123', jobCancelled: false },
      kind: 're-poll'
    },
    { name: 'no job', entry: { period: '2026_Q1', status: 'ERROR' }, kind: 'anew' }
  ])('a period $name: $kind', ({ entry, kind }) => {
    const result = plan(manifest({}, [entry]))
    expect(result.usable && result.periods.get('2026_Q1')?.kind).toBe(kind)
  })

  it('keeps the attempt a payload was first exported in, and ignores periods not asked for', () => {
    const result = plan(
      manifest({ runAttempt: 3 }, [
        done('2026_Q1', { reusedFromAttempt: 1 }),
        done('2026_Q2'),
        done('2024_Q4')
      ])
    )
    if (!result.usable) throw new Error(result.reason)
    expect(result.attempt).toBe(3)
    expect([...result.periods.keys()]).toEqual(['2026_Q1', '2026_Q2'])
    const q1 = result.periods.get('2026_Q1')
    const q2 = result.periods.get('2026_Q2')
    expect(q1?.kind === 'reuse' && q1.entry.reusedFromAttempt).toBe(1)
    expect(q2?.kind === 'reuse' && [q2.entry.reusedFromAttempt, q2.sha256]).toEqual([3, SHA])
  })
})

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

async function readManifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as Manifest
}

describe('a re-run finishes the work instead of repeating it', () => {
  it('reuses the finished periods with no request, and creates one job for the failed one', async () => {
    h = await startHarness({
      plan: req => ({
        durationMs: 2 * MINUTE,
        outcome: req.timePeriod === '2026_Q2' && req.index === 1 ? 'FAILED' : 'DONE'
      })
    })
    const first = await h.run(h.config({ periods: PERIODS }))
    expect(first.report.manifest.exports.map(o => o.status)).toEqual(['DONE', 'FAILED', 'DONE'])
    const before = h.sim.requests.length

    const earlier = folderSource(h.dir)
    const { report, events } = await h.run(h.config({ periods: PERIODS }), {}, earlier)

    const again = h.sim.requests.slice(before)
    expect(again.filter(r => r.endpoint === 'create').map(r => r.period)).toEqual(['2026_Q2'])
    // Besides the run's one job-list read (history: the failed period has no duration yet).
    expect(again.every(r => r.period === '2026_Q2' || r.endpoint === 'list')).toBe(true)
    expect(report.manifest.runAttempt).toBe(2)
    expect(report.manifest.exports.map(o => [o.period, o.status, o.reusedFromAttempt])).toEqual([
      ['2026_Q1', 'DONE', 1],
      ['2026_Q2', 'DONE', undefined],
      ['2026_Q3', 'DONE', 1]
    ])
    const [q1, , q3] = report.manifest.exports
    expect([q1!.jobId, q1!.sha256]).toEqual([
      first.report.manifest.exports[0]!.jobId,
      first.report.manifest.exports[0]!.sha256
    ])
    expect(q3!.sha256).toBe(sha256(await readFile(path.join(h.dir, q3!.file!))))
    expect(events.find(e => e.type === 'resume')).toMatchObject({
      reused: ['2026_Q1', '2026_Q3'],
      repolled: [],
      anew: ['2026_Q2']
    })
  })

  it("numbers the run with the workflow's own attempt, not the one after the attempt it resumes", async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    await h.run(h.config({ run: { id: '100', attempt: 1 } }))
    const rerun = h.config({ run: { id: '100', attempt: 4 } })
    const { report } = await h.run(rerun, {}, folderSource(h.dir))
    expect(report.manifest.exports[0]).toMatchObject({ status: 'DONE', reusedFromAttempt: 1 })
    expect(report.manifest.runAttempt).toBe(4)
  })

  it('asks Clari nothing, not even its free slots, when every period is reused', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    const config = h.config({ periods: PERIODS, concurrency: 'auto' })
    await h.run(config)
    const before = h.sim.requests.length
    const { report, events } = await h.run(config, {}, folderSource(h.dir))
    expect(report.manifest.exports.map(o => o.reusedFromAttempt)).toEqual([1, 1, 1])
    expect(h.sim.requests.length).toBe(before)
    // Nothing is left to time or to run at once.
    expect(events.filter(e => e.type === 'history' || e.type === 'concurrency')).toEqual([])
  })

  it('downloads a job the earlier attempt left running when it timed out, without a create', async () => {
    h = await startHarness({ plan: { durationMs: 20 * MINUTE } })
    const jobId = await timeOutLeavingJob(h)
    const before = h.sim.requests.length

    const earlier = folderSource(h.dir)
    const { report, events } = await h.run(h.config(), {}, earlier)

    const again = h.sim.requests.slice(before)
    expect(again.filter(r => r.endpoint === 'create')).toEqual([])
    const [outcome] = report.manifest.exports
    expect(outcome).toMatchObject({ status: 'DONE', jobId, repolledFromAttempt: 1 })
    expect(h.sim.jobs).toHaveLength(1)
    expect(events.find(e => e.type === 'earlier-job')).toMatchObject({
      found: 'it is STARTED; polling it'
    })
  })

  it('creates a new job when Clari cannot answer about an earlier one (400 SWW × 3): unproven, it is left alone', async () => {
    h = await startHarness({ plan: { durationMs: 20 * MINUTE } })
    const jobId = await timeOutLeavingJob(h)
    h.sim.addFault({
      endpoint: 'status',
      times: 3,
      fault: { kind: 'clari-error', status: 400, code: 'SWW' }
    })

    const { report, events } = await h.run(h.config(), {}, folderSource(h.dir))

    expect(h.sim.jobs).toHaveLength(2)
    expect(report.manifest.exports[0]).toMatchObject({ status: 'DONE' })
    expect(report.manifest.exports[0]!.jobId).not.toBe(jobId)
    expect(h.sim.requests.filter(r => r.jobId === jobId && r.endpoint !== 'status')).toEqual([])
    // Each retry of the question is logged as a wait, as any other request's.
    expect(events.filter(e => e.type === 'waiting')).toMatchObject([
      { period: '2026_Q1', reason: 'transient-error' },
      { period: '2026_Q1', reason: 'transient-error' }
    ])
    expect(events.find(e => e.type === 'earlier-job')).toMatchObject({
      found: expect.stringMatching(
        /^no answer \(.*SWW.*\), so it cannot be proven this run's; creating a new job$/
      )
    })
  })

  it('keeps an earlier job recorded when the re-run is cancelled before asking about it', async () => {
    h = await startHarness({ plan: { durationMs: 20 * MINUTE } })
    const jobId = await timeOutLeavingJob(h)

    const cancelled = await h.run(h.config(), { signal: AbortSignal.abort() }, folderSource(h.dir))
    expect(cancelled.report.manifest.exports[0]).toMatchObject({ status: 'CANCELLED', jobId })

    // Attempt 3 still takes the job over: nothing was paid twice.
    const { report } = await h.run(h.config(), {}, folderSource(h.dir))
    expect(h.sim.jobs).toHaveLength(1)
    expect(report.manifest.exports[0]).toMatchObject({ status: 'DONE', jobId })
  })

  it('keeps an earlier job recorded, neither cancelled nor replaced, when the re-run is cancelled while Clari is asked about it', async () => {
    h = await startHarness({ plan: { durationMs: 20 * MINUTE } })
    const jobId = await timeOutLeavingJob(h)
    h.sim.addFault({ endpoint: 'status', times: 1, fault: { kind: 'hang' } })
    const before = h.sim.requests.length
    const controller = new AbortController()
    // The virtual clock stands still while the request is in flight; real time goes on.
    const watch = setInterval(() => {
      if (h!.sim.requests.slice(before).some(r => r.jobId === jobId)) controller.abort()
    }, 5)
    try {
      const { report } = await h.run(h.config(), { signal: controller.signal }, folderSource(h.dir))
      expect(report.manifest.exports[0]).toMatchObject({ status: 'CANCELLED', jobId })
      const sent = h.sim.requests.slice(before).map(r => r.endpoint)
      expect(sent.filter(e => e === 'create' || e === 'cancel')).toEqual([])
      expect(h.sim.jobs).toMatchObject([{ jobId, cancelled: false }])
    } finally {
      clearInterval(watch)
    }
  })

  it('keeps an earlier job recorded, not exported anew, when the re-run is cancelled while Clari answers 404 for its results', async () => {
    h = await startHarness()
    // A DONE job Clari no longer knows: its results answer 404, the body sent a byte at a time.
    const jobId = 'f'.repeat(24)
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clari-earlier-'))
    h.sim.addFault({
      endpoint: 'status',
      times: 1,
      fault: { kind: 'http', status: 200, body: { job: { ...ourJob, jobId, status: 'DONE' } } }
    })
    h.sim.addFault({
      endpoint: 'results',
      fault: { kind: 'trickle', chunkBytes: 1, intervalMs: 50 }
    })
    const controller = new AbortController()
    // Cancelled once the 404's head has arrived, while its body is still on its way.
    let cancel: NodeJS.Timeout | undefined
    const watch = setInterval(() => {
      if (h!.sim.requests.some(r => r.endpoint === 'results' && r.status === 404)) {
        clearInterval(watch)
        cancel = setTimeout(() => controller.abort(), 100)
      }
    }, 5)
    try {
      await writeFile(
        path.join(dir, 'manifest.json'),
        JSON.stringify(manifest({}, [{ period: '2026_Q1', status: 'TIMED_OUT', jobId }]))
      )
      const { report, events } = await h.run(
        h.config(),
        { signal: controller.signal },
        folderSource(dir)
      )

      expect(report.manifest.exports[0]).toMatchObject({
        status: 'CANCELLED',
        jobId,
        repolledFromAttempt: 1
      })
      expect(report.manifest.exports[0]!.anewBecause).toBeUndefined()
      expect(events.filter(e => e.type === 'earlier-job').map(e => e.found)).toEqual([
        'it is DONE; downloading it'
      ])
      expect(h.sim.requests.filter(r => r.endpoint === 'create')).toEqual([])
    } finally {
      clearInterval(watch)
      clearTimeout(cancel)
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('records no job for a period whose earlier job ended at Clari and whose new create is refused', async () => {
    h = await startHarness({ plan: { durationMs: 20 * MINUTE, outcome: 'FAILED' } })
    await timeOutLeavingJob(h)
    await h.clock.sleep(20 * MINUTE)
    h.sim.addFault({ endpoint: 'create', fault: { kind: 'clari-error', status: 400, code: 'SWW' } })

    const { report } = await h.run(h.config(), {}, folderSource(h.dir))

    expect(report.manifest.exports[0]!.status).toBe('ERROR')
    expect(report.manifest.exports[0]!.jobId).toBeUndefined()
  })

  it('creates a new job when the earlier one ended at Clari meanwhile', async () => {
    h = await startHarness({ plan: { durationMs: 20 * MINUTE } })
    const jobId = await timeOutLeavingJob(h)
    // Someone cancels it by hand at Clari while it runs (Clari then reports ABORTED).
    const cancel = await fetch(`${h.sim.url}/export/jobs/${jobId}`, {
      method: 'PATCH',
      headers: { apikey: h.sim.apiKey, 'content-type': 'application/json' },
      body: '{"type":"CANCEL"}'
    })
    expect(cancel.status).toBe(200)

    const { report, events } = await h.run(h.config(), {}, folderSource(h.dir))
    expect(h.sim.jobs).toHaveLength(2)
    expect(report.manifest.exports[0]).toMatchObject({ status: 'DONE' })
    expect(report.manifest.exports[0]!.jobId).not.toBe(jobId)
    expect(events.find(e => e.type === 'earlier-job')).toMatchObject({
      found: 'it ended ABORTED at Clari; creating a new job'
    })
  })

  it('exports anew, with a notice, a payload whose sha256 no longer matches', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    await h.run(h.config())
    const file = path.join(h.dir, 'net_arr_2026_Q1.json')
    await writeFile(file, '{"tampered":true}')
    const earlier = folderSource(h.dir)
    const { report, events } = await h.run(h.config(), {}, earlier)
    expect(h.sim.jobs).toHaveLength(2)
    expect(report.manifest.exports[0]!.reusedFromAttempt).toBeUndefined()
    expect(events).toContainEqual({
      type: 'notice',
      period: '2026_Q1',
      message:
        'not reused: net_arr_2026_Q1.json: the payload does not match the sha256 its manifest recorded; exporting it anew'
    })
  })

  it('takes nothing from a run with other parameters, and says why once', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    await h.run(h.config({ request: { currency: 'EUR' } }))
    const { events } = await h.run(h.config(), {}, folderSource(h.dir))
    expect(h.sim.jobs).toHaveLength(2)
    expect(events.filter(e => e.type === 'resume')).toEqual([
      {
        type: 'resume',
        source: path.join(h.dir, 'manifest.json'),
        unusable: 'it was exported with other parameters (currency)',
        reused: [],
        repolled: [],
        anew: ['2026_Q1']
      }
    ])
  })

  it('makes the tables of a reused payload anew, with no request to Clari', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    await h.run(h.config())
    const before = h.sim.requests.length
    const earlier = folderSource(h.dir)
    const { report } = await h.run(h.config({ tables: 'ndjson' }), {}, earlier)
    expect(h.sim.requests.length).toBe(before)
    const [outcome] = report.manifest.exports
    // The same snapshot: its job and time are the first attempt's, in the manifest and every row.
    const { jobId, snapshotAt } = (await readManifest(h.dir)).exports[0]!
    expect(outcome).toMatchObject({ status: 'DONE', reusedFromAttempt: 1, jobId, snapshotAt })
    // Counted, and recorded though none repeats.
    expect(outcome!.duplicateKeys).toBe(0)
    const entries = outcome!.tables!.entries
    expect(entries.file).toBe(
      `tables/entries/snapshot_date=${snapshotAt!.slice(0, 10)}/net_arr_2026_Q1_${jobId}.ndjson`
    )
    const lines = (await readFile(path.join(h.dir, entries.file), 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(entries.rows)
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ jobId, snapshotAt })
    expect(sha256(await readFile(path.join(h.dir, entries.file)))).toBe(entries.sha256)
  })

  it.each([
    {
      what: 'an ERROR, saying why, when its tables cannot be written',
      // A file where the tables' folder goes.
      before: (dir: string) => writeFile(path.join(dir, 'tables'), ''),
      cancel: false,
      outcome: {
        status: 'ERROR',
        error: 'tables: tables in the output folder is not a folder (a symlink?)'
      }
    },
    {
      what: 'CANCELLED when the run is cancelled while its tables are made',
      before: () => Promise.resolve(),
      cancel: true,
      outcome: { status: 'CANCELLED', error: expect.any(String) }
    }
  ])('a reused payload is $what, with no request to Clari', async ({ before, cancel, outcome }) => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    await h.run(h.config())
    await before(h.dir)
    const requests = h.sim.requests.length
    const controller = new AbortController()
    const { report } = await h.run(
      h.config({ tables: 'ndjson' }),
      {
        signal: controller.signal,
        onEvent: e => {
          if (cancel && e.type === 'period-started') controller.abort()
        }
      },
      folderSource(h.dir)
    )
    expect(report.manifest.exports).toEqual([
      expect.objectContaining({ reusedFromAttempt: 1, ...outcome })
    ])
    expect(h.sim.requests.length).toBe(requests)
  })

  it("copies an earlier attempt's payload from where it was downloaded into output-dir", async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    await h.run(h.config())
    const downloaded = await mkdtemp(path.join(os.tmpdir(), 'clari-earlier-'))
    const outputDir = await mkdtemp(path.join(os.tmpdir(), 'clari-now-'))
    try {
      for (const name of await readdir(h.dir)) {
        await writeFile(path.join(downloaded, name), await readFile(path.join(h.dir, name)))
      }
      const { report } = await h.run(h.config({ outputDir }), {}, folderSource(downloaded))
      expect(h.sim.jobs).toHaveLength(1)
      expect((await readdir(outputDir)).sort()).toEqual(['manifest.json', 'net_arr_2026_Q1.json'])
      const bytes = await readFile(path.join(outputDir, 'net_arr_2026_Q1.json'))
      expect(sha256(bytes)).toBe(report.manifest.exports[0]!.sha256)
    } finally {
      await rm(downloaded, { recursive: true, force: true })
      await rm(outputDir, { recursive: true, force: true })
    }
  })
})

/** Replaces a payload in `dir` and records its sha256 in the manifest, as a forged artifact would. */
async function forgePayload(dir: string, period: string, bytes: Buffer | string): Promise<void> {
  const file = `net_arr_${period}.json`
  await writeFile(path.join(dir, file), bytes)
  const earlier = await readManifest(dir)
  const entry = earlier.exports.find(o => o.period === period)!
  entry.sha256 = sha256(Buffer.from(bytes))
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(earlier))
}

describe('a re-run takes nothing unchecked from an earlier run', () => {
  it('a manifest whose request.currency is nested 5,000 deep: not resuming, every period exported, nothing thrown', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    await h.run(h.config())
    const text = (await readFile(path.join(h.dir, 'manifest.json'), 'utf8')).replace(
      '"exportFormat": "JSON"',
      `"exportFormat": "JSON", "currency": ${'['.repeat(5000)}"USD"${']'.repeat(5000)}`
    )
    await writeFile(path.join(h.dir, 'manifest.json'), text)

    const { report, events } = await h.run(h.config(), {}, folderSource(h.dir))

    expect(report.manifest.exports).toMatchObject([{ status: 'DONE' }])
    expect(h.sim.jobs).toHaveLength(2)
    expect(events.find(e => e.type === 'resume')).toMatchObject({
      unusable: expect.stringMatching(
        /manifest\.json is damaged: request\.currency is not a short line of text$/
      ),
      anew: ['2026_Q1']
    })
  })

  it('whatever the search throws only means "not resuming": the run exports every period', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    const broken: ResumeSource = {
      label: 'an earlier attempt',
      find: () => Promise.reject(new RangeError('Maximum call stack size exceeded'))
    }
    const { report, events } = await h.run(h.config(), {}, broken)
    expect(report.manifest.exports).toMatchObject([{ status: 'DONE' }])
    expect(events.find(e => e.type === 'resume')).toEqual({
      type: 'resume',
      source: 'an earlier attempt',
      unusable: 'Maximum call stack size exceeded',
      reused: [],
      repolled: [],
      anew: ['2026_Q1']
    })
  })

  it.each([
    {
      what: 'another period (Clari fell back to the current quarter)',
      bytes: '{"timePeriods":[{"timePeriodId":"2025_Q4"}],"entries":[]}',
      why: /the payload is for period 2025_Q4, not 2026_Q1/
    },
    { what: 'not JSON', bytes: 'this is not json at all', why: /the payload is not valid JSON/ },
    {
      what: 'larger than max-payload-size',
      // Larger than any payload the simulator serves; max-payload-size lies between.
      bytes: `{"timePeriods":[{"timePeriodId":"2026_Q1"}],"pad":"${'x'.repeat(1024 * 1024)}"}`,
      why: /the payload is larger than max-payload-size \(/
    }
  ])(
    'a reused payload that is $what is exported anew (tables too), with a notice that says why',
    async ({ bytes, why }) => {
      h = await startHarness({ plan: { durationMs: MINUTE } })
      const first = await h.run(h.config())
      await forgePayload(h.dir, '2026_Q1', bytes)
      const maxPayloadBytes = first.report.manifest.exports[0]!.bytes! + 4096

      const { report, events } = await h.run(
        h.config({ tables: 'ndjson', maxPayloadBytes }),
        {},
        folderSource(h.dir)
      )

      expect(h.sim.jobs).toHaveLength(2)
      const [outcome] = report.manifest.exports
      expect(outcome).toMatchObject({ status: 'DONE', jobId: h.sim.jobs[1]!.jobId })
      expect(outcome!.tables?.entries.rows).toBeGreaterThan(0)
      expect(outcome!.reusedFromAttempt).toBeUndefined()
      expect(outcome!.sha256).toBe(h.sim.jobs[1]!.payloadSha256)
      expect(events).toContainEqual({
        type: 'notice',
        period: '2026_Q1',
        message: expect.stringMatching(
          new RegExp(`^not reused: net_arr_2026_Q1\\.json: ${why.source}.*; exporting it anew$`)
        )
      })
    }
  )

  it('a reused CSV payload without a header line is exported anew', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE } })
    const csv = h.config({ exportFormat: 'CSV' })
    await h.run(csv)
    const file = path.join(h.dir, 'net_arr_2026_Q1.csv')
    await writeFile(file, '\n\n')
    const earlier = await readManifest(h.dir)
    earlier.exports[0]!.sha256 = sha256(Buffer.from('\n\n'))
    await writeFile(path.join(h.dir, 'manifest.json'), JSON.stringify(earlier))

    const { report, events } = await h.run(csv, {}, folderSource(h.dir))

    expect(h.sim.jobs).toHaveLength(2)
    expect(report.manifest.exports[0]!.reusedFromAttempt).toBeUndefined()
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'notice',
        message: expect.stringMatching(/has no header line/)
      })
    )
  })

  it('a reused payload Clari had truncated is warned about as a download is', async () => {
    h = await startHarness({ plan: { durationMs: MINUTE, rowsTruncated: true } })
    await h.run(h.config({ allowTruncated: true }))
    const before = h.sim.requests.length

    const { report, events } = await h.run(h.config(), {}, folderSource(h.dir))

    expect(h.sim.requests.length).toBe(before)
    expect(report.manifest.exports[0]).toMatchObject({
      status: 'DONE',
      rowsTruncated: true,
      reusedFromAttempt: 1
    })
    expect(events).toContainEqual({
      type: 'warning',
      period: '2026_Q1',
      message: 'Clari truncated this export (rows or cells)'
    })
  })

  it("a manifest naming a colleague's running job (forecast pipeline): neither downloaded nor cancelled, a job of our own is made", async () => {
    h = await startHarness({
      plan: { durationMs: 20 * MINUTE },
      forecasts: ['net_arr', 'pipeline']
    })
    // A colleague's export of another forecast, for the same quarter, running at Clari.
    const created = await fetch(`${h.sim.url}/export/forecast/pipeline`, {
      method: 'POST',
      headers: { apikey: h.sim.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ timePeriod: '2026_Q1' })
    })
    const colleagues = ((await created.json()) as { jobId: string }).jobId
    const dir = await mkdtemp(path.join(os.tmpdir(), 'clari-forged-'))
    try {
      await writeFile(
        path.join(dir, 'manifest.json'),
        JSON.stringify(
          manifest({}, [{ period: '2026_Q1', status: 'TIMED_OUT', jobId: colleagues }])
        )
      )
      const short = h.config({ periods: ['2026_Q1'] })
      const { report, events } = await h.run(
        { ...short, timing: { ...short.timing, jobTimeoutMs: 5 * MINUTE } },
        {},
        folderSource(dir)
      )

      const theirs = h.sim.requests.filter(r => r.jobId === colleagues)
      expect(theirs.map(r => r.endpoint)).toEqual(['status'])
      expect(h.sim.jobs.find(j => j.jobId === colleagues)).toMatchObject({
        cancelled: false,
        downloads: 0
      })
      expect(report.manifest.exports[0]!.jobId).not.toBe(colleagues)
      expect(report.manifest.exports[0]!.repolledFromAttempt).toBeUndefined()
      expect(events.find(e => e.type === 'earlier-job')).toMatchObject({
        found:
          'Clari describes another export than net_arr 2026_Q1; leaving it alone and creating a new job'
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it.each([
    {
      answer: 'names another job',
      job: (jobId: string) => ({ ...ourJob, jobId: `${jobId}0` }),
      found:
        'Clari describes another export than net_arr 2026_Q1; leaving it alone and creating a new job'
    },
    {
      answer: 'has no file name yet',
      job: (jobId: string) => ({ ...ourJob, jobId, fileName: undefined }),
      found:
        "Clari's answer does not show that it exports net_arr 2026_Q1; leaving it alone and creating a new job"
    }
  ])(
    "an earlier job whose status answer $answer is neither downloaded nor cancelled: a job of the run's own is made",
    async ({ job, found }) => {
      const jobId = await leaveJobRunning()
      h!.sim.addFault({
        endpoint: 'status',
        times: 1,
        fault: { kind: 'http', status: 200, body: { job: job(jobId) } }
      })

      const { report, events } = await h!.run(h!.config(), {}, folderSource(h!.dir))

      expect(h!.sim.jobs).toHaveLength(2)
      expect(h!.sim.jobs[0]).toMatchObject({ jobId, cancelled: false, downloads: 0 })
      expect(report.manifest.exports[0]).toMatchObject({
        status: 'DONE',
        jobId: h!.sim.jobs[1]!.jobId
      })
      expect(events.find(e => e.type === 'earlier-job')).toMatchObject({ found })
    }
  )

  it('takes over an earlier job whose status answer leaves out its id but names this export', async () => {
    const jobId = await leaveJobRunning()
    h!.sim.addFault({
      endpoint: 'status',
      times: 1,
      fault: { kind: 'http', status: 200, body: { job: ourJob } }
    })

    const { report, events } = await h!.run(h!.config(), {}, folderSource(h!.dir))

    expect(h!.sim.jobs).toHaveLength(1)
    expect(report.manifest.exports[0]).toMatchObject({
      status: 'DONE',
      jobId,
      repolledFromAttempt: 1
    })
    expect(events.find(e => e.type === 'earlier-job')).toMatchObject({
      found: 'it is STARTED; polling it'
    })
  })

  it('polls an earlier job whose status answer names no status, saying it is unknown', async () => {
    const jobId = await leaveJobRunning()
    h!.sim.addFault({
      endpoint: 'status',
      times: 1,
      fault: { kind: 'http', status: 200, body: { job: { ...ourJob, jobId, status: undefined } } }
    })

    const { report, events } = await h!.run(h!.config(), {}, folderSource(h!.dir))

    expect(report.manifest.exports[0]).toMatchObject({ status: 'DONE', jobId })
    expect(events.find(e => e.type === 'earlier-job')).toMatchObject({
      found: 'it is unknown; polling it'
    })
  })
})

/** Clari's answer about a running export of net_arr 2026_Q1, without the job's id. */
const ourJob = {
  module: 'FORECAST',
  title: 'Net Arr',
  status: 'STARTED',
  fileName: 'clari_export_forecast_net_arr_2026_Q1_20261128_030000.json'
}

/** A first attempt that timed out and left its 20-minute job running at Clari; its job id. */
async function leaveJobRunning(): Promise<string> {
  h = await startHarness({ plan: { durationMs: 20 * MINUTE } })
  return timeOutLeavingJob(h)
}

/** A first attempt that times out after 5 minutes and leaves its job running; its job id. */
async function timeOutLeavingJob(harness: Harness): Promise<string> {
  const short = harness.config({ cancelOnTimeout: false })
  const jobTimeoutMs = 5 * MINUTE
  const { report } = await harness.run({ ...short, timing: { ...short.timing, jobTimeoutMs } })
  expect(report.manifest.exports[0]!.status).toBe('TIMED_OUT')
  return report.manifest.exports[0]!.jobId!
}
