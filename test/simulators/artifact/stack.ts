import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { startBlobStore } from './blob-store.js'
import { hostileModes, type HostileModes } from './hostile.js'
import {
  startResultsService,
  type ArtifactRecord,
  type DuplicateNames,
  type IdOrder,
  type ResultsService
} from './results-service.js'
import { startRestApi, type RestApi, type RestRun } from './rest-api.js'
import { listZipEntries } from './zip-reader.js'

const LOOPBACK_NO_PROXY = '127.0.0.1,localhost'

// A proxy would carry the Azure SDK's blob PUTs away from loopback, and any GITHUB_SERVER_URL
// host other than github.com / *.ghe.com / *.localhost makes the client throw GHESNotSupportedError.
const VARIABLES_TO_DROP = [
  'GITHUB_SERVER_URL',
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'ALL_PROXY',
  'all_proxy'
]

/** One attempt of a workflow run, as the runner sets it up for a job step. */
export interface RunAttempt {
  runAttempt: number
  /** Backend ids in the attempt's runtime token. */
  runId: string
  jobId: string
  /** ACTIONS_RUNTIME_TOKEN of this attempt's job. */
  token: string
  /**
   * What the runner gives a JavaScript action step: runtime token, results URL, REST URL
   * (GITHUB_API_URL), repository, run id and attempt. Pass through `childEnv` for a child.
   */
  env: Record<string, string>
}

/** A workflow run: one GitHub run id, re-run in attempts. */
export interface WorkflowRun {
  /** GITHUB_RUN_ID (a number, as text). */
  githubRunId: string
  /** GITHUB_REPOSITORY, owner/name. */
  repository: string
  /**
   * Attempt `n` (the same object for the same n). Each attempt's job has a job backend id of
   * its own; a re-run of failed jobs keeps the run's backend id, so the runtime listing shows
   * the earlier attempts' artifacts. `fullRerun` gives the attempt a new run backend id
   * instead: its runtime listing finds nothing from earlier attempts, the REST API still does.
   */
  attempt(n: number, options?: { fullRerun?: boolean }): RunAttempt
}

export interface ArtifactStack {
  /** Backend ids of the first run's first attempt (`run.attempt(1)`). */
  runId: string
  jobId: string
  /** The blob store's account endpoint, e.g. http://127.0.0.1:PORT/simulatedresults */
  blobUrl: string
  /** `run.attempt(1).env`: what `@actions/artifact` needs; pass through `childEnv` for a child. */
  env: Record<string, string>
  service: ResultsService
  /** GitHub REST stand-in (artifact listing and zip download). */
  rest: RestApi
  /** A token the REST stand-in accepts with `actions: read`, as `github.token` would be. */
  githubToken: string
  /** The workflow run `env` belongs to. */
  run: WorkflowRun
  /** Another workflow run on the same services, so tests do not see each other's artifacts. */
  newRun(): WorkflowRun
  /** Wall time startArtifactStack took. */
  startupMs: number
  /** The newest live artifact's zip, fetched straight from the blob store. */
  downloadArtifactZip(name: string): Promise<Buffer>
  listZipEntries(zip: Buffer): Promise<Map<string, Buffer>>
  /**
   * Puts `bytes` in the artifact's blob. With `digest: 'keep'` the service still reports the
   * digest of the original zip (the blob was damaged); with `'update'` it reports the new one
   * (a bad zip was uploaded whole).
   */
  replaceBlob(record: ArtifactRecord, bytes: Buffer, digest: 'keep' | 'update'): Promise<void>
  /** Ways the results service and the blob store hold on; none set, they behave. */
  hostile: HostileModes
  /** Stops the REST stand-in, the results service and the blob store; safe to call more than once. */
  stop(): Promise<void>
}

/** Environment for a child process that talks to the stack: `base` minus GitHub/proxy leftovers. */
export function childEnv(
  base: NodeJS.ProcessEnv,
  extra: Record<string, string>
): NodeJS.ProcessEnv {
  const env = { ...base }
  for (const name of VARIABLES_TO_DROP) delete env[name]
  return { ...env, ...extra }
}

