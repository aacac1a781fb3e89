import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BlobContainer, BlobStore } from './blob-store.js'
import { floodListing, holdListing, type HostileModes } from './hostile.js'
import { RuntimeTokens, type BackendIds, type RuntimeCaller } from './runtime-token.js'
import {
  errorReply,
  optionalString,
  readJsonObject,
  requiredInt64,
  requiredString,
  sendJson,
  twirpRoute,
  TwirpError,
  type JsonObject,
  type RecordedCall,
  type Reply,
  type TwirpService
} from './twirp.js'

const ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService'
const CONTAINER_NAME = 'actions-results'

export interface ArtifactRecord {
  id: string
  name: string
  /** Backend ids of the attempt and job that uploaded it (its own, also once inherited). */
  runId: string
  jobId: string
  /** Zip size in bytes as reported by FinalizeArtifact. */
  size: number
  /** 'sha256:<hex>' as reported by FinalizeArtifact. */
  hash: string
  /** RFC 3339, only when the client asked for a retention period. */
  expiresAt?: string
  createdAt: string
  /** Blob name inside `container`. */
  blobPath: string
  finalized: boolean
  deleted: boolean
  /** Past its retention: the runtime listing leaves it out, the REST API marks it `expired`. */
  expired: boolean
}

/**
 * Names are unique within one attempt (a second upload under a name the attempt already holds,
 * or has reserved by a create that was never finalized, is refused with 409 `already_exists`).
 * Across attempts, GitHub now accepts the name an earlier attempt used and the run then holds
 * two artifacts of that name (`accept`, reports of 2026); `refuse` is the 409 it used to answer.
 */
export type DuplicateNames = 'refuse' | 'accept'

/**
 * A partial re-run lists the artifacts it inherits from earlier attempts. With `list-only`,
 * GetSignedArtifactURL and DeleteArtifact, which name such an artifact by its own (earlier)
 * backend run id, answer 404 `workflow run not found` (actions/download-artifact#486, since
 * 2026-07-24); `served` answers them as before that date.
 */
export type InheritedArtifacts = 'list-only' | 'served'

/**
 * Artifact ids are not ordered by attempt on GitHub: in measured public cases the older
 * attempt's artifact had the higher id. `descending` hands out ever smaller ids.
 */
export type IdOrder = 'ascending' | 'descending'

export interface ResultsServiceModes {
  duplicateNames: DuplicateNames
  inheritedArtifacts: InheritedArtifacts
  idOrder: IdOrder
}

/** What GitHub does today, as users of the real service report it. */
export const REALISTIC_RESULTS_MODES: Readonly<ResultsServiceModes> = {
  duplicateNames: 'accept',
  inheritedArtifacts: 'list-only',
  idOrder: 'descending'
}

export interface ResultsService extends ResultsServiceModes {
  /** Origin to use as ACTIONS_RESULTS_URL. */
  url: string
  container: BlobContainer
  artifacts: ArtifactRecord[]
  /** The ArtifactService calls (other services mounted here keep their own). */
  calls: RecordedCall[]
  /** Read at each CreateArtifact: a Twirp error to answer instead (a hostile or failing service). */
  createFailure?: { status: number; code: string; msg: string }
  /**
   * Opens backend run `runId`, one attempt of a workflow run. A partial re-run inherits the
   * artifacts of the backend runs `inherits` names (everything the attempt before it saw); a
   * first attempt or a full re-run inherits none.
   */
  openRun(runId: string, inherits?: readonly string[]): void
  /** The backend runs whose artifacts `runId` lists: its own first, then those it inherits. */
  visibleRuns(runId: string): readonly string[]
  /** Accepts `token` as the runtime token of the job `ids` (one per job of each attempt). */
  authorize(token: string, ids: BackendIds): void
  close(): Promise<void>
}

/**
 * Fake of GitHub's results service: the Twirp ArtifactService behind `@actions/artifact`, which
 * keeps artifact metadata in memory and hands out SAS URLs into a real blob store, and any other
 * Twirp service mounted on the same origin (the cache service). Modes (`ResultsServiceModes`)
 * are read at each call, so a test may switch them; they default to what GitHub does today.
 */
