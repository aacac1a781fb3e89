import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { useArtifactStack } from '../helpers/artifact-stack-env.js'
import { TEST_API_KEY } from '../helpers/test-api-key.js'
import { printedDuring } from '../helpers/printed.js'
import { withoutRunnerVariables } from '../helpers/run-bundle.js'
import { shippedConfig } from '../helpers/shipped-config.js'
import {
  childEnv,
  emptyEntries,
  hostileZip,
  REALISTIC_RESULTS_MODES,
  type ArtifactRecord,
  type ArtifactStack,
  type RunAttempt,
  type WorkflowRun
} from '../simulators/artifact/index.js'

import type { GitHubRun, RequestBounds } from '../../src/action/github-artifacts.js'
import type { EarlierRun, NoEarlierRun } from '../../src/engine/reruns/earlier-run.js'
import { closedPortUrl } from '../helpers/closed-port.js'

// Loaded once the stack is up and process.env points at it (the toolkit reads it at each call).
type AdapterModule = typeof import('../../src/action/github-artifacts.js')
type SearchModule = typeof import('../../src/engine/reruns/earlier-artifacts.js')
type EngineModule = typeof import('../../src/engine/index.js')
type ArtifactModule = typeof import('@actions/artifact')

const FORECAST = 'net_arr'
const NAME = 'clari-forecast-net_arr'
const PAYLOAD_FILE = 'net_arr_2026_Q1.json'
const CONFIG = shippedConfig({
  'api-key': TEST_API_KEY,
  'forecast-id': FORECAST,
  periods: '2026_Q1'
})

/** A manifest v2 as the engine writes it (the fields the lookup reads, and a few it passes on). */
function manifest(runAttempt: number, overrides: Record<string, unknown> = {}): object {
  const payload = payloadOf(runAttempt)
  return {
    tool: 'clari-forecast-export-action',
    manifestVersion: 2,
    forecastId: FORECAST,
    runId: '1',
    runAttempt,
    request: { exportFormat: 'JSON' },
    startedAt: '2026-05-15T12:00:00.000Z',
    finishedAt: '2026-05-15T12:01:00.000Z',
    exports: [
      {
        period: '2026_Q1',
        jobId: `job-${runAttempt}`,
        status: 'DONE',
        file: PAYLOAD_FILE,
        bytes: payload.length,
        sha256: createHash('sha256').update(payload).digest('hex')
      }
    ],
    ...overrides
  }
}

const CHILD_SCRIPT = fileURLToPath(new URL('../helpers/github-artifacts-child.ts', import.meta.url))
const CHILD_TIMEOUT_MS = 30_000

/** Children still running; afterEach kills them, whatever the test's outcome. */
const children = new Set<ChildProcess>()

interface ChildRun {
  result: { kind?: string; reason?: string; attempt?: number }
  /** Lookup time, measured in the child. */
  elapsedMs: number
  /** From the answer to the moment nothing kept the child's event loop alive, measured there. */
  lingerMs: number
  output: string
}

/** Runs the lookup in a process of its own (src through tsx) and times its exit. */
function runChild(env: NodeJS.ProcessEnv): Promise<ChildRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT], {
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  children.add(child)
  let output = ''
  const collect = (chunk: Buffer): void => {
    output += chunk.toString()
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_TIMEOUT_MS)
    child.once('error', reject)
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      children.delete(child)
      const answer = /^RESULT (.+)$/m.exec(output)?.[1]
      const idleMs = /^IDLE (\d+)$/m.exec(output)?.[1]
      if (!answer || idleMs === undefined || code !== 0) {
        return reject(new Error(`child ended (${code ?? signal}) without an answer:\n${output}`))
      }
      const { result, elapsedMs } = JSON.parse(answer) as Omit<ChildRun, 'lingerMs' | 'output'>
      resolve({ result, elapsedMs, lingerMs: Number(idleMs), output })
    })
  })
}

const payloadOf = (runAttempt: number): Buffer =>
  Buffer.from(JSON.stringify({ entries: [{ attempt: runAttempt }] }))

