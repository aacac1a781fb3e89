import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type * as Artifact from '@actions/artifact'
import { afterAll, beforeAll, describe, it, vi, type TestContext } from 'vitest'

// The unit project shares loaded modules between test files (isolate: false). Start from fresh
// ones, so that every module of the action is loaded with the fakes below (afterAll drops them
// again for the next file).
vi.hoisted(() => vi.resetModules())
// Only the toolkit is faked: the engine, the Clari client, sockets and files are real.
vi.mock(import('@actions/core'), async original =>
  (await import('./toolkit/index.js')).fakeCore(await original())
)
vi.mock(import('@actions/github'), async () => (await import('./toolkit/index.js')).fakeGithub())
// (By name: the fake client has only the calls the action makes, so it is not the module's type.)
vi.mock('@actions/artifact', async original =>
  (await import('./toolkit/index.js')).fakeArtifact(await original<typeof Artifact>())
)
vi.mock(import('@actions/cache'), async () => (await import('./toolkit/index.js')).fakeCache())

import { ArtifactNotFoundError } from '@actions/artifact'
import { OUTPUTS, type OutputName } from '../../src/action/outputs.js'
import { run } from '../../src/action/run.js'
import { VirtualClock } from '../../src/base/virtual-clock.js'
import { summaryTables } from '../../scripts/demo/summary-text.js'
import { readFolder } from '../e2e/bundle-checks.js'
import { renderedElements } from '../helpers/github-markdown.js'
import { textContent } from '../helpers/strict-html.js'
import { TEST_API_KEY } from '../helpers/engine-harness.js'
import {
  sha256,
  startClariSimulator,
  type ClariSimulator,
  type ClariSimulatorOptions
} from '../simulators/clari/index.js'
import { runAction, type CacheEntry, type StepOptions, type StepResult } from './toolkit/index.js'

const PERIODS = ['2026_Q1', '2026_Q2']
const REPOSITORY = 'octo-org/clari-exports'
const ARTIFACT = 'clari-forecast-net_arr'
const DIGEST = 'a3f1c2e4b5d6978a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6'

beforeAll(() => {
  // The artifact URL names the repository; no runtime token, as on a machine that is no runner.
  vi.stubEnv('GITHUB_REPOSITORY', REPOSITORY)
  vi.stubEnv('ACTIONS_RUNTIME_TOKEN', undefined)
  vi.stubEnv('GITHUB_SERVER_URL', undefined)
})
afterAll(() => {
  vi.unstubAllEnvs()
  vi.resetModules()
})

interface Step {
  sim: ClariSimulator
  /** The output folder, absolute (as the runner resolves it against the workspace). */
  dir: string
  /** Runs the action once with the common inputs, `inputs` on top. */
  run(inputs?: Record<string, string>, options?: Omit<StepOptions, 'inputs'>): Promise<StepResult>
}

/**
 * A Clari simulator and an output folder for one test, both gone when it ends. The simulator and
 * every run of the test share one virtual clock: the polls wait as the action does, in no time.
 */
async function prepare(
  { onTestFinished }: TestContext,
  sim: ClariSimulatorOptions = {}
): Promise<Step> {
  const clock = new VirtualClock()
  const clari = await startClariSimulator({ apiKey: TEST_API_KEY, clock, ...sim })
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clari-action-'))
  onTestFinished(async () => {
    await clari.close()
    await rm(dir, { recursive: true, force: true })
  })
  return {
    sim: clari,
    dir,
    run: (inputs = {}, options = {}) =>
      runAction(() => run({ clock }), {
        inputs: {
          'api-key': TEST_API_KEY,
          'forecast-id': 'net_arr',
          periods: PERIODS.join(', '),
          'api-url': clari.url,
          'output-dir': dir,
          // A temporary folder, not one in the workspace (the bundle tests cover the fence).
          'allow-output-outside-workspace': 'true',
          upload: 'false',
          // The first status check comes after about a second (of the virtual clock).
          'poll-interval': '1',
          'max-poll-interval': '1',
          ...inputs
        },
        ...options
      })
  }
}

