import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { BlobContainer, BlobStore } from './blob-store.js'
import { floodListing, holdListing, type HostileModes } from './hostile.js'

const ROUTE_PREFIX = '/twirp/github.actions.results.api.v1.ArtifactService/'
const CONTAINER_NAME = 'actions-results'

export interface ArtifactRecord {
  id: string
  name: string
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

export interface RecordedCall {
  method: string
  body: unknown
}

/** The two backend ids a runtime token's `Actions.Results:<runId>:<jobId>` scope carries. */
export interface BackendIds {
  runId: string
  jobId: string
}

/**
 * GitHub answers a second upload under a name the run already has either way (re-runs have
 * shown both): `refuse` is the 409 `already_exists`, `accept` keeps both artifacts.
 */
export type DuplicateNames = 'refuse' | 'accept'

/** Artifact ids are not ordered by attempt on GitHub; `descending` hands out ever smaller ids. */
export type IdOrder = 'ascending' | 'descending'

export interface ResultsService {
  /** Origin to use as ACTIONS_RESULTS_URL. */
  url: string
  container: BlobContainer
  artifacts: ArtifactRecord[]
  calls: RecordedCall[]
  /** Read at each CreateArtifact, so a test may switch it. */
  duplicateNames: DuplicateNames
  /** Read at each CreateArtifact, so a test may switch it. */
  idOrder: IdOrder
  /** Accepts `token` as the runtime token of the job `ids` (one per job of each attempt). */
  authorize(token: string, ids: BackendIds): void
  close(): Promise<void>
}

type JsonObject = Record<string, unknown>

interface Reply {
  status: number
  body: JsonObject
}

/** A Twirp error; the client only reads `msg`, and retries anything that is not JSON. */
class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    msg: string
  ) {
    super(msg)
  }
}

/**
 * Fake of GitHub's results service (the Twirp ArtifactService behind `@actions/artifact`).
 * It keeps artifact metadata in memory and hands out SAS URLs into a real blob store.
 */
export async function startResultsService(opts: {
  blobs: BlobStore
  duplicateNames?: DuplicateNames
  idOrder?: IdOrder
  /** Ways to hold on (test/simulators/artifact/hostile.ts), read at each call. */
  hostile?: HostileModes
}): Promise<ResultsService> {
  const container = opts.blobs.container(CONTAINER_NAME)
  const artifacts: ArtifactRecord[] = []
  const calls: RecordedCall[] = []
  const tokens = new Map<string, BackendIds>()
  let issued = 0

  const isLive = (a: ArtifactRecord): boolean => a.finalized && !a.deleted && !a.expired
  const findLive = (runId: string, name: string, jobId?: string): ArtifactRecord | undefined =>
    artifacts.findLast(
      a =>
        isLive(a) &&
        a.runId === runId &&
        a.name === name &&
        (jobId === undefined || a.jobId === jobId)
    )

  // The client asks for a download URL with the artifact's own job id (an earlier attempt's
  // job, after a re-run), and deletes by name with its own.
  const requireLive = (body: JsonObject, byJob: boolean): ArtifactRecord => {
    const name = requiredString(body, 'name')
    const jobId = byJob ? requiredString(body, 'workflow_job_run_backend_id') : undefined
    const record = findLive(requiredString(body, 'workflow_run_backend_id'), name, jobId)
    if (!record) throw new TwirpError(404, 'not_found', `artifact '${name}' not found`)
    return record
  }

  const handlers: Record<string, (body: JsonObject, caller: BackendIds) => Promise<JsonObject>> = {
    async CreateArtifact(body, caller) {
      const { runId, jobId } = requireOwnIds(body, caller)
      const name = requiredString(body, 'name')
      if (service.duplicateNames === 'refuse' && findLive(runId, name)) {
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
        a => !a.finalized && !a.deleted && a.runId === runId && a.jobId === jobId && a.name === name
      )
      if (!record) throw new TwirpError(404, 'not_found', `no pending artifact '${name}'`)
      record.size = requiredInt64(body, 'size')
      record.hash = optionalString(body, 'hash') ?? ''
      record.finalized = true
      return { ok: true, artifact_id: record.id }
    },

    // Every job of every attempt that shares the run's backend id (a partial re-run) is listed.
    async ListArtifacts(body, caller) {
      const runId = requireOwnRun(body, caller)
      const nameFilter = optionalString(body, 'name_filter')
      const idFilter = optionalString(body, 'id_filter')
      const matches = artifacts.filter(
        a =>
          isLive(a) &&
          a.runId === runId &&
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
      requireOwnRun(body, caller)
      return { signed_url: container.signedUrl(requireLive(body, true).blobPath, 'r') }
    },

    async DeleteArtifact(body, caller) {
      requireOwnRun(body, caller)
      const record = requireLive(body, false)
      record.deleted = true
      container.delete(record.blobPath)
      return { ok: true, artifact_id: record.id }
    }
  }

  const handle = async (req: IncomingMessage): Promise<Reply> => {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
    const caller = bearer === undefined ? undefined : tokens.get(bearer)
    if (!caller) {
      throw new TwirpError(401, 'unauthenticated', 'missing or invalid bearer token')
    }
    const method = req.url?.startsWith(ROUTE_PREFIX) ? req.url.slice(ROUTE_PREFIX.length) : ''
    const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined
    if (req.method !== 'POST' || !handler) {
      throw new TwirpError(404, 'bad_route', `no handler for ${req.method} ${req.url}`)
    }
    const body = await readJsonObject(req)
    calls.push({ method, body })
    return { status: 200, body: await handler(body, caller) }
  }

  const server = createServer((req, res) => {
    const hostile = opts.hostile
    if (hostile && req.url === `${ROUTE_PREFIX}ListArtifacts`) {
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
    duplicateNames: opts.duplicateNames ?? 'refuse',
    idOrder: opts.idOrder ?? 'ascending',
    authorize(token, ids) {
      tokens.set(token, ids)
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

function errorReply(error: unknown): Reply {
  if (error instanceof TwirpError) {
    return { status: error.status, body: { code: error.code, msg: error.message } }
  }
  // A simulator fault (e.g. the blob store is down); the client retries 5xx for ~30 s.
  return { status: 500, body: { code: 'internal', msg: String(error) } }
}

function sendJson(res: ServerResponse, reply: Reply): void {
  const payload = JSON.stringify(reply.body)
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload)
  })
  res.end(payload)
}

async function readJsonObject(req: IncomingMessage): Promise<JsonObject> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new TwirpError(400, 'malformed', 'request body is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TwirpError(400, 'malformed', 'request body is not a JSON object')
  }
  return parsed as JsonObject
}

/** Reads a string field; protobuf wrappers (StringValue, Int64Value) may arrive as `{value}`. */
function optionalString(body: JsonObject, field: string): string | undefined {
  const raw = body[field]
  const value =
    typeof raw === 'object' && raw !== null && 'value' in raw
      ? (raw as { value: unknown }).value
      : raw
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  throw new TwirpError(400, 'invalid_argument', `${field} must be a string`)
}

function requiredString(body: JsonObject, field: string): string {
  const value = optionalString(body, field)
  if (!value) throw new TwirpError(400, 'invalid_argument', `${field} is required`)
  return value
}

/** int64 travels as a decimal string in proto3 JSON. */
function requiredInt64(body: JsonObject, field: string): number {
  const value = requiredString(body, field)
  if (!/^\d+$/.test(value)) {
    throw new TwirpError(400, 'invalid_argument', `${field} must be a decimal integer`)
  }
  return Number(value)
}