export async function startResultsService(
  opts: {
    blobs: BlobStore
    /** The runtime tokens the services accept (shared with the cache service's v1 API). */
    tokens?: RuntimeTokens
    /** Further Twirp services on this origin, as GitHub serves the CacheService beside this one. */
    services?: ReadonlyArray<TwirpService<RuntimeCaller>>
    /** Ways to hold on (test/simulators/artifact/hostile.ts), read at each call. */
    hostile?: HostileModes
  } & Partial<ResultsServiceModes>
): Promise<ResultsService> {
  const container = opts.blobs.container(CONTAINER_NAME)
  const artifacts: ArtifactRecord[] = []
  const calls: RecordedCall[] = []
  const tokens = opts.tokens ?? new RuntimeTokens()
  const inherited = new Map<string, readonly string[]>()
  let issued = 0

  const visibleRuns = (runId: string): readonly string[] => [runId, ...(inherited.get(runId) ?? [])]
  const isLive = (a: ArtifactRecord): boolean => a.finalized && !a.deleted && !a.expired
  const findLive = (runId: string, name: string, jobId?: string): ArtifactRecord | undefined =>
    artifacts.findLast(
      a =>
        isLive(a) &&
        a.runId === runId &&
        a.name === name &&
        (jobId === undefined || a.jobId === jobId)
    )

  /**
   * The run a download or delete names: the caller's own, or (with `served`) one it inherits.
   * Any other run is one the service cannot resolve for this token.
   */
  const namedRun = (body: JsonObject, caller: RuntimeCaller): string => {
    const runId = requiredString(body, 'workflow_run_backend_id')
    const readable =
      runId === caller.runId ||
      (service.inheritedArtifacts === 'served' && visibleRuns(caller.runId).includes(runId))
    if (!readable) throw new TwirpError(404, 'not_found', 'workflow run not found')
    return runId
  }

  // The client asks for a download URL with the artifact's own job id (an earlier attempt's
  // job, after a re-run), and deletes by name with its own.
  const requireLive = (body: JsonObject, caller: RuntimeCaller, byJob: boolean): ArtifactRecord => {
    const runId = namedRun(body, caller)
    const name = requiredString(body, 'name')
    const jobId = byJob ? requiredString(body, 'workflow_job_run_backend_id') : undefined
    const record = findLive(runId, name, jobId)
    if (!record) throw new TwirpError(404, 'not_found', `artifact '${name}' not found`)
    return record
  }

  const artifactService: TwirpService<RuntimeCaller> = {
    name: ARTIFACT_SERVICE,
    calls,
    methods: {
      async CreateArtifact(body, caller) {
        const { runId, jobId } = requireOwnIds(body, caller)
        const name = requiredString(body, 'name')
        const failure = service.createFailure
        if (failure) throw new TwirpError(failure.status, failure.code, failure.msg)
        // A create that was never finalized keeps its name reserved within the attempt.
        const heldHere = artifacts.some(
          a => !a.deleted && !a.expired && a.runId === runId && a.name === name
        )
        const heldEarlier =
          service.duplicateNames === 'refuse' &&
          visibleRuns(runId).some(earlier => earlier !== runId && findLive(earlier, name))
        if (heldHere || heldEarlier) {
          throw new TwirpError(
            409,
            'already_exists',
            `an artifact with the name '${name}' already exists on the workflow run`
          )
        }
        issued++
        const id = String(service.idOrder === 'ascending' ? issued : DESCENDING_FROM - issued)
        const expiresAt = optionalString(body, 'expires_at')
        const record: ArtifactRecord = {
          id,
          name,
          runId,
          jobId,
          size: 0,
          hash: '',
          ...(expiresAt === undefined ? {} : { expiresAt }),
          createdAt: new Date().toISOString(),
          // The id keeps a re-upload under the same name from landing on the old blob.
          blobPath: `${runId}/${jobId}/${id}/${name}`,
          finalized: false,
          deleted: false,
          expired: false
        }
        artifacts.push(record)
        return { ok: true, signed_upload_url: container.signedUrl(record.blobPath, 'cw') }
      },

      async FinalizeArtifact(body, caller) {
        const { runId, jobId } = requireOwnIds(body, caller)
        const name = requiredString(body, 'name')
        const record = artifacts.findLast(
          a =>
            !a.finalized && !a.deleted && a.runId === runId && a.jobId === jobId && a.name === name
        )
        if (!record) throw new TwirpError(404, 'not_found', `no pending artifact '${name}'`)
        record.size = requiredInt64(body, 'size')
        record.hash = optionalString(body, 'hash') ?? ''
        record.finalized = true
        return { ok: true, artifact_id: record.id }
      },

      // The attempt's own artifacts and those it inherits, each with its own backend ids.
      async ListArtifacts(body, caller) {
        const runId = requireOwnRun(body, caller)
        const nameFilter = optionalString(body, 'name_filter')
        const idFilter = optionalString(body, 'id_filter')
        const visible = visibleRuns(runId)
        const matches = artifacts.filter(
          a =>
            isLive(a) &&
            visible.includes(a.runId) &&
            (nameFilter === undefined || a.name === nameFilter) &&
            (idFilter === undefined || a.id === idFilter)
        )
        return {
          artifacts: matches.map(a => ({
            workflow_run_backend_id: a.runId,
            workflow_job_run_backend_id: a.jobId,
            database_id: a.id,
            name: a.name,
            size: String(a.size),
            created_at: a.createdAt,
            ...(a.hash ? { digest: a.hash } : {})
          }))
        }
      },

      async GetSignedArtifactURL(body, caller) {
        return { signed_url: container.signedUrl(requireLive(body, caller, true).blobPath, 'r') }
      },

      async DeleteArtifact(body, caller) {
        const record = requireLive(body, caller, false)
        record.deleted = true
        container.delete(record.blobPath)
        return { ok: true, artifact_id: record.id }
      }
    }
  }
  const services = new Map(
    [artifactService, ...(opts.services ?? [])].map(s => [s.name, s] as const)
  )

  const handle = async (req: IncomingMessage): Promise<Reply> => {
    const caller = tokens.caller(req.headers.authorization)
    if (!caller) {
      throw new TwirpError(401, 'unauthenticated', 'missing or invalid bearer token')
    }
    const route = twirpRoute(req.url)
    const target = route && services.get(route.service)
    const handler =
      target && Object.hasOwn(target.methods, route.method)
        ? target.methods[route.method]
        : undefined
    if (req.method !== 'POST' || !target || !handler) {
      throw new TwirpError(404, 'bad_route', `no handler for ${req.method} ${req.url}`)
    }
    const body = await readJsonObject(req)
    target.calls.push({ method: route.method, body })
    return { status: 200, body: await handler(body, caller) }
  }

  const server = createServer((req, res) => {
    const hostile = opts.hostile
    const route = hostile && twirpRoute(req.url)
    if (route && route.service === ARTIFACT_SERVICE && route.method === 'ListArtifacts') {
      if (floodListing(hostile, req, res) || holdListing(hostile, req, res)) return
    }
    handle(req).then(
      reply => sendJson(res, reply),
      (error: unknown) => sendJson(res, errorReply(error))
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo

  const service: ResultsService = {
    url: `http://127.0.0.1:${port}`,
    container,
    artifacts,
    calls,
    duplicateNames: opts.duplicateNames ?? REALISTIC_RESULTS_MODES.duplicateNames,
    inheritedArtifacts: opts.inheritedArtifacts ?? REALISTIC_RESULTS_MODES.inheritedArtifacts,
    idOrder: opts.idOrder ?? REALISTIC_RESULTS_MODES.idOrder,
    openRun(runId, inherits = []) {
      inherited.set(
        runId,
        [...new Set(inherits)].filter(other => other !== runId)
      )
    },
    visibleRuns,
    authorize(token, ids) {
      tokens.authorize(token, ids)
    },
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
  return service
}

const DESCENDING_FROM = 1_000_000

/** A token speaks for its own run only. */
function requireOwnRun(body: JsonObject, caller: BackendIds): string {
  const runId = requiredString(body, 'workflow_run_backend_id')
  if (runId !== caller.runId) {
    throw new TwirpError(403, 'permission_denied', 'the token is not valid for this workflow run')
  }
  return runId
}

/** Uploads are made by the job the token was issued to. */
function requireOwnIds(body: JsonObject, caller: BackendIds): BackendIds {
  const runId = requireOwnRun(body, caller)
  const jobId = requiredString(body, 'workflow_job_run_backend_id')
  if (jobId !== caller.jobId) {
    throw new TwirpError(403, 'permission_denied', 'the token is not valid for this job')
  }
  return { runId, jobId }
}