/** The key is masked before anything is printed, and appears nowhere a user can read. */
async function expectKeyNowhere(
  { expect }: TestContext,
  result: StepResult,
  dir: string
): Promise<void> {
  expect(result.log[0]).toEqual({ kind: 'add-mask', text: TEST_API_KEY })
  const files = [...(await readFolder(dir)).values()].map(file => file.toString('utf8'))
  for (const text of [result.visibleText, ...files]) {
    // Not whole, nor any ten characters of it.
    for (let at = 0; at + 10 <= TEST_API_KEY.length; at++) {
      expect(text).not.toContain(TEST_API_KEY.slice(at, at + 10))
    }
  }
}

function lines(result: StepResult, kind: StepResult['log'][number]['kind']): string[] {
  return result.log.filter(line => line.kind === kind).map(line => line.text)
}

describe.concurrent('run() in-process, against the Clari simulator', () => {
  it('exports every period, uploads them with the manifest and sets every output', async ctx => {
    const { expect } = ctx
    const step = await prepare(ctx)
    const result = await step.run(
      { upload: 'true' },
      { artifact: { upload: async () => ({ id: 42, size: 2048, digest: DIGEST }) } }
    )
    const jobs = step.sim.jobs
    const manifestPath = path.join(step.dir, 'manifest.json')

    expect(result.failures).toEqual([])
    // Every output the action declares, with what it is set to (undefined: not set).
    const expected: Record<OutputName, string | undefined> = {
      'output-dir': step.dir,
      manifest: manifestPath,
      periods: JSON.stringify(PERIODS),
      exported: JSON.stringify(PERIODS),
      failed: '[]',
      'job-ids': JSON.stringify(Object.fromEntries(jobs.map(j => [j.period, j.jobId]))),
      'artifact-name': ARTIFACT,
      'artifact-id': '42',
      'artifact-url': `https://github.com/${REPOSITORY}/actions/runs/16000000001/artifacts/42`,
      'artifact-digest': `sha256:${DIGEST}`
    }
    expect(Object.keys(expected)).toEqual(OUTPUTS.map(o => o.name))
    expect(result.outputs).toEqual(
      Object.fromEntries(Object.entries(expected).filter(([, value]) => value !== undefined))
    )

    // The payloads are Clari's bytes, and they went up with the manifest, from the output folder.
    const files = await readFolder(step.dir)
    expect([...files.keys()]).toEqual([
      'manifest.json',
      'net_arr_2026_Q1.json',
      'net_arr_2026_Q2.json'
    ])
    jobs.forEach(job =>
      expect(sha256(files.get(`net_arr_${job.period}.json`)!)).toBe(job.payloadSha256)
    )
    expect(result.uploads).toEqual([
      {
        name: ARTIFACT,
        files: [
          path.join(step.dir, 'net_arr_2026_Q1.json'),
          path.join(step.dir, 'net_arr_2026_Q2.json'),
          manifestPath
        ],
        rootDirectory: step.dir,
        options: { retentionDays: undefined, compressionLevel: 6 }
      }
    ])
    expect(JSON.parse(await readFile(manifestPath, 'utf8'))).toMatchObject({
      runId: '16000000001',
      runAttempt: 1,
      exports: PERIODS.map(period => ({ period, status: 'DONE' }))
    })

    // One period at a time: a log group each, then the upload.
    expect(lines(result, 'group')).toEqual(['Period 2026_Q1 (1 of 2)', 'Period 2026_Q2 (2 of 2)'])
    expect(lines(result, 'endgroup')).toHaveLength(2)
    expect(lines(result, 'info')).toContain(`Uploaded artifact ${ARTIFACT} (id 42) with 3 files`)

    // The job summary: one row per period with its job, and the link to the artifact.
    expect(result.summary).toContain('<h2>Clari forecast export: net_arr</h2>')
    const [table] = summaryTables(result.summary)
    expect(table!.slice(1).map(row => row.slice(0, 3))).toEqual(
      jobs.map(job => [job.period, '✅ DONE', job.jobId])
    )
    expect(result.summary).toContain(
      `<a href="${expected['artifact-url']}">Artifact ${ARTIFACT}</a>`
    )
    await expectKeyNowhere(ctx, result, step.dir)
  })

  it('fails the step with one line per failed period and keeps the periods that finished', async ctx => {
    const { expect } = ctx
    const step = await prepare(ctx, {
      plan: req => ({ outcome: req.timePeriod === '2026_Q2' ? 'FAILED' : 'DONE' })
    })
    const result = await step.run({ 'max-concurrent-jobs': '2' })
    const failedJob = step.sim.jobs.find(j => j.period === '2026_Q2')!.jobId

    expect(result.failures).toEqual([
      [
        `1 problem; 1 of 2 periods exported, kept in ${step.dir} with manifest.json:`,
        // The job is named once; no upload, so no re-run could resume: no advice.
        `2026_Q2: FAILED (job ${failedJob}): the job ended FAILED at Clari, which gives no reason`
      ].join('\n')
    ])
    expect(result.outputs).toMatchObject({ exported: '["2026_Q1"]', failed: '["2026_Q2"]' })
    expect([...(await readFolder(step.dir)).keys()]).toEqual([
      'manifest.json',
      'net_arr_2026_Q1.json'
    ])
    const [table] = summaryTables(result.summary)
    expect(table!.slice(1).map(row => row.slice(0, 2))).toEqual([
      ['2026_Q1', '✅ DONE'],
      ['2026_Q2', '❌ FAILED']
    ])
    // Two at a time: no groups (the lines interleave), each line led by its period.
    expect(lines(result, 'group')).toEqual([])
    expect(lines(result, 'info')).toContain(
      'Exporting up to 2 periods at once (max-concurrent-jobs)'
    )
    expect(lines(result, 'info')).toContainEqual(
      expect.stringMatching(/^2026_Q2: job \w+ started; in flight: 2026_Q1, 2026_Q2$/)
    )
    await expectKeyNowhere(ctx, result, step.dir)
  })

  it.for([
    ['periods', '2026-Q1'],
    ['max-concurrent-jobs', '11'],
    ['api-url', 'http://clari.example.com/v4'],
    ['export-format', 'XML'],
    ['retention-days', '91'],
    ['job-timeout', '0']
  ])(
    'rejects %s: %s by name, before any request and without a file',
    async ([name, value], ctx) => {
      const { expect } = ctx
      const step = await prepare(ctx)
      const result = await step.run({ [name!]: value! })

      expect(result.failures).toEqual([
        expect.stringMatching(new RegExp(`^Input '${name}' .*Accepted: `))
      ])
      expect(step.sim.requests).toEqual([])
      expect(result.outputs).toEqual({})
      expect(await readFolder(step.dir)).toEqual(new Map())
      await expectKeyNowhere(ctx, result, step.dir)
    }
  )

  it('fails on a rejected key (401) and creates nothing more, without printing the key', async ctx => {
    const { expect } = ctx
    const step = await prepare(ctx, { apiKey: 'the-right-key' })
    const result = await step.run()

    expect(step.sim.requests.filter(r => r.endpoint === 'create').map(r => r.status)).toEqual([401])
    expect(result.failures).toHaveLength(1)
    const [message] = result.failures
    // The first 401 says what to check; the period not started says why, once.
    expect(message!.split('\n').slice(1)).toEqual([
      '2026_Q1: ERROR: Clari rejected the API key (HTTP 401: Invalid authentication credentials): check the api-key secret; the key may be mistyped, expired or revoked',
      '2026_Q2: ERROR: not started: Clari rejected the API key'
    ])
    expect(result.outputs).toMatchObject({ exported: '[]', failed: JSON.stringify(PERIODS) })
    await expectKeyNowhere(ctx, result, step.dir)
  })

  it('in a dry run reports the plan and Clari quota, and creates no job', async ctx => {
    const { expect } = ctx
    const step = await prepare(ctx)
    const result = await step.run({ 'dry-run': 'true' })

    expect(result.failures).toEqual([])
    expect(step.sim.requests.map(r => r.endpoint)).toEqual(['limits'])
    expect(lines(result, 'info')).toEqual([
      'Plan: export net_arr for 2026_Q1, 2026_Q2 (2 export jobs; dry run: no job created)',
      'Clari export quota left: 1000 of 1000 per 30 days; concurrency slots free: 3 of 3',
      'Would export 1 period at once: 2 waves of jobs'
    ])
    expect(result.outputs).toEqual({ periods: JSON.stringify(PERIODS) })
    // The summary says the same: the plan, the quota left and the slots free.
    const said = renderedElements(result.summary)
      .filter(e => e.tag === 'p')
      .map(e => textContent(e))
    expect(said).toEqual(lines(result, 'info'))
    await expectKeyNowhere(ctx, result, step.dir)
  })

  it('fails a dry run whose periods need more jobs than the quota has left', async ctx => {
    const { expect } = ctx
    const step = await prepare(ctx, { limits: { monthlyQuota: 1 } })
    const result = await step.run({ 'dry-run': 'true' })

    expect(result.failures).toEqual([
      "Dry run: the run needs 2 export jobs but Clari's quota has 1 left (of 1 per 30 days)"
    ])
    expect(step.sim.jobs).toEqual([])
  })

  it('fails clearly when the upload is not possible (no runtime token), keeping the files', async ctx => {
    const { expect } = ctx
    const step = await prepare(ctx)
    // No answer for the upload: the real @actions/artifact client meets the real environment.
    const result = await step.run({ periods: '2026_Q1', upload: 'true' })

    expect(result.uploads.map(u => u.name)).toEqual([ARTIFACT])
    expect(result.failures).toEqual([
      [
        `1 problem; 1 of 1 periods exported, kept in ${step.dir} with manifest.json:`,
        `artifact ${ARTIFACT}: upload failed: Unable to get the ACTIONS_RUNTIME_TOKEN env variable (files kept in ${step.dir})`
      ].join('\n')
    ])
    expect([...(await readFolder(step.dir)).keys()]).toEqual([
      'manifest.json',
      'net_arr_2026_Q1.json'
    ])
    expect(result.outputs).toMatchObject({ exported: '["2026_Q1"]', failed: '[]' })
    expect(Object.keys(result.outputs).filter(name => name.startsWith('artifact-'))).toEqual([])
    expect(result.summary).toContain(
      `Artifact ${ARTIFACT}: upload failed: <code>Unable to get the ACTIONS_RUNTIME_TOKEN env variable</code>`
    )
  })

  it.for([
    { resume: 'auto', advice: true },
    { resume: 'false', advice: false }
  ])(
    'after an upload, says once what "Re-run failed jobs" would do (resume: $resume)',
    async ({ resume, advice }, ctx) => {
      const { expect } = ctx
      const step = await prepare(ctx, {
        plan: req => ({ outcome: req.timePeriod === '2026_Q2' ? 'FAILED' : 'DONE' })
      })
      const result = await step.run(
        { upload: 'true', resume },
        { artifact: { upload: async () => ({ id: 42, size: 2048, digest: DIGEST }) } }
      )

      const line =
        '"Re-run failed jobs" exports only 2026_Q2 again and keeps the 1 period exported now, with no request to Clari for them.'
      expect(result.failures).toHaveLength(1)
      expect(result.failures[0]!.split('\n').at(-1) === line).toBe(advice)
      const said = renderedElements(result.summary).map(e => textContent(e))
      expect(said.includes(line)).toBe(advice)
      const logged = result.log.filter(l => l.text.includes('Re-run failed jobs'))
      expect(logged).toEqual([])
    }
  )

  it('on a name clash (409) for both names it may use, says how to avoid it', async ctx => {
    const { expect } = ctx
    const step = await prepare(ctx)
    const conflict = new Error(
      'Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run'
    )
    const result = await step.run(
      { periods: '2026_Q1', upload: 'true' },
      { artifact: { upload: () => Promise.reject(conflict) } }
    )

    expect(result.deletes).toEqual([])
    expect(result.failures).toHaveLength(1)
    expect(result.failures[0]).toContain(
      `artifact ${ARTIFACT}: upload failed: ${conflict.message}. The run already holds both ${ARTIFACT} and ${ARTIFACT}-attempt-1: set overwrite: true to replace ${ARTIFACT}, or give artifact-name a name of its own (files kept in ${step.dir})`
    )
  })

  it('with overwrite deletes the old artifact first (none is fine), passing retention and compression', async ctx => {
    const { expect } = ctx
    const step = await prepare(ctx)
    const result = await step.run(
      {
        periods: '2026_Q1',
        upload: 'true',
        overwrite: 'true',
        'retention-days': '5',
        'compression-level': '0'
      },
      {
        artifact: {
          delete: name => Promise.reject(new ArtifactNotFoundError(`Artifact not found: ${name}`)),
          upload: async () => ({ id: 7, digest: DIGEST })
        }
      }
    )

    expect(result.failures).toEqual([])
    expect(result.deletes).toEqual([ARTIFACT])
    expect(result.uploads.map(u => u.options)).toEqual([{ retentionDays: 5, compressionLevel: 0 }])
    expect(result.outputs).toMatchObject({
      'artifact-id': '7',
      'artifact-digest': `sha256:${DIGEST}`
    })
  })
})

