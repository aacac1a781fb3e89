import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { startBlobStore } from './blob-store.js'
import { startCacheService, type CacheService } from './cache-service.js'
import { hostileModes, type HostileModes } from './hostile.js'
import {
  startResultsService,
  type ArtifactRecord,
  type ResultsService,
  type ResultsServiceModes
} from './results-service.js'
import { startRestApi, type RestApi, type RestRun } from './rest-api.js'
import {
  CACHE_READ,
  CACHE_WRITE,
  RuntimeTokens,
  runtimeToken,
  type CacheScope
} from './runtime-token.js'
import { listZipEntries } from './zip-reader.js'

const LOOPBACK_NO_PROXY = '127.0.0.1,localhost'

// A proxy would carry the Azure SDK's blob PUTs away from loopback, any GITHUB_SERVER_URL
// host other than github.com / *.ghe.com / *.localhost makes the client throw
// GHESNotSupportedError, and a cache variable of the parent's would choose the cache protocol.
const VARIABLES_TO_DROP = [
  'GITHUB_SERVER_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_CACHE_MODE',
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'ALL_PROXY',
  'all_proxy'
]

/**
 * Which GitHub the runs are on, as the runner's environment tells the toolkit:
 * - `github.com`: GITHUB_SERVER_URL unset; `@actions/cache` speaks the cache service v2
 *   (ACTIONS_CACHE_SERVICE_V2) on ACTIONS_RESULTS_URL;
 * - `ghes`: GITHUB_SERVER_URL is an Enterprise Server host, where `@actions/artifact` refuses
 *   every call (GHESNotSupportedError) and `@actions/cache` speaks v1 on ACTIONS_CACHE_URL;
 * - `ghes-without-cache`: `ghes` without ACTIONS_CACHE_URL, a server without the Actions cache.
 */
export type GitHubPlatform = 'github.com' | 'ghes' | 'ghes-without-cache'

/** The Enterprise Server host of the `ghes` platforms (issue 24's example). */
export const GHES_SERVER_URL = 'https://github.acme-corp.example'
/** The repository's default branch, whose caches every branch may read. */
export const DEFAULT_BRANCH = 'refs/heads/main'

/** One attempt of a workflow run, as the runner sets it up for a job step. */
export interface RunAttempt {
  runAttempt: number
  /** Backend ids in the attempt's runtime token: every attempt has a run id of its own. */
  runId: string
  jobId: string
  /** ACTIONS_RUNTIME_TOKEN of this attempt's job. */
  token: string
  /**
   * What the runner gives a JavaScript action step: runtime token, results URL, REST URL
   * (GITHUB_API_URL), repository, ref, run id and attempt, and the cache service's variables
   * for the stack's platform. Pass through `childEnv` for a child.
   */
  env: Record<string, string>
}

/** A workflow run: one GitHub run id, re-run in attempts. */
export interface WorkflowRun {
  /** GITHUB_RUN_ID (a number, as text). */
  githubRunId: string
  /** GITHUB_REPOSITORY, owner/name. */
  repository: string
  /** GITHUB_REF: the ref whose caches the run writes (and reads, then the default branch's). */
  ref: string
  /**
   * Attempt `n` (the same object for the same n), with backend run and job ids of its own.
   * By default it is a partial re-run ("Re-run failed jobs"): it inherits what the attempt
   * before it saw, so its runtime listing and the REST API list the earlier attempts' artifacts,
   * while a runtime download of one answers as the results service's `inheritedArtifacts` mode
   * says. `fullRerun` ("Re-run all jobs") inherits nothing: neither listing shows any earlier
   * attempt's artifact from then on.
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
  /** The Actions cache (v2 on the results service's origin, v1 at its own URL). */
  cache: CacheService
  /** GitHub REST stand-in (artifact listing and zip download). */
  rest: RestApi
  /** A token the REST stand-in accepts with `actions: read`, as `github.token` would be. */
  githubToken: string
  /** The workflow run `env` belongs to. */
  run: WorkflowRun
  /**
   * Another workflow run on the same services, so tests do not see each other's artifacts; on
   * `ref` (default: the default branch).
   */
  newRun(options?: { ref?: string }): WorkflowRun
  /** Wall time startArtifactStack took. */
  startupMs: number
  /** The artifact's zip (by name: the newest live one), fetched straight from the blob store. */
  downloadArtifactZip(artifact: string | ArtifactRecord): Promise<Buffer>
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

export interface ArtifactStackOptions extends Partial<ResultsServiceModes> {
  /** Default `github.com`. */
  platform?: GitHubPlatform
  /** The cache service's clock for entry creation times. */
  cacheNow?: () => number
}

const REPOSITORY = 'octo-org/reports'

export async function startArtifactStack(
  options: ArtifactStackOptions = {}
): Promise<ArtifactStack> {
  const { platform = 'github.com', cacheNow, ...modes } = options
  const startedAt = performance.now()
  const hostile = hostileModes()
  const blobs = await startBlobStore({ hostile })
  const tokens = new RuntimeTokens()
  const restRuns = new Map<string, RestRun>()
  let cache: CacheService | undefined
  let service: ResultsService | undefined
  let rest: RestApi | undefined
  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= Promise.allSettled([
      rest?.close(),
      service?.close(),
      cache?.close(),
      blobs.close()
    ]).then(results => {
      const failure = results.find(r => r.status === 'rejected')
      if (failure) throw failure.reason
    })
    return stopping
  }
  try {
    cache = await startCacheService({ blobs, tokens, ...(cacheNow ? { now: cacheNow } : {}) })
    service = await startResultsService({
      blobs,
      tokens,
      services: [cache.twirp],
      hostile,
      ...modes
    })
    rest = await startRestApi({ results: service, runs: restRuns })
  } catch (error) {
    await stop()
    throw error
  }
  const results = service
  const cacheService = cache
  const restApi = rest
  const githubToken = `ghs_${randomBytes(18).toString('base64url')}`
  restApi.grant(githubToken, { actionsRead: true })