/**
 * An unsigned JWT: the client decodes it without verifying, and only needs the
 * `Actions.Results:<runId>:<jobId>` scope to learn which run it uploads to.
 */
export function runtimeToken(runId: string, jobId: string): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const header = encode({ alg: 'none', typ: 'JWT' })
  const payload = encode({ scp: `Actions.Results:${runId}:${jobId}` })
  return `${header}.${payload}.unsigned`
}

export interface ArtifactStackOptions {
  duplicateNames?: DuplicateNames
  idOrder?: IdOrder
}

const REPOSITORY = 'octo-org/reports'

export async function startArtifactStack(
  options: ArtifactStackOptions = {}
): Promise<ArtifactStack> {
  const startedAt = performance.now()
  const hostile = hostileModes()
  const blobs = await startBlobStore({ hostile })
  const restRuns = new Map<string, RestRun>()
  let service: ResultsService | undefined
  let rest: RestApi | undefined
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= Promise.allSettled([rest?.close(), service?.close(), blobs.close()]).then(
      results => {
        const failure = results.find(r => r.status === 'rejected')
        if (failure) throw failure.reason
      }
    )
    return stopping
  }
  try {
    service = await startResultsService({ blobs, hostile, ...options })
    rest = await startRestApi({ results: service, runs: restRuns })
  } catch (error) {
    await stop()
    throw error
  }
  const results = service
  const restApi = rest
  const githubToken = `ghs_${randomBytes(18).toString('base64url')}`
  restApi.grant(githubToken, { actionsRead: true })

  let lastRunId = 4000 + Math.floor(Math.random() * 1000)
  const newRun = (): WorkflowRun => {
    const githubRunId = String(++lastRunId)
    // Fresh backend ids per run so a blob left by an earlier upload can never pass for a new one.
    const restRun = { repository: REPOSITORY, backendRunIds: [randomUUID()] }
    restRuns.set(githubRunId, restRun)
    const attempts = new Map<number, RunAttempt>()
    return {
      githubRunId,
      repository: REPOSITORY,
      attempt(n, { fullRerun = false } = {}) {
        const known = attempts.get(n)
        if (known) return known
        const runId = fullRerun ? randomUUID() : restRun.backendRunIds[0]!
        if (fullRerun) restRun.backendRunIds = [...restRun.backendRunIds, runId]
        const jobId = randomUUID()
        const token = runtimeToken(runId, jobId)
        results.authorize(token, { runId, jobId })
        const attempt: RunAttempt = {
          runAttempt: n,
          runId,
          jobId,
          token,
          env: {
            ACTIONS_RUNTIME_TOKEN: token,
            ACTIONS_RESULTS_URL: results.url,
            GITHUB_API_URL: restApi.url,
            GITHUB_REPOSITORY: REPOSITORY,
            GITHUB_RUN_ID: githubRunId,
            GITHUB_RUN_ATTEMPT: String(n),
            NO_PROXY: LOOPBACK_NO_PROXY,
            no_proxy: LOOPBACK_NO_PROXY
          }
        }
        attempts.set(n, attempt)
        return attempt
      }
    }
  }
  const run = newRun()
  const first = run.attempt(1)

  return {
    runId: first.runId,
    jobId: first.jobId,
    blobUrl: blobs.url,
    env: first.env,
    service: results,
    rest: restApi,
    githubToken,
    run,
    newRun,
    startupMs: performance.now() - startedAt,
    async downloadArtifactZip(name) {
      const record = results.artifacts.findLast(a => a.finalized && !a.deleted && a.name === name)
      if (!record) throw new Error(`No finalized artifact named '${name}'`)
      const response = await fetch(results.container.signedUrl(record.blobPath, 'r'))
      if (!response.ok) {
        throw new Error(
          `GET blob ${record.blobPath} failed: ${response.status} ${await response.text()}`
        )
      }
      return Buffer.from(await response.arrayBuffer())
    },
    listZipEntries,
    async replaceBlob(record, bytes, digest) {
      results.container.put(record.blobPath, bytes, 'application/zip')
      if (digest === 'update') {
        record.size = bytes.length
        record.hash = `sha256:${createHash('sha256').update(bytes).digest('hex')}`
      }
    },
    hostile,
    stop
  }
}
