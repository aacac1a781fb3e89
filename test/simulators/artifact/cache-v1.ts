import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CacheRefusal, type CacheEntry, type CacheStore } from './cache-store.js'
import type { RuntimeCaller, RuntimeTokens } from './runtime-token.js'
import { readBody } from './twirp.js'

const API = '_apis/artifactcache/'
const CACHE_MISS = 204

export interface CacheV1Call {
  method: string
  /** Path and query after ACTIONS_CACHE_URL, e.g. `_apis/artifactcache/caches/4100000001`. */
  path: string
  status: number
}

export interface CacheV1Server {
  /** ACTIONS_CACHE_URL, ending in `/` as the runner writes it (the client appends `_apis/…`). */
  url: string
  calls: CacheV1Call[]
  close(): Promise<void>
}

class V1Error extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly typeKey?: string
  ) {
    super(message)
  }
}

/**
 * The cache service v1 that GitHub Enterprise Server serves at ACTIONS_CACHE_URL, as
 * `@actions/cache` 6 calls it there:
 * - `GET cache?keys=k1,k2&version=v`: 200 with `archiveLocation`, or 204 on a miss;
 * - `POST caches {key, version, cacheSize}`: 201 with `cacheId` (a JSON number), 409 when the
 *   key, version and scope are taken;
 * - `PATCH caches/{id}` with `Content-Range: bytes a-b/*`: one chunk (the client sends several
 *   at once, in any order), 204;
 * - `POST caches/{id} {size}`: commit, refused unless the chunks cover exactly `size` bytes;
 * - `GET caches?key=`: the entries of that key (the client asks only in debug mode).
 * Errors are JSON `{message, typeKey}`; the archive is served from the blob store by a signed URL.
 * Sources: `@actions/cache` 6.3's `cacheHttpClient.ts`, and the independent implementations in
 * tonistiigi/go-actions-cache and nektos/act.
 */
