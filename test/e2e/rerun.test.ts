import { readFile } from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TEST_API_KEY } from '../helpers/engine-harness.js'
import {
  disposeBundles,
  nodeRuntimes,
  runBundle,
  type BundleResult,
  type NodeRuntime
} from '../helpers/run-bundle.js'
import {
  startArtifactStack,
  type ArtifactStack,
  type RunAttempt,
  type WorkflowRun,
  zipStored
} from '../simulators/artifact/index.js'
import {
  sha256,
  startClariSimulator,
  type ClariSimulator,
  type ClariSimulatorOptions
} from '../simulators/clari/index.js'
import { expectKeyNowhere } from './bundle-checks.js'

const runtimes = await nodeRuntimes()
const PERIODS = ['2026_Q1', '2026_Q2', '2026_Q3']
const NAME = 'clari-forecast-net_arr'

/**
 * "Re-run failed jobs", end to end: attempt 1 and attempt 2 of one workflow run are two runs of
 * the bundle, against one Clari simulator and one artifact stack whose runtime tokens (and backend
 * run ids) differ per attempt, as on GitHub; the stack answers as GitHub does today (inherited
 * artifacts listed but their runtime download refused, duplicate names across attempts accepted).
 */
describe.each(runtimes)('a re-run of dist/index.js under $label', (runtime: NodeRuntime) => {
  let stack: ArtifactStack | undefined
  let sim: ClariSimulator | undefined
  let run: WorkflowRun
  beforeAll(async () => {
    stack = await startArtifactStack()
  })
  afterAll(async () => stack?.stop())
  afterEach(async () => {
    await disposeBundles()
    await sim?.close()
    sim = undefined
  })

  async function startSim(options: ClariSimulatorOptions): Promise<ClariSimulator> {
    sim = await startClariSimulator({ apiKey: TEST_API_KEY, ...options })
    run = stack!.newRun()
    return sim
  }

  function attempt(
    n: number,
    inputs: Record<string, string> = {},
    options: { fullRerun?: boolean } = {}
  ): Promise<BundleResult> {
    const env: RunAttempt['env'] = run.attempt(n, options).env
    return runBundle({
      runtime,
      inputs: {
        'api-key': TEST_API_KEY,
        'forecast-id': 'net_arr',
        periods: PERIODS.join(','),
        'api-url': sim!.url,
        'poll-interval': '1',
        'max-poll-interval': '1',
        // The runner fills in action.yml's default, ${{ github.token }}.
        'github-token': stack!.githubToken,
        ...inputs
      },
      env,
      timeoutMs: 30_000
    })
  }

  /** Requests to Clari since `from`, and the periods they concerned. */
  function since(from: number): { creates: string[]; periods: Set<string | undefined> } {
    const requests = sim!.requests.slice(from)
    return {
      creates: requests.filter(r => r.endpoint === 'create').map(r => r.period!),
      periods: new Set(requests.map(r => r.period))
    }
  }

  it('attempt 2 creates one job for the failed period, asks nothing about the others, and uploads all three', async () => {
    const s = await startSim({
      // The first job of 2026_Q2 fails; the one a re-run creates succeeds.
      plan: req => ({
        durationMs: 800,
        outcome: req.timePeriod === '2026_Q2' && req.index < 3 ? 'FAILED' : 'DONE'
      })
    })
    const first = await attempt(1)
    expect(first.exitCode).toBe(1)
    expect(first.outputs['artifact-name']).toBe(NAME)
    // Attempt 1 ends with what attempt 2 will do, which the rest of this test holds it to.
    expect(first.stdout).toContain(
      '"Re-run failed jobs" exports only 2026_Q2 again and keeps the 2 periods exported now'
    )
    const before = s.requests.length

    const second = await attempt(2)

    expect(second.exitCode).toBe(0)
    const { creates, periods } = since(before)
    expect(creates).toEqual(['2026_Q2'])
    expect([...periods].filter(p => p !== undefined)).toEqual(['2026_Q2'])
    // GitHub would take the name attempt 1 used; attempt 2 uploads under one of its own anyway.
    expect(second.outputs['artifact-name']).toBe(`${NAME}-attempt-2`)
    const uploaded = stack!.service.artifacts.find(a => a.id === second.outputs['artifact-id'])!
    expect(uploaded).toMatchObject({ name: `${NAME}-attempt-2`, runId: run.attempt(2).runId })
    expect(stack!.service.artifacts.filter(a => a.name === NAME && a.finalized)).toHaveLength(1)
    const entries = await stack!.listZipEntries(await stack!.downloadArtifactZip(uploaded))
    expect([...entries.keys()].sort()).toEqual([
      'manifest.json',
      ...PERIODS.map(p => `net_arr_${p}.json`)
    ])
    const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'))
    expect(manifest.runAttempt).toBe(2)
    expect(manifest.runId).toBe(run.githubRunId)
    const jobOf = (period: string, index: number) => s.jobs.filter(j => j.period === period)[index]!
    expect(
      manifest.exports.map((o: Record<string, unknown>) => [
        o.period,
        o.status,
        o.reusedFromAttempt
      ])
    ).toEqual([
      ['2026_Q1', 'DONE', 1],
      ['2026_Q2', 'DONE', undefined],
      ['2026_Q3', 'DONE', 1]
    ])
    for (const [i, period] of PERIODS.entries()) {
      const job = jobOf(period, period === '2026_Q2' ? 1 : 0)
      expect(sha256(entries.get(`net_arr_${period}.json`)!)).toBe(job.payloadSha256)
      expect(manifest.exports[i].jobId).toBe(job.jobId)
    }
    expect(second.stdout).toMatch(/Resuming from artifact clari-forecast-net_arr of attempt 1/)
    expect(second.stdout).toMatch(
      /Resumed from attempt 1: 2 periods reused, 1 exported anew; 2 export jobs not created again/
    )
    expect(second.summary).toContain('DONE (reused from attempt 1)')
    await expectKeyNowhere(second, TEST_API_KEY)
  })

  it('downloads the job attempt 1 timed out on without cancelling it: no new job', async () => {
    const s = await startSim({ plan: { durationMs: 5_000 } })
    const first = await attempt(1, {
      periods: '2026_Q1',
      'job-timeout': '0.03',
      'cancel-on-timeout': 'false'
    })
    expect(first.exitCode).toBe(1)
    const manifest1 = JSON.parse(await readFile(first.outputs.manifest!, 'utf8'))
    expect(manifest1.exports[0]).toMatchObject({ status: 'TIMED_OUT' })
    const before = s.requests.length

    const second = await attempt(2, { periods: '2026_Q1' })

    expect(second.exitCode).toBe(0)
    expect(since(before).creates).toEqual([])
    expect(s.jobs).toHaveLength(1)
    const manifest2 = JSON.parse(await readFile(second.outputs.manifest!, 'utf8'))
    expect(manifest2.exports[0]).toMatchObject({
      status: 'DONE',
      jobId: s.jobs[0]!.jobId,
      sha256: s.jobs[0]!.payloadSha256,
      repolledFromAttempt: 1
    })
    expect(second.stdout).toMatch(/2026_Q1: earlier attempt's job \w+: it is (STARTED|DONE)/)
  })

  it('exports every period anew, with one notice, when attempt 1 left no artifact', async () => {
    const s = await startSim({ plan: { durationMs: 500 } })
    await attempt(1, { upload: 'false' })
    const before = s.requests.length
    const second = await attempt(2)
    expect(second.exitCode).toBe(0)
    expect(since(before).creates.sort()).toEqual(PERIODS)
    const notices = second.stdout.split('\n').filter(line => line.startsWith('::notice::'))
    expect(notices).toEqual([
      expect.stringMatching(
        /^::notice::Not resuming from an earlier attempt: missing: .*; exporting every period$/
      )
    ])
    expect(second.outputs['artifact-name']).toBe(`${NAME}-attempt-2`)
  })

  it('exports every period anew, with one notice, when the earlier export had other parameters', async () => {
    const s = await startSim({ plan: { durationMs: 500 } })
    await attempt(1, { currency: 'EUR' })
    const before = s.requests.length
    const second = await attempt(2)
    expect(second.exitCode).toBe(0)
    expect(since(before).creates.sort()).toEqual(PERIODS)
    expect(second.stdout).toMatch(
      /::notice::Not resuming from artifact clari-forecast-net_arr of attempt 1: it was exported with other parameters \(currency\); exporting every period/
    )
  })

  it('exports anew the one period whose payload no longer matches its sha256, and reuses the rest', async () => {
    const s = await startSim({ plan: { durationMs: 500 } })
    await attempt(1)
    // A zip uploaded whole (so its digest checks out) whose Q1 payload is not what the manifest says.
    const record = stack!.service.artifacts.findLast(a => a.name === NAME && a.finalized)!
    const entries = await stack!.listZipEntries(await stack!.downloadArtifactZip(NAME))
    entries.set('net_arr_2026_Q1.json', Buffer.from('{"timePeriods":[{"timePeriodId":"2026_Q1"}]}'))
    await stack!.replaceBlob(record, zipStored(entries), 'update')
    const before = s.requests.length

    const second = await attempt(2)

    expect(second.exitCode).toBe(0)
    expect(since(before).creates).toEqual(['2026_Q1'])
    expect(second.stdout).toMatch(
      /2026_Q1: not reused: its payload net_arr_2026_Q1\.json does not match the sha256 its manifest recorded; exporting it anew/
    )
  })

  it('exports every period anew after "Re-run all jobs": neither the runtime listing nor the REST API shows attempt 1’s artifact', async () => {
    const s = await startSim({ plan: { durationMs: 500 } })
    await attempt(1)
    const before = s.requests.length
    const second = await attempt(2, {}, { fullRerun: true })
    expect(second.exitCode).toBe(0)
    expect(since(before).creates.sort()).toEqual(PERIODS)
    expect(stack!.rest.calls.some(c => c.path.includes(`/runs/${run.githubRunId}/artifacts`))).toBe(
      true
    )
    expect(second.stdout).toMatch(
      /::notice::Not resuming from an earlier attempt: missing: .*\(the runtime listing lists none; the REST API lists none\); exporting every period/
    )
  })
})
