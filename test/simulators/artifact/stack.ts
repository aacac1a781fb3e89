import { randomUUID } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { startAzurite } from './azurite.js'
import { startResultsService, type ResultsService } from './results-service.js'
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

export interface ArtifactStack {
  runId: string
  jobId: string
  /** Azurite account endpoint, e.g. http://127.0.0.1:PORT/devstoreaccount1 */
  blobUrl: string
  /** What `@actions/artifact` needs; pass through `childEnv` for a child process. */
  env: Record<string, string>
  service: ResultsService
  /** Wall time startArtifactStack took. */
  startupMs: number
  /** The newest live artifact's zip, fetched straight from the blob store. */
  downloadArtifactZip(name: string): Promise<Buffer>
  listZipEntries(zip: Buffer): Promise<Map<string, Buffer>>
  /** Stops the results service and Azurite; safe to call more than once. */
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

export async function startArtifactStack(): Promise<ArtifactStack> {
  const startedAt = performance.now()
  // Fresh ids per stack so a blob left by an earlier upload can never pass for a new one.
  const runId = randomUUID()
  const jobId = randomUUID()
  const token = runtimeToken(runId, jobId)

  const azurite = await startAzurite()
  let service: ResultsService
  try {
    service = await startResultsService({ blobUrl: azurite.blobUrl, token })
  } catch (error) {
    await azurite.stop()
    throw error
  }

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= Promise.allSettled([service.close(), azurite.stop()]).then(results => {
      const failure = results.find(r => r.status === 'rejected')
      if (failure) throw failure.reason
    })
    return stopping
  }

  return {
    runId,
    jobId,
    blobUrl: azurite.blobUrl,
    env: {
      ACTIONS_RUNTIME_TOKEN: token,
      ACTIONS_RESULTS_URL: service.url,
      NO_PROXY: LOOPBACK_NO_PROXY,
      no_proxy: LOOPBACK_NO_PROXY
    },
    service,
    startupMs: performance.now() - startedAt,
    async downloadArtifactZip(name) {
      const record = service.artifacts.findLast(a => a.finalized && !a.deleted && a.name === name)
      if (!record) throw new Error(`No finalized artifact named '${name}'`)
      const response = await fetch(service.container.signedUrl(record.blobPath, 'r'))
      if (!response.ok) {
        throw new Error(
          `GET blob ${record.blobPath} failed: ${response.status} ${await response.text()}`
        )
      }
      return Buffer.from(await response.arrayBuffer())
    },
    listZipEntries,
    stop
  }
}
