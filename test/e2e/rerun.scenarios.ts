import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { useBundleStage } from '../helpers/bundle-stage.js'
import { TEST_API_KEY } from '../helpers/test-api-key.js'
import {
  startBundle,
  type BundleOptions,
  type BundleResult,
  type BundleRun,
  type NodeRuntime
} from '../helpers/run-bundle.js'
import {
  emptyEntries,
  hostileZip,
  type ArtifactStack,
  type HostileEntry,
  type RunAttempt,
  type WorkflowRun,
  zipStored
} from '../simulators/artifact/index.js'
import {
  sha256,
  type ClariSimulator,
  type ClariSimulatorOptions
} from '../simulators/clari/index.js'
import { bytesUnder, expectKeyNowhere, peakMemory, watchPeak } from './bundle-checks.js'

interface ManifestJson {
  exports: Array<Record<string, unknown> & { period: string }>
  [field: string]: unknown
}
const PERIODS = ['2026_Q1', '2026_Q2', '2026_Q3']
const NAME = 'clari-forecast-net_arr'

/**
 * One workflow run's attempts of the step, against one Clari simulator and one artifact stack
 * whose runtime tokens (and backend run ids) differ per attempt, as on GitHub; the stack answers
 * as GitHub does today (inherited artifacts listed but their runtime download refused, duplicate
 * names across attempts accepted). Declares its hooks in the calling describe.
 */
function rerunHarness(runtime: NodeRuntime) {
  const stage = useBundleStage()
  let run: WorkflowRun

  async function startSim(options: ClariSimulatorOptions): Promise<ClariSimulator> {
    const sim = await stage.startSim(options)
    run = stage.stack.newRun()
    return sim
  }

  /** Starts attempt `n` of the run's step, as the runner starts it. */
  function startAttempt(
    n: number,
    inputs: Record<string, string> = {},
    options: { fullRerun?: boolean } & Pick<BundleOptions, 'env' | 'onLine' | 'timeoutMs'> = {}
  ): Promise<BundleRun> {
    const env: RunAttempt['env'] = run.attempt(n, options).env
    return startBundle({
      runtime,
      inputs: {
        'api-key': TEST_API_KEY,
        'forecast-id': 'net_arr',
        periods: PERIODS.join(','),
        'api-url': stage.sim.url,
        'poll-interval': '1',
        'max-poll-interval': '1',
        // The runner fills in action.yml's default, ${{ github.token }}.
        'github-token': stage.stack.githubToken,
        ...inputs
      },
      env: { ...env, ...options.env },
      onLine: options.onLine,
      timeoutMs: options.timeoutMs ?? 30_000
    })
  }

  async function attempt(
    n: number,
    inputs: Record<string, string> = {},
    options: { fullRerun?: boolean } = {}
  ): Promise<BundleResult> {
    return (await startAttempt(n, inputs, options)).result
  }

  /**
   * Puts a zip of the test's making where attempt 1's artifact is, as someone who can upload to
   * the run (or a damaged upload) would: `change` edits its entries, and the digest GitHub
   * reports follows, as for a zip uploaded whole.
   */
  async function forgeArtifact(
    change: (entries: Map<string, Buffer>) => HostileEntry[] | void
  ): Promise<void> {
    const { stack } = stage
    const record = stack.service.artifacts.findLast(a => a.name === NAME && a.finalized)!
    const entries = await stack.listZipEntries(await stack.downloadArtifactZip(NAME))
    const extra = change(entries) ?? []
    const zip = hostileZip([...[...entries].map(([name, data]) => ({ name, data })), ...extra])
    await stack.replaceBlob(record, zip, 'update')
  }

  /** Edits attempt 1's manifest (parsed) in the artifact, keeping everything else. */
  const forgeManifest = (edit: (manifest: ManifestJson) => void) =>
    forgeArtifact(entries => {
      const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8')) as ManifestJson
      edit(manifest)
      entries.set('manifest.json', Buffer.from(JSON.stringify(manifest)))
    })

  /** Requests to Clari since `from`, and the periods they concerned. */
  function since(from: number): { creates: string[]; periods: Set<string | undefined> } {
    const requests = stage.sim.requests.slice(from)
    return {
      creates: requests.filter(r => r.endpoint === 'create').map(r => r.period!),
      periods: new Set(requests.map(r => r.period))
    }
  }

  return {
    get stack(): ArtifactStack {
      return stage.stack
    },
    get run(): WorkflowRun {
      return run
    },
    startSim,
    startAttempt,
    attempt,
    forgeArtifact,
    forgeManifest,
    since
  }
}