describe('run() in-process: the ledger in the Actions cache', () => {
  const KEY = /^clari-export-ledger-net_arr-[0-9a-f]{16}-[0-9a-f]{16}-16000000001-1$/

  it('keeps the ledger of every run, a failed one too, and a later run learns its job durations from it', async ctx => {
    const { expect } = ctx
    const entries: CacheEntry[] = []
    const step = await prepare(ctx, {
      plan: req => ({
        durationMs: 1_500,
        outcome: req.timePeriod === '2026_Q2' ? 'FAILED' : 'DONE'
      })
    })
    const first = await step.run({}, { cache: { entries } })

    expect(first.failures).toHaveLength(1)
    expect(entries.map(e => e.key)).toEqual([expect.stringMatching(KEY)])
    const ledger = JSON.parse(entries[0]!.data.toString('utf8')) as Record<string, unknown>
    const [q1, q2] = step.sim.jobs
    expect(ledger).toMatchObject({
      tool: 'clari-forecast-export-action',
      forecastId: 'net_arr',
      runId: '16000000001',
      runAttempt: 1,
      periods: [
        { period: '2026_Q1', status: 'DONE', jobId: q1!.jobId, sha256: q1!.payloadSha256 },
        { period: '2026_Q2', status: 'FAILED', jobId: q2!.jobId }
      ]
    })
    expect(lines(first, 'info')).toContain(
      `Kept the ledger of this run's Clari jobs in the Actions cache (${entries[0]!.key})`
    )
    expect(lines(first, 'warning')).toEqual([])
    // Neither the key nor any part of a payload.
    expect(entries[0]!.data.toString('utf8')).not.toContain(TEST_API_KEY.slice(0, 10))
    expect(entries[0]!.data.toString('utf8')).not.toMatch(/entries|timePeriods/)

    // Another run of the same export, with the job list left out: the ledger alone teaches it.
    const second = await step.run(
      { history: 'runs' },
      { cache: { entries }, context: { runId: 16_000_000_002 } }
    )
    expect(second.cacheCalls[0]).toMatchObject({ call: 'restore' })
    expect(lines(second, 'info')).toContainEqual(
      expect.stringMatching(
        /^Job durations from earlier runs: 2026_Q1 about \d+ s \(± .*, 1 job\); none for 2026_Q2/
      )
    )
    expect(entries).toHaveLength(2)
  })

  it('ignores a ledger of other parameters, and one that is not a ledger, saying so', async ctx => {
    const { expect } = ctx
    const entries: CacheEntry[] = []
    const step = await prepare(ctx, { plan: () => ({ durationMs: 1_500 }) })
    await step.run({}, { cache: { entries } })
    const other = await step.run(
      { currency: 'EUR', history: 'runs' },
      { cache: { entries }, context: { runId: 16_000_000_003 } }
    )
    // Its key names other parameters: the lookup does not even find it.
    expect(lines(other, 'info')).toContainEqual(
      expect.stringMatching(/^Job durations from earlier runs: none for 2026_Q1, 2026_Q2/)
    )

    // A hostile entry under this export's own prefix: read, refused, never thrown.
    const prefix = entries[0]!.key.replace(/16000000001-1$/, '')
    entries.push({
      key: `${prefix}1-1`,
      data: Buffer.from(
        '{"tool":"clari-forecast-export-action","ledgerVersion":1,"forecastId":"renewals"}'
      )
    })
    const hostile = await step.run(
      { history: 'runs' },
      { cache: { entries }, context: { runId: 16_000_000_004 } }
    )
    expect(hostile.failures).toEqual([])
    expect(lines(hostile, 'info')).toContain(
      'Not using the ledger in the Actions cache: it is of another forecast'
    )
  })

  it.for([
    {
      name: 'missing',
      cache: { available: false },
      warning:
        "The Actions cache is not available on this runner: neither ACTIONS_CACHE_URL nor the results service is set. The ledger of Clari's jobs is not kept there for this run; a re-run that finds no earlier artifact exports every period again."
    },
    {
      name: 'refusing',
      cache: { refuse: 'Cache service responded with 503' },
      warning:
        "The Actions cache refused a restore: Failed to restore: Cache service responded with 503. The ledger of Clari's jobs is not kept there for this run; a re-run that finds no earlier artifact exports every period again."
    }
  ])(
    'warns once when the cache is $name, and exports as usual',
    async ({ cache, warning }, ctx) => {
      const { expect } = ctx
      const step = await prepare(ctx)
      const result = await step.run({}, { cache })

      expect(result.failures).toEqual([])
      expect(result.outputs.exported).toBe(JSON.stringify(PERIODS))
      // Once, though it was asked twice (the lookup, then the save).
      expect(result.cacheCalls.length).toBe('refuse' in cache ? 2 : 0)
      expect(lines(result, 'warning')).toEqual([warning])
    }
  )

  it.for([
    { window: '6h', creates: 0 },
    { window: '0', creates: 2 }
  ])(
    'reuse-within $window, a ledger seconds old: $creates creates; jobs taken over are downloaded again and named in the summary with their run and age',
    async ({ window, creates }, ctx) => {
      const { expect } = ctx
      const entries: CacheEntry[] = []
      const step = await prepare(ctx, { plan: () => ({ durationMs: 1_500 }) })
      await step.run({}, { cache: { entries } })
      const jobIds = step.sim.jobs.map(j => j.jobId)
      const before = step.sim.requests.length

      const later = await step.run(
        { 'reuse-within': window },
        { cache: { entries }, context: { runId: 16_000_000_005 } }
      )

      expect(later.failures).toEqual([])
      const requests = step.sim.requests.slice(before)
      expect(requests.filter(r => r.endpoint === 'create')).toHaveLength(creates)
      if (creates > 0) return
      expect(
        requests
          .filter(r => r.endpoint === 'results')
          .map(r => r.jobId)
          .sort()
      ).toEqual([...jobIds].sort())
      // The summary names the job, the run it came from and the snapshot's age.
      const [table] = summaryTables(later.summary)
      const text = JSON.stringify(table)
      for (const jobId of jobIds) expect(text).toContain(jobId)
      expect(text).toMatch(/job of run 16000000001, its snapshot \d+ s old/)
    }
  )

  it('looks no ledger up with history: none, and still keeps its own', async ctx => {
    const { expect } = ctx
    const step = await prepare(ctx)
    const result = await step.run({ history: 'none' }, { cache: {} })
    expect(result.cacheCalls.map(c => c.call)).toEqual(['save'])
  })
})