  const platformEnv: Record<string, string> =
    platform === 'github.com'
      ? { ACTIONS_CACHE_SERVICE_V2: 'True' }
      : {
          GITHUB_SERVER_URL: GHES_SERVER_URL,
          ...(platform === 'ghes' ? { ACTIONS_CACHE_URL: cacheService.v1Url } : {})
        }

  let lastRunId = 4000 + Math.floor(Math.random() * 1000)
  const newRun = ({ ref = DEFAULT_BRANCH }: { ref?: string } = {}): WorkflowRun => {
    const githubRunId = String(++lastRunId)
    const restRun: RestRun = { repository: REPOSITORY, backendRunIds: [] }
    restRuns.set(githubRunId, restRun)
    // The job writes its own ref's caches and reads the default branch's too.
    const cacheScopes: CacheScope[] = [
      { scope: ref, permission: CACHE_READ | CACHE_WRITE },
      ...(ref === DEFAULT_BRANCH ? [] : [{ scope: DEFAULT_BRANCH, permission: CACHE_READ }])
    ]
    const attempts = new Map<number, RunAttempt>()
    return {
      githubRunId,
      repository: REPOSITORY,
      ref,
      attempt(n, { fullRerun = false } = {}) {
        const known = attempts.get(n)
        if (known) return known
        // Fresh backend ids per attempt, so a blob left by an earlier upload can never pass
        // for a new one.
        const runId = randomUUID()
        const previous = [...attempts.values()]
          .filter(a => a.runAttempt < n)
          .sort((a, b) => b.runAttempt - a.runAttempt)[0]
        results.openRun(runId, fullRerun || !previous ? [] : results.visibleRuns(previous.runId))
        restRun.backendRunIds = [...restRun.backendRunIds, runId]
        const jobId = randomUUID()
        const token = runtimeToken(runId, jobId, cacheScopes)
        results.authorize(token, { runId, jobId })
        const attempt: RunAttempt = {
          runAttempt: n,
          runId,
          jobId,
          token,
          env: {
            ACTIONS_RUNTIME_TOKEN: token,
            // The runner's value ends in `/`; the cache client resolves its routes against it.
            ACTIONS_RESULTS_URL: `${results.url}/`,
            GITHUB_API_URL: restApi.url,
            GITHUB_REPOSITORY: REPOSITORY,
            GITHUB_REF: ref,
            GITHUB_RUN_ID: githubRunId,
            GITHUB_RUN_ATTEMPT: String(n),
            ...platformEnv,
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
    cache: cacheService,
    rest: restApi,
    githubToken,
    run,
    newRun,
    startupMs: performance.now() - startedAt,
    async downloadArtifactZip(artifact) {
      const record =
        typeof artifact === 'string'
          ? results.artifacts.findLast(a => a.finalized && !a.deleted && a.name === artifact)
          : artifact
      if (!record) throw new Error(`No finalized artifact named '${String(artifact)}'`)
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