export async function startCacheV1Server(opts: {
  store: CacheStore
  tokens: RuntimeTokens
  /** Read at each request: a status and message to refuse it with (the service's faults). */
  fault: () => { status: number; message: string } | undefined
}): Promise<CacheV1Server> {
  const { store, tokens } = opts
  // The runner's ACTIONS_CACHE_URL has a path of its own; requests outside it find nothing.
  const base = `/${randomBytes(8).toString('hex')}/`
  const calls: CacheV1Call[] = []
  const chunks = new Map<string, Array<{ start: number; data: Buffer }>>()

  const pendingEntry = (id: string, caller: RuntimeCaller): CacheEntry => {
    const entry = store.entries.find(e => e.id === id)
    if (!entry) throw new V1Error(404, `Cache ${id} not found`)
    if (entry.finalized) throw new V1Error(400, `Cache ${id} is already committed`)
    if (entry.runId !== caller.runId || entry.jobId !== caller.jobId) {
      throw new V1Error(403, `Cache ${id} was reserved by another job`)
    }
    return entry
  }

  const routes: Array<{
    method: string
    pattern: RegExp
    handle(call: {
      match: string[]
      query: URLSearchParams
      req: IncomingMessage
      body: Buffer
      res: ServerResponse
      caller: RuntimeCaller
    }): void
  }> = [
    {
      method: 'GET',
      pattern: /^cache$/,
      handle({ query, res, caller }) {
        const keys = (query.get('keys') ?? '').split(',')
        const entry = store.match(caller, keys, query.get('version') ?? '')
        if (!entry) return void sendJson(res, CACHE_MISS)
        sendJson(res, 200, {
          scope: entry.scope,
          cacheKey: entry.key,
          cacheVersion: entry.version,
          creationTime: new Date(entry.createdAt).toISOString(),
          archiveLocation: store.container.signedUrl(entry.blobPath, 'r')
        })
      }
    },
    {
      method: 'GET',
      pattern: /^caches$/,
      handle({ query, res, caller }) {
        const entries = store.listed(caller, query.get('key') ?? '')
        sendJson(res, 200, {
          totalCount: entries.length,
          artifactCaches: entries.map(e => ({
            cacheKey: e.key,
            cacheVersion: e.version,
            scope: e.scope,
            creationTime: new Date(e.createdAt).toISOString()
          }))
        })
      }
    },
    {
      method: 'POST',
      pattern: /^caches$/,
      handle({ body, res, caller }) {
        const { key, version } = readJson(body)
        if (typeof key !== 'string' || typeof version !== 'string') {
          throw new V1Error(400, 'key and version must be strings')
        }
        const entry = store.reserve(caller, key, version)
        chunks.set(entry.id, [])
        sendJson(res, 201, { cacheId: Number(entry.id) })
      }
    },
    {
      method: 'PATCH',
      pattern: /^caches\/(\d+)$/,
      handle({ match: [id], req, body: data, res, caller }) {
        pendingEntry(id!, caller)
        const range = /^bytes (\d+)-(\d+)\/\*$/.exec(req.headers['content-range'] ?? '')
        if (!range) throw new V1Error(400, 'Content-Range must be bytes <start>-<end>/*')
        const start = Number(range[1])
        if (Number(range[2]) - start + 1 !== data.length) {
          throw new V1Error(400, 'Content-Range does not match the length of the chunk')
        }
        chunks.get(id!)!.push({ start, data })
        sendJson(res, 204)
      }
    },
    {
      method: 'POST',
      pattern: /^caches\/(\d+)$/,
      handle({ match: [id], body, res, caller }) {
        const entry = pendingEntry(id!, caller)
        const { size } = readJson(body)
        if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
          throw new V1Error(400, 'size must be a whole number of bytes')
        }
        store.container.put(
          entry.blobPath,
          assemble(chunks.get(id!)!, size),
          'application/octet-stream'
        )
        chunks.delete(id!)
        store.finalize(entry, size)
        sendJson(res, 204)
      }
    }
  ]

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Read the whole body first: answering before it is read would reset a client mid-upload.
    const body = await readBody(req)
    const fault = opts.fault()
    if (fault) throw new V1Error(fault.status, fault.message)
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const caller = tokens.caller(req.headers.authorization)
    if (!caller) throw new V1Error(401, 'The user is not authorized')
    const path = url.pathname.startsWith(base + API) ? url.pathname.slice((base + API).length) : ''
    const route = routes.find(r => r.method === req.method && r.pattern.test(path))
    if (!route) throw new V1Error(404, `No route for ${req.method} ${url.pathname}`)
    const match = route.pattern.exec(path)!.slice(1)
    route.handle({ match, query: url.searchParams, req, body, res, caller })
  }

  const server = createServer((req, res) => {
    res.once('finish', () =>
      calls.push({
        method: req.method ?? '',
        path: (req.url ?? '').slice(base.length),
        status: res.statusCode
      })
    )
    handle(req, res).catch((error: unknown) => {
      const refusal =
        error instanceof V1Error
          ? error
          : error instanceof CacheRefusal
            ? v1Refusal(error)
            : new V1Error(500, String(error))
      sendJson(res, refusal.status, {
        message: refusal.message,
        ...(refusal.typeKey ? { typeKey: refusal.typeKey } : {})
      })
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}${base}`,
    calls,
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/**
 * The chunks as one archive, or a 400 unless they cover bytes 0 to size-1 without a gap and
 * end there (a chunk sent twice, as a retry does, is the same bytes again).
 */
function assemble(parts: ReadonlyArray<{ start: number; data: Buffer }>, size: number): Buffer {
  const end = Math.max(0, ...parts.map(p => p.start + p.data.length))
  if (end !== size) throw new V1Error(400, `the uploaded chunks end at byte ${end}, not ${size}`)
  const archive = Buffer.alloc(size)
  let covered = 0
  for (const { start, data } of [...parts].sort((a, b) => a.start - b.start)) {
    if (start > covered) throw new V1Error(400, `no chunk holds bytes ${covered}-${start - 1}`)
    data.copy(archive, start)
    covered = Math.max(covered, start + data.length)
  }
  return archive
}

function v1Refusal(refusal: CacheRefusal): V1Error {
  switch (refusal.kind) {
    case 'exists':
      return new V1Error(
        409,
        `Cache already exists. ${refusal.message}`,
        'ArtifactCacheItemAlreadyExistsException'
      )
    case 'read-denied':
    case 'write-denied':
      return new V1Error(403, refusal.message)
    case 'not-found':
      return new V1Error(404, refusal.message)
    default:
      return new V1Error(400, refusal.message)
  }
}

function readJson(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'))
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>
    }
  } catch {
    // Answered below.
  }
  throw new V1Error(400, 'the request body is not a JSON object')
}

function sendJson(res: ServerResponse, status: number, body?: object): void {
  if (body === undefined) {
    res.writeHead(status)
    return void res.end()
  }
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload)
  })
  res.end(payload)
}