/**
 * "Re-run failed jobs", end to end: attempt 1 and attempt 2 of one workflow run are two runs of
 * the bundle under `runtime`. rerun.machine-node.test.ts and rerun.node24.test.ts run these, and
 * rerun-untrusted.*.test.ts and rerun-hostile.*.test.ts the ones below: a file per runtime and
 * per part, so that the six run side by side.
 */
export function rerunScenarios(runtime: NodeRuntime): void {
  describe(`a re-run of dist/index.js under ${runtime.label}`, () => {
    const h = rerunHarness(runtime)
    const { startSim, attempt, since } = h

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
      const uploaded = h.stack.service.artifacts.find(a => a.id === second.outputs['artifact-id'])!
      expect(uploaded).toMatchObject({ name: `${NAME}-attempt-2`, runId: h.run.attempt(2).runId })
      expect(h.stack.service.artifacts.filter(a => a.name === NAME && a.finalized)).toHaveLength(1)
      const entries = await h.stack.listZipEntries(await h.stack.downloadArtifactZip(uploaded))
      expect([...entries.keys()].sort()).toEqual([
        'manifest.json',
        ...PERIODS.map(p => `net_arr_${p}.json`)
      ])
      const manifest = JSON.parse(entries.get('manifest.json')!.toString('utf8'))
      expect(manifest.runAttempt).toBe(2)
      expect(manifest.runId).toBe(h.run.githubRunId)
      const jobOf = (period: string, index: number) =>
        s.jobs.filter(j => j.period === period)[index]!
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

    it('takes the jobs over from the ledger, with one notice, when attempt 1 left no artifact', async () => {
      const s = await startSim({ plan: { durationMs: 500 } })
      await attempt(1, { upload: 'false' })
      const before = s.requests.length
      const second = await attempt(2)
      expect(second.exitCode).toBe(0)
      // The ledger in the Actions cache names attempt 1's DONE jobs: downloaded again, no create.
      expect(since(before).creates).toEqual([])
      const notices = second.stdout.split('\n').filter(line => line.startsWith('::notice::'))
      expect(notices).toEqual([
        expect.stringMatching(
          /^::notice::Not resuming from an earlier attempt: missing: .*; taking jobs over from the ledger of attempt 1 of this run in the Actions cache$/
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
      const record = h.stack.service.artifacts.findLast(a => a.name === NAME && a.finalized)!
      const entries = await h.stack.listZipEntries(await h.stack.downloadArtifactZip(NAME))
      entries.set(
        'net_arr_2026_Q1.json',
        Buffer.from('{"timePeriods":[{"timePeriodId":"2026_Q1"}]}')
      )
      await h.stack.replaceBlob(record, zipStored(entries), 'update')
      const before = s.requests.length

      const second = await attempt(2)

      expect(second.exitCode).toBe(0)
      expect(since(before).creates).toEqual(['2026_Q1'])
      expect(second.stdout).toMatch(
        /::notice::2026_Q1: not reused: net_arr_2026_Q1\.json: the payload does not match the sha256 its manifest recorded; exporting it anew/
      )
    })

    it('after "Re-run all jobs" (no artifact of attempt 1 visible) takes the DONE jobs over through the ledger in the Actions cache: no create for them, the same bytes, only the failed period anew', async () => {
      const s = await startSim({
        // The first job of 2026_Q2 fails; the one a re-run creates succeeds.
        plan: req => ({
          durationMs: 500,
          outcome: req.timePeriod === '2026_Q2' && req.index < 3 ? 'FAILED' : 'DONE'
        })
      })
      const first = await attempt(1)
      expect(first.exitCode).toBe(1)
      const manifest1 = JSON.parse(await readFile(first.outputs.manifest!, 'utf8')) as ManifestJson
      const before = s.requests.length

      const second = await attempt(2, {}, { fullRerun: true })

      expect(second.exitCode).toBe(0)
      expect(since(before).creates).toEqual(['2026_Q2'])
      expect(
        h.stack.rest.calls.some(c => c.path.includes(`/runs/${h.run.githubRunId}/artifacts`))
      ).toBe(true)
      expect(second.stdout).toMatch(
        /::notice::Not resuming from an earlier attempt: missing: .*\(the runtime listing lists none; the REST API lists none\)/
      )
      expect(second.stdout).toContain('the ledger of attempt 1 of this run in the Actions cache')
      const manifest2 = JSON.parse(await readFile(second.outputs.manifest!, 'utf8')) as ManifestJson
      for (const period of ['2026_Q1', '2026_Q3']) {
        const was = manifest1.exports.find(e => e.period === period)!
        const now = manifest2.exports.find(e => e.period === period)!
        // The same job, the same snapshot, and byte for byte the same payload.
        expect(now).toMatchObject({
          status: 'DONE',
          jobId: was.jobId,
          snapshotAt: was.snapshotAt,
          sha256: was.sha256,
          repolledFromAttempt: 1
        })
        const file = `net_arr_${period}.json`
        const dir1 = path.dirname(first.outputs.manifest!)
        const dir2 = path.dirname(second.outputs.manifest!)
        expect(await readFile(path.join(dir2, file))).toEqual(await readFile(path.join(dir1, file)))
      }
    })
  })
}

/** A re-run whose earlier attempt's artifact is hostile: forged, damaged or oversized. */
export function untrustedArtifactScenarios(runtime: NodeRuntime): void {
  describe(`a re-run of dist/index.js under ${runtime.label}`, () => {
    const h = rerunHarness(runtime)
    const { startSim, startAttempt, attempt, forgeArtifact, forgeManifest, since } = h

    describe("an earlier attempt's artifact is untrusted input", () => {
      it('a manifest whose request.currency is nested 5,000 deep (1 KB): exit 0, the artifact set aside with one notice, the jobs taken over from the ledger', async () => {
        const s = await startSim({ plan: { durationMs: 500 } })
        await attempt(1)
        const deep = `${'['.repeat(5_000)}"USD"${']'.repeat(5_000)}`
        await forgeArtifact(entries => {
          const text = entries.get('manifest.json')!.toString('utf8')
          entries.set(
            'manifest.json',
            Buffer.from(
              text.replace('"exportFormat": "JSON"', `"exportFormat": "JSON", "currency": ${deep}`)
            )
          )
        })
        const before = s.requests.length

        const second = await attempt(2)

        expect(second.exitCode).toBe(0)
        // The artifact is set aside; the ledger in the Actions cache still names the DONE jobs.
        expect(since(before).creates).toEqual([])
        expect(second.stdout + second.stderr).not.toMatch(/call stack/)
        expect(second.stdout.split('\n').filter(line => line.startsWith('::notice::'))).toEqual([
          expect.stringMatching(
            /^::notice::Not resuming from an earlier attempt: unreadable: artifact clari-forecast-net_arr \(id \d+\): its manifest\.json is damaged: request\.currency is not a short line of text; taking jobs over from the ledger of attempt 1 of this run in the Actions cache$/
          )
        ])
      })

      it("a manifest naming a colleague's running job (forecast pipeline): it is neither downloaded nor cancelled, a job of our own is made", async () => {
        const s = await startSim({
          plan: req => ({ durationMs: req.forecastId === 'pipeline' ? 60_000 : 500 }),
          forecasts: ['net_arr', 'pipeline']
        })
        const created = await fetch(`${s.url}/export/forecast/pipeline`, {
          method: 'POST',
          headers: { apikey: s.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ timePeriod: '2026_Q1' })
        })
        const colleagues = ((await created.json()) as { jobId: string }).jobId
        await attempt(1, { periods: '2026_Q1' })
        await forgeManifest(manifest => {
          manifest.exports = [{ period: '2026_Q1', status: 'TIMED_OUT', jobId: colleagues }]
        })
        const before = s.requests.length

        // A short job-timeout: the old code polled the colleague's job and then cancelled it.
        const second = await attempt(2, { periods: '2026_Q1', 'job-timeout': '0.05' })

        expect(second.exitCode).toBe(0)
        const theirs = s.requests.slice(before).filter(r => r.jobId === colleagues)
        expect(theirs.map(r => `${r.method} ${r.endpoint}`)).toEqual(['GET status'])
        expect(s.jobs.find(j => j.jobId === colleagues)).toMatchObject({
          cancelled: false,
          downloads: 0
        })
        expect(since(before).creates).toEqual(['2026_Q1'])
        const manifest = JSON.parse(await readFile(second.outputs.manifest!, 'utf8'))
        expect(manifest.exports[0].jobId).not.toBe(colleagues)
        expect(second.stdout).toContain(
          `2026_Q1: earlier attempt's job ${colleagues}: Clari describes another export than net_arr 2026_Q1; leaving it alone and creating a new job`
        )
      })

      it("reused payloads pass a download's checks: another quarter, not JSON, over max-payload-size are exported anew, tables too", async () => {
        const s = await startSim({ plan: { durationMs: 500 } })
        await attempt(1)
        const forged: Record<string, Buffer> = {
          '2026_Q1': Buffer.from('{"timePeriods":[{"timePeriodId":"2025_Q4"}],"entries":[]}'),
          '2026_Q2': Buffer.from('this is not json at all'),
          '2026_Q3': Buffer.from(
            `{"timePeriods":[{"timePeriodId":"2026_Q3"}],"entries":[],"pad":"${'x'.repeat(1_500_000)}"}`
          )
        }
        await forgeArtifact(entries => {
          const manifest = JSON.parse(
            entries.get('manifest.json')!.toString('utf8')
          ) as ManifestJson
          for (const entry of manifest.exports) {
            const bytes = forged[entry.period]!
            entries.set(`net_arr_${entry.period}.json`, bytes)
            entry.sha256 = sha256(bytes)
            entry.bytes = bytes.length
          }
          entries.set('manifest.json', Buffer.from(JSON.stringify(manifest)))
        })
        const before = s.requests.length

        const second = await attempt(2, { tables: 'ndjson', 'max-payload-size': '1MB' })

        expect(second.exitCode).toBe(0)
        expect(since(before).creates.sort()).toEqual(PERIODS)
        const manifest = JSON.parse(await readFile(second.outputs.manifest!, 'utf8'))
        expect(
          manifest.exports.map((o: Record<string, unknown>) => [
            o.period,
            o.status,
            o.reusedFromAttempt
          ])
        ).toEqual(PERIODS.map(p => [p, 'DONE', undefined]))
        const notices = second.stdout.split('\n').filter(line => line.startsWith('::notice::'))
        expect(notices).toEqual([
          '::notice::2026_Q1: not reused: net_arr_2026_Q1.json: the payload is for period 2025_Q4, not 2026_Q1 (Clari fell back to another quarter); exporting it anew',
          expect.stringMatching(
            /^::notice::2026_Q2: not reused: net_arr_2026_Q2\.json: the payload is not valid JSON \(.*\); exporting it anew$/
          ),
          expect.stringMatching(
            /^::notice::2026_Q3: not reused: net_arr_2026_Q3\.json: it is larger than max-payload-size \(977 KiB\); exporting it anew$/
          )
        ])
      })

      it('unpacks only what the manifest names: a 3 GiB junk.bin of zeros (3 MB zipped) never reaches RUNNER_TEMP', async () => {
        const s = await startSim({ plan: { durationMs: 500 } })
        await attempt(1)
        await forgeArtifact(() => [{ name: 'junk.bin', zeros: 3 * 1024 ** 3 }])
        const before = s.requests.length

        const second = await startAttempt(2)
        const runnerTemp = path.join(path.dirname(second.workspace), 'runner-temp')
        const disk = watchPeak(() => bytesUnder(runnerTemp), 50)
        const result = await second.result
        const peak = await disk.stop()
        console.info(`junk.bin: RUNNER_TEMP peaked at ${(peak / 1024 / 1024).toFixed(1)} MiB`)

        expect(result.exitCode).toBe(0)
        expect(since(before).creates).toEqual([])
        expect(peak).toBeLessThan(16 * 1024 * 1024)
      })
    })
  })
}

/** A re-run while GitHub's services hold on, trickle or flood: the lookup gives up in time. */
export function hostileServiceScenarios(runtime: NodeRuntime): void {
  describe(`a re-run of dist/index.js under ${runtime.label}`, () => {
    const h = rerunHarness(runtime)
    const { startSim, startAttempt, attempt, forgeArtifact, since } = h

    // The lookup's bound, made seconds instead of a minute; the services hold on for minutes.
    const LOOKUP_BOUND = { CLARI_EXPORT_LOOKUP_TIMEOUT_MS: '3000' }

    describe.each<{ what: string; hold(stack: ArtifactStack): void; creates: number }>([
      {
        what: 'a blob trickling 1 byte per 10 s',
        hold: stack => void (stack.hostile.trickle = { bytes: 1, everyMs: 10_000 }),
        creates: 3
      },
      {
        what: 'ListArtifacts held open 150 s',
        hold: stack => void (stack.hostile.holdListingMs = 150_000),
        creates: 3
      },
      {
        what: 'a zip of 220,000 empty entries',
        hold: () => {},
        creates: 3
      },
      {
        // The REST API then finds attempt 1: nothing to export anew.
        what: 'a listing of 300,000 artifacts',
        hold: stack => void (stack.hostile.floodListing = 300_000),
        creates: 0
      }
    ])('against $what', ({ what, hold, creates }) => {
      afterEach(() => {
        h.stack.cache.fault = undefined
        Object.assign(h.stack.hostile, {
          trickle: undefined,
          holdListingMs: undefined,
          floodListing: undefined
        })
      })

      it("the process exits within seconds of the export's end, its memory and log small", async () => {
        const s = await startSim({ plan: { durationMs: 500 } })
        await attempt(1)
        if (what.includes('220,000')) {
          await forgeArtifact(entries => {
            const manifest = entries.get('manifest.json')!
            entries.clear()
            return [...emptyEntries(220_000), { name: 'manifest.json', data: manifest }]
          })
        }
        hold(h.stack)
        // What is measured is the artifact path: the ledger, which would take the jobs over, is
        // not found (and the blob store's hostility would slow the cache's download too).
        h.stack.cache.fault = 'not-found'
        const before = s.requests.length
        let lastLineAt = 0
        const started = performance.now()

        const second = await startAttempt(
          2,
          {},
          {
            env: LOOKUP_BOUND,
            onLine: () => void (lastLineAt = performance.now()),
            timeoutMs: 60_000
          }
        )
        const memory = watchPeak(() => peakMemory(second.pid))
        const result = await second.result
        const exitedAt = performance.now()
        const peak = await memory.stop()
        const lingerMs = exitedAt - lastLineAt
        console.info(
          `${what}: ran ${((exitedAt - started) / 1000).toFixed(1)} s, exited ${lingerMs.toFixed(0)} ms after its last line, peak memory ${(peak / 1024 / 1024).toFixed(0)} MiB, stdout ${(result.stdout.length / 1024).toFixed(0)} KiB`
        )

        expect(result.exitCode).toBe(0)
        expect(since(before).creates).toHaveLength(creates)
        expect(lingerMs).toBeLessThan(2_000)
        expect(peak).toBeLessThan(300 * 1024 * 1024)
        expect(result.stdout.length).toBeLessThan(64 * 1024)
      })
    })
  })
}