describe('the earlier attempt through GitHub: our runtime and REST clients against the artifact stack', () => {
  const savedEnv = { ...process.env }
  const inProcess = useArtifactStack('github-artifacts')
  let stack: ArtifactStack
  let adapter: AdapterModule
  let search: SearchModule
  let engine: EngineModule
  let artifactModule: ArtifactModule
  let workDir = ''

  beforeAll(async () => {
    ;({ stack, workDir } = inProcess)
    adapter = await import('../../src/action/github-artifacts.js')
    search = await import('../../src/engine/reruns/earlier-artifacts.js')
    engine = await import('../../src/engine/index.js')
    artifactModule = await import('@actions/artifact')
  })

  afterEach(async () => {
    await Promise.all(
      [...children].map(child => {
        child.kill('SIGKILL')
        return new Promise(resolve => child.once('close', resolve))
      })
    )
    Object.assign(stack.service, REALISTIC_RESULTS_MODES)
    stack.rest.fault = undefined
    Object.assign(stack.hostile, {
      holdListingMs: undefined,
      floodListing: undefined,
      trickle: undefined
    })
  })

  /** The runtime token is read at each call: this makes `attempt` the job that calls next. */
  const actAs = (attempt: RunAttempt): void => {
    process.env.ACTIONS_RUNTIME_TOKEN = attempt.token
  }

  /** Uploads files the way attempt n of the action does, with the real client. */
  async function upload(
    attempt: RunAttempt,
    name: string,
    files: Record<string, Buffer | string>
  ): Promise<ArtifactRecord> {
    const dir = await mkdtemp(path.join(workDir, 'upload-'))
    for (const [file, data] of Object.entries(files)) await writeFile(path.join(dir, file), data)
    actAs(attempt)
    const { id } = await new artifactModule.DefaultArtifactClient().uploadArtifact(
      name,
      Object.keys(files).map(file => path.join(dir, file)),
      dir
    )
    return stack.service.artifacts.find(a => a.id === String(id))!
  }

  /** What attempt n of the action uploads: its manifest and its payload. */
  const uploadExport = (attempt: RunAttempt, name = NAME, manifestOverrides = {}) =>
    upload(attempt, name, {
      'manifest.json': JSON.stringify(manifest(attempt.runAttempt, manifestOverrides)),
      [PAYLOAD_FILE]: payloadOf(attempt.runAttempt)
    })

  /** What the runner gives attempt `n` of `run`'s step, as the action reads it. */
  const gitHubRun = (run: WorkflowRun, n: number, githubToken = stack.githubToken): GitHubRun => ({
    runtimeToken: run.attempt(n).token,
    resultsUrl: stack.service.url,
    apiUrl: stack.rest.url,
    repository: run.repository,
    runId: run.githubRunId,
    githubToken
  })

  /** The lookup attempt `n` of `run` makes: the engine's search over the action's ports. */
  async function find(
    run: WorkflowRun,
    n: number,
    options: {
      githubToken?: string
      timeoutMs?: number
      bounds?: RequestBounds
      artifactNames?: string[]
    } = {}
  ): Promise<EarlierRun | NoEarlierRun> {
    const transport = new engine.Transport()
    try {
      const source = search.earlierAttemptSource({
        sources: adapter.gitHubArtifactSources(
          gitHubRun(run, n, options.githubToken),
          transport,
          options.bounds
        ),
        runAttempt: n,
        artifactNames: options.artifactNames ?? Array.from({ length: n - 1 }, () => NAME),
        tempDir: workDir,
        timeoutMs: options.timeoutMs
      })
      return await source.find(CONFIG, new AbortController().signal)
    } finally {
      transport.close()
    }
  }

  async function expectFound(
    result: EarlierRun | NoEarlierRun,
    attempt: number,
    artifactName: string
  ): Promise<void> {
    if ('reason' in result) throw new Error(`expected attempt ${attempt}, got: ${result.reason}`)
    try {
      expect(result.manifest.runAttempt).toBe(attempt)
      expect(result.source).toBe(`artifact ${artifactName} of attempt ${attempt}`)
      expect(await readdir(result.dir)).toEqual([PAYLOAD_FILE])
      expect(await readFile(path.join(result.dir, PAYLOAD_FILE))).toEqual(payloadOf(attempt))
    } finally {
      await result.dispose()
    }
  }

  /** The REST requests since `from`, paths without their query, and their statuses. */
  const restCallsSince = (from: number) =>
    stack.rest.calls.slice(from).map(c => [c.path.replace(/\?.*/, ''), c.status])

  it('attempt 2 finds what attempt 1 uploaded through the runtime listing, without the REST API, where GitHub serves inherited artifacts (before 2026-07-24)', async () => {
    stack.service.inheritedArtifacts = 'served'
    const run = stack.newRun()
    await uploadExport(run.attempt(1))
    const restCalls = stack.rest.calls.length

    const startedAt = performance.now()
    const result = await find(run, 2)
    console.info(`runtime-path lookup took ${(performance.now() - startedAt).toFixed(0)} ms`)

    await expectFound(result, 1, NAME)
    expect(stack.rest.calls.length).toBe(restCalls)
  })

  it('attempt 2 of a partial re-run is refused the runtime download of attempt 1’s listed artifact (404, download-artifact#486) and gets it through the REST API', async () => {
    const run = stack.newRun()
    await uploadExport(run.attempt(1))
    const restCalls = stack.rest.calls.length
    const refusedBefore = stack.service.calls.filter(
      c => c.method === 'GetSignedArtifactURL'
    ).length

    const startedAt = performance.now()
    const result = await find(run, 2)
    console.info(`partial re-run lookup took ${(performance.now() - startedAt).toFixed(0)} ms`)

    await expectFound(result, 1, NAME)
    expect(
      stack.service.calls.filter(c => c.method === 'GetSignedArtifactURL').length - refusedBefore
    ).toBe(1)
    // Listed one name at a time: the suffixed name first, then artifact-name.
    const listing = `/repos/${run.repository}/actions/runs/${run.githubRunId}/artifacts`
    expect(restCallsSince(restCalls)).toEqual([
      [listing, 200],
      [listing, 200],
      [expect.stringMatching(/^\/repos\/.+\/actions\/artifacts\/\d+\/zip$/), 302]
    ])
  })

  it.each(['refuse', 'accept'] as const)(
    'attempt 3 takes attempt 2 by its manifest although its id is lower (duplicate names: %s)',
    async duplicateNames => {
      stack.service.duplicateNames = duplicateNames
      stack.service.idOrder = 'descending'
      const run = stack.newRun()
      const first = await uploadExport(run.attempt(1))
      // Where GitHub refuses the name, attempt 2 uploaded under the suffixed one.
      const secondName = duplicateNames === 'refuse' ? `${NAME}-attempt-2` : NAME
      const second = await uploadExport(run.attempt(2), secondName)
      expect(Number(second.id)).toBeLessThan(Number(first.id))

      await expectFound(await find(run, 3), 2, secondName)
    }
  )

  it('falls back to an older attempt when the newest one is damaged', async () => {
    const run = stack.newRun()
    await uploadExport(run.attempt(1))
    const second = await uploadExport(run.attempt(2), `${NAME}-attempt-2`)
    await stack.replaceBlob(second, randomBytes(512), 'keep')

    await expectFound(await find(run, 3), 1, NAME)
  })

  it('finds nothing after a full re-run: the REST API, asked after the runtime listing, shows none of attempt 1’s artifacts either', async () => {
    const run = stack.newRun()
    await uploadExport(run.attempt(1))
    run.attempt(2, { fullRerun: true })
    const restCalls = stack.rest.calls.length

    const result = await find(run, 2)

    expect(result).toEqual({
      kind: 'missing',
      reason: `missing: no artifact named ${NAME}-attempt-1, ${NAME} on this run (the runtime listing lists none; the REST API lists none)`
    })
    const listing = `/repos/${run.repository}/actions/runs/${run.githubRunId}/artifacts`
    expect(stack.rest.calls.slice(restCalls).map(c => [c.path, c.status])).toEqual([
      [`${listing}?name=${NAME}-attempt-1&per_page=100`, 200],
      [`${listing}?name=${NAME}&per_page=100`, 200]
    ])
  })

  it.each([
    {
      what: 'no token',
      token: '',
      kind: 'missing',
      reason: /^missing: no artifact named .*no REST fallback: github-token is empty/
    },
    {
      what: 'a token GitHub does not know',
      token: 'ghs_unknown0000',
      kind: 'lookup-failed',
      reason:
        /^lookup failed: .*the REST API failed: REST list artifacts answered 401 \(Bad credentials\); check github-token$/
    },
    {
      what: 'a token without actions: read',
      token: 'ghs_noactions000',
      kind: 'lookup-failed',
      reason:
        /REST list artifacts answered 403 \(Resource not accessible by integration\); the token needs actions: read$/
    }
  ])(
    'after a full re-run, the REST API needs the token: $what',
    async ({ token, kind, reason }) => {
      stack.rest.grant('ghs_noactions000', { actionsRead: false })
      const run = stack.newRun()
      await uploadExport(run.attempt(1))
      run.attempt(2, { fullRerun: true })

      const result = await find(run, 2, { githubToken: token })

      expect(result).toEqual({ kind, reason: expect.stringMatching(reason) })
      if (token) expect(JSON.stringify(result)).not.toContain(token)
    }
  )

  it.each<{
    what: string
    prepare(record: ArtifactRecord): Promise<void> | void
    manifest?: Record<string, unknown> | string
    kind: string
    reason: RegExp
  }>([
    {
      what: 'expired (the REST API still lists it)',
      prepare: record => void (record.expired = true),
      kind: 'expired',
      reason: /^expired: artifact clari-forecast-net_arr \(id \d+\): it has expired$/
    },
    {
      what: 'damaged in storage (digest mismatch)',
      prepare: record => stack.replaceBlob(record, randomBytes(2048), 'keep'),
      kind: 'unreadable',
      reason:
        /^unreadable: artifact clari-forecast-net_arr \(id \d+\): the download does not match its digest$/
    },
    {
      what: 'not a zip although its digest matches',
      prepare: record => stack.replaceBlob(record, Buffer.from('PK but not a zip'), 'update'),
      kind: 'unreadable',
      reason: /^unreadable: .*: not a readable zip \(/
    },
    {
      what: 'made by something else (manifest v1)',
      prepare: () => {},
      manifest: JSON.stringify({
        forecastId: FORECAST,
        startedAt: 'x',
        finishedAt: 'y',
        exports: []
      }),
      kind: 'not-ours',
      reason:
        /^not this action's: .*: its manifest\.json was not made by clari-forecast-export-action \(manifest version 2\)$/
    },
    {
      what: 'for another forecast, with a hostile name',
      prepare: () => {},
      manifest: { forecastId: 'x\u001b[31m\n::error::pwned' },
      kind: 'other-forecast',
      reason: /^other forecast: .*: it holds forecast "x \[31m : :error: :pwned", not net_arr$/
    },
    {
      what: 'from no earlier attempt',
      prepare: () => {},
      manifest: { runAttempt: 2 },
      kind: 'not-ours',
      reason: /records no earlier attempt \(runAttempt 2\)$/
    },
    {
      what: 'a manifest.json that is not JSON',
      prepare: () => {},
      manifest: '{"tool": "clari-forecast-export-action",',
      kind: 'unreadable',
      reason: /: its manifest\.json is not JSON$/
    },
    {
      what: 'a manifest.json over 4 MiB',
      prepare: () => {},
      manifest: { padding: 'x'.repeat(4 * 1024 * 1024) },
      kind: 'unreadable',
      reason: /: not a readable zip \(manifest\.json is larger than 4194304 bytes\)$/
    }
  ])('an earlier artifact $what → $kind, nothing kept (inherited artifacts served)', async c => {
    // The runtime path alone, so the verdict is the content's (see the test after this one).
    stack.service.inheritedArtifacts = 'served'
    const run = stack.newRun()
    const record =
      typeof c.manifest === 'string'
        ? await upload(run.attempt(1), NAME, { 'manifest.json': c.manifest })
        : await uploadExport(run.attempt(1), NAME, c.manifest)
    await c.prepare(record)
    const before = await readdir(workDir)

    const result = await find(run, 2)

    expect(result).toEqual({ kind: c.kind, reason: expect.stringMatching(c.reason) })
    expect(await readdir(workDir)).toEqual(before)
  })

  it('reports a damaged earlier artifact once, by what the REST download found, after the runtime download was refused (404)', async () => {
    const run = stack.newRun()
    const record = await uploadExport(run.attempt(1))
    await stack.replaceBlob(record, randomBytes(2048), 'keep')

    const result = await find(run, 2)

    // One artifact, one verdict: the REST path's, which reached its content (issue 20's
    // cosmetic note: it used to be counted a second time as "1 older one(s) not usable").
    expect(result).toEqual({
      kind: 'unreadable',
      reason: `unreadable: artifact ${NAME} (id ${record.id}): the download does not match its digest`
    })
    const zip = stack.rest.calls.findLast(c => c.path.endsWith(`/artifacts/${record.id}/zip`))
    expect(zip?.status).toBe(302)
  })

  it('says what it looked for when nothing was uploaded', async () => {
    const run = stack.newRun()
    const result = await find(run, 3, { artifactNames: ['a-1', 'a-2'] })

    expect(result).toEqual({
      kind: 'missing',
      reason:
        'missing: no artifact named a-2-attempt-2, a-2, a-1-attempt-1, a-1 on this run (the runtime listing lists none; the REST API lists none)'
    })
  })

  it.each([
    { fault: 'hang' as const, timeoutMs: 1_500, kind: 'gives up at the bound' },
    { fault: 'reset' as const, timeoutMs: 20_000, kind: 'fails without waiting for the bound' }
  ])(
    'against a REST API that answers with $fault, the lookup $kind',
    async ({ fault, timeoutMs }) => {
      const run = stack.newRun()
      await uploadExport(run.attempt(1))
      run.attempt(2, { fullRerun: true })
      stack.rest.fault = fault

      const startedAt = performance.now()
      const result = await find(run, 2, { timeoutMs })
      const elapsed = performance.now() - startedAt
      console.info(`REST ${fault}: lookup ended after ${elapsed.toFixed(0)} ms`)

      expect(result).toMatchObject({ kind: 'lookup-failed' })
      if (fault === 'hang') {
        expect((result as { reason: string }).reason).toBe('lookup failed: gave up after 1.5 s')
        expect(elapsed).toBeGreaterThanOrEqual(1_450)
      } else {
        expect((result as { reason: string }).reason).toMatch(/the REST API failed: /)
        expect(elapsed).toBeLessThan(timeoutMs)
      }
    }
  )

  it.each([
    { api: 'that never answers', fault: 'hang' as const },
    { api: 'that refuses connections', fault: 'refused' as const }
  ])(
    'in a process of its own, against a REST API $api, nothing the lookup leaves keeps the process alive',
    async ({ fault }) => {
      const run = stack.newRun()
      await uploadExport(run.attempt(1))
      const attempt = run.attempt(2, { fullRerun: true })
      let apiUrl = stack.rest.url
      if (fault === 'hang') stack.rest.fault = 'hang'
      else apiUrl = await closedPortUrl()
      // Refused: a bound far past the lookup's own time (its one retry, a second later: 1.1-1.4 s,
      // once 2.2 s on a busy machine), so ending before it shows the refusal ended the lookup.
      const timeoutMs = fault === 'hang' ? 2_000 : 10_000

      const child = await runChild(
        childEnv(withoutRunnerVariables(savedEnv), {
          ...attempt.env,
          GITHUB_API_URL: apiUrl,
          GITHUB_ARTIFACTS_LOOKUP: JSON.stringify({
            run: { ...gitHubRun(run, 2), apiUrl },
            runAttempt: 2,
            artifactNames: [NAME],
            tempDir: workDir,
            timeoutMs,
            inputs: { 'api-key': TEST_API_KEY, 'forecast-id': FORECAST, periods: '2026_Q1' }
          })
        })
      )
      console.info(
        `child, REST ${fault}: lookup ${child.elapsedMs} ms, idle ${child.lingerMs} ms after the answer`
      )

      expect(child.result.kind).toBe('lookup-failed')
      if (fault === 'hang') {
        expect(child.result.reason).toBe('lookup failed: gave up after 2 s')
      } else {
        expect(child.result.reason).toMatch(/the REST API failed: .*ECONNREFUSED/)
        expect(child.elapsedMs).toBeLessThan(timeoutMs)
      }
      // The toolkit's own REST listing would hold the process for ~55 s here.
      expect(child.lingerMs).toBeLessThan(1_500)
      expect(child.output).not.toContain(stack.githubToken)
    }
  )

  describe('against services that hold on, every request ends at a bound of its own', () => {
    const closedWithin = (mode: string, ms: number) => {
      const answers = stack.hostile.log.filter(a => a.mode === mode)
      expect(answers.length).toBeGreaterThan(0)
      for (const answer of answers) {
        expect(answer.closedAt).toBeDefined()
        expect(answer.closedAt! - answer.startedAt).toBeLessThan(ms)
      }
      return answers
    }
    beforeEach(() => {
      stack.hostile.log.splice(0)
      // The runtime path whole (GitHub served inherited artifacts until 2026-07-24), so that each
      // hostile mode meets the request it holds on, not an earlier 404.
      stack.service.inheritedArtifacts = 'served'
    })

    it('ListArtifacts held open 150 s: the runtime listing gives up at 1 s (twice), the REST API finds attempt 1', async () => {
      const run = stack.newRun()
      await uploadExport(run.attempt(1))
      stack.hostile.holdListingMs = 150_000

      const result = await find(run, 2, {
        bounds: { idleMs: 20_000, answerMs: 1_000, downloadMs: 5_000 },
        timeoutMs: 30_000
      })

      await expectFound(result, 1, NAME)
      expect(closedWithin('hold-listing', 1_500)).toHaveLength(2)
    })

    it('a blob trickling 1 byte every 200 ms, under a 500 ms idle bound: each download ends at its 1.5 s bound, and the artifact is counted once', async () => {
      const run = stack.newRun()
      await uploadExport(run.attempt(1))
      stack.hostile.trickle = { bytes: 1, everyMs: 200 }

      const result = await find(run, 2, {
        bounds: { idleMs: 500, answerMs: 5_000, downloadMs: 1_500 },
        timeoutMs: 30_000
      })

      expect(result).toEqual({
        kind: 'unreadable',
        reason: expect.stringMatching(
          new RegExp(
            `^unreadable: artifact ${NAME} \\(id \\d+\\): the download failed \\(REST artifact download: no complete answer within 1500 ms\\)$`
          )
        )
      })
      const trickles = closedWithin('trickle', 2_000)
      expect(trickles.map(t => t.mode)).toEqual(['trickle', 'trickle'])
      for (const t of trickles) expect(t.bytesSent).toBeLessThan(20)
      expect(await readdir(workDir)).not.toContainEqual(expect.stringMatching(/^clari-earlier-/))
    })

    it('a listing of 300,000 artifacts: refused at 200 KiB, never parsed, and the REST API finds attempt 1', async () => {
      const run = stack.newRun()
      await uploadExport(run.attempt(1))
      stack.hostile.floodListing = 300_000

      const result = await find(run, 2, { timeoutMs: 30_000 })

      await expectFound(result, 1, NAME)
      const [flood, ...more] = closedWithin('flood-listing', 5_000)
      expect(more).toEqual([])
      // Of ~70 MB: what the socket buffers held when the client let go.
      expect(flood!.bytesSent).toBeLessThan(8 * 1024 * 1024)
    })

    it('a zip of 220,000 empty entries: refused by the count in its end record, and not downloaded again', async () => {
      const run = stack.newRun()
      const record = await uploadExport(run.attempt(1))
      const zip = hostileZip([
        ...emptyEntries(220_000),
        { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest(1))) }
      ])
      await stack.replaceBlob(record, zip, 'update')
      const restCalls = stack.rest.calls.length

      const startedAt = performance.now()
      const result = await find(run, 2, { timeoutMs: 30_000 })
      const elapsed = performance.now() - startedAt

      expect(result).toEqual({
        kind: 'unreadable',
        reason: expect.stringMatching(/holds 220001 entries, more than an artifact of this action/)
      })
      console.info(`220,000 entries: judged in ${elapsed.toFixed(0)} ms`)
      expect(elapsed).toBeLessThan(10_000)
      expect(stack.rest.calls.slice(restCalls).some(c => c.path.endsWith('/zip'))).toBe(false)
    })
  })

  it('prints nothing, and the github-token is in no answer', async () => {
    const run = stack.newRun()
    run.attempt(2, { fullRerun: true })
    const token = 'ghs_mustnotleak123'
    stack.rest.grant(token, { actionsRead: false })
    const { value: result, printed } = await printedDuring(() =>
      find(run, 2, { githubToken: token })
    )
    expect(printed).toBe('')
    expect(result).toMatchObject({ kind: 'lookup-failed' })
    expect(JSON.stringify(result)).not.toContain(token)
  })
})
