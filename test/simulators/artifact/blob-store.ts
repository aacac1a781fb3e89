import { randomBytes, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { BlobError } from './blob-errors.js'
import { trickleBlob, type HostileModes } from './hostile.js'
import {
  checkBlobSas,
  SAS_VERSION,
  signBlobSas,
  type BlobAccess,
  type SasPermission
} from './blob-sas.js'

const HOST = '127.0.0.1'
const ACCOUNT = 'simulatedresults'
const SAS_TTL_MS = 60 * 60 * 1000
// The results service backdates `st` a little, as real signers do against clock skew.
const SAS_BACKDATE_MS = 60 * 1000
const DEFAULT_CONTENT_TYPE = 'application/octet-stream'
const MAX_BLOCK_ID_BYTES = 64

/**
 * Headers that would change what a request means and that this store does not implement
 * (ranges, transactional checksums, conditions, leases). A request carrying one is refused,
 * never half-served; the toolkit sends none of them.
 */
const UNSUPPORTED_HEADERS = [
  'range',
  'x-ms-range',
  'content-md5',
  'x-ms-content-crc64',
  'x-ms-structured-body',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'x-ms-lease-id'
]

/** A committed blob: what GET returns, and its blocks for a later block list to name. */
export interface StoredBlob {
  data: Buffer
  contentType: string
  etag: string
  lastModified: Date
  /** Committed blocks by id (empty for a blob written whole by Put Blob). */
  blocks: ReadonlyMap<string, Buffer>
}

/** One container; the results service holds it and signs URLs into it, as GitHub's backend does. */
export interface BlobContainer {
  name: string
  /** A URL for one blob that allows what `permissions` says for the next hour. */
  signedUrl(blobPath: string, permissions: SasPermission): string
  /** The committed blob, if any (staged blocks are not a blob). */
  blob(blobPath: string): StoredBlob | undefined
  /** Writes a blob whole, as a backend would; for tests that damage an artifact. */
  put(blobPath: string, data: Buffer, contentType: string): void
  /** Deletes a blob and its staged blocks; false if there was none. */
  delete(blobPath: string): boolean
}

export interface BlobStore {
  /** The account endpoint, e.g. http://127.0.0.1:PORT/simulatedresults */
  url: string
  /** The container `name`, created on first use. */
  container(name: string): BlobContainer
  close(): Promise<void>
}

export interface BlobStoreOptions {
  /** The store's clock, for SAS times and Last-Modified; tests move it to expire a SAS. */
  now?: () => number
  /** The account key SAS URLs are signed with (random by default). */
  accountKey?: Buffer
  /** Ways to hold on (test/simulators/artifact/hostile.ts), read at each request. */
  hostile?: HostileModes
}

interface ContainerState {
  blobs: Map<string, StoredBlob>
  /** Staged (uncommitted) blocks per blob name. */
  staged: Map<string, Map<string, Buffer>>
}

interface Target {
  container: ContainerState
  containerName: string
  blobName: string
}

/**
 * A local stand-in for Azure Blob Storage, as strict as the real service for the calls the
 * toolkit makes (`@actions/artifact` uploads with Put Block + Put Block List and downloads with a
 * plain GET; `@actions/cache` also uses Put Blob): every request needs a valid SAS for its blob
 * and operation, block ids are base64 of one length, a block list names only blocks that exist,
 * a blob is visible only once committed, and anything else is refused with Azure's error code.
 */
export async function startBlobStore(options: BlobStoreOptions = {}): Promise<BlobStore> {
  const now = options.now ?? Date.now
  const key = options.accountKey ?? randomBytes(64)
  const containers = new Map<string, ContainerState>()
  let etagCounter = 0

  const commit = (
    state: ContainerState,
    blobName: string,
    data: Buffer,
    contentType: string,
    blocks: ReadonlyMap<string, Buffer>
  ): StoredBlob => {
    const stored: StoredBlob = {
      data,
      contentType,
      etag: `"0x8DE${(++etagCounter).toString(16).toUpperCase().padStart(12, '0')}"`,
      lastModified: new Date(now()),
      blocks
    }
    state.blobs.set(blobName, stored)
    // Committing a blob discards every block the list did not name.
    state.staged.delete(blobName)
    return stored
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Read the whole body first: answering before it is read would reset a client mid-upload,
    // and the SDK would retry a refusal as a network error.
    const body = await readBody(req)
    const url = new URL(req.url ?? '/', `http://${HOST}`)
    const target = resolveTarget(url.pathname, containers)
    const operation = operationOf(req, url.searchParams)
    const existing = target.container.blobs.get(target.blobName)
    checkBlobSas(
      key,
      { account: ACCOUNT, container: target.containerName, blob: target.blobName },
      url.searchParams,
      operation.access,
      existing !== undefined,
      now()
    )
    const unsupported = UNSUPPORTED_HEADERS.find(name => req.headers[name] !== undefined)
    if (unsupported) throw new BlobError('UnsupportedHeader', unsupported)
    if (req.method === 'PUT' && req.headers['content-length'] === undefined) {
      throw new BlobError('MissingContentLengthHeader', 'Content-Length')
    }
    await operation.run({ req, res, body, query: url.searchParams, target, existing })
  }

  type Run = (call: {
    req: IncomingMessage
    res: ServerResponse
    body: Buffer
    query: URLSearchParams
    target: Target
    existing: StoredBlob | undefined
  }) => void | Promise<void>

  const operationOf = (
    req: IncomingMessage,
    query: URLSearchParams
  ): { access: BlobAccess; run: Run } => {
    const comp = query.get('comp')
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (comp !== null) throw new BlobError('UnsupportedQueryParameter', 'comp')
      return { access: 'read', run: getBlob }
    }
    if (req.method !== 'PUT') throw new BlobError('UnsupportedHttpVerb', req.method)
    if (query.has('restype')) throw new BlobError('UnsupportedQueryParameter', 'restype')
    if (comp === 'block') return { access: 'write', run: putBlock }
    if (comp === 'blocklist') return { access: 'write', run: putBlockList }
    if (comp !== null) throw new BlobError('UnsupportedQueryParameter', 'comp')
    return { access: 'write', run: putBlob }
  }

  const getBlob: Run = ({ req, res, existing }) => {
    if (!existing) throw new BlobError('BlobNotFound')
    if (req.method === 'GET' && options.hostile && trickleBlob(options.hostile, res, existing)) {
      return
    }
    res.writeHead(200, {
      ...blobHeaders(existing),
      'content-length': existing.data.length,
      'content-type': existing.contentType,
      'x-ms-blob-type': 'BlockBlob'
    })
    res.end(req.method === 'HEAD' ? undefined : existing.data)
  }

  const putBlock: Run = ({ res, body, query, target }) => {
    const raw = query.get('blockid')
    if (raw === null) throw new BlobError('MissingRequiredQueryParameter', 'blockid')
    const id = blockIdBytes(raw)
    if (id === undefined) throw new BlobError('InvalidQueryParameterValue', 'blockid')
    const staged = target.container.staged.get(target.blobName) ?? new Map<string, Buffer>()
    // Every block id of a blob has the same length; Azure refuses a block that breaks it.
    for (const other of staged.keys()) {
      if (blockIdBytes(other)!.length !== id.length) throw new BlobError('InvalidBlobOrBlock')
    }
    staged.set(raw, body)
    target.container.staged.set(target.blobName, staged)
    res.writeHead(201, { ...requestHeaders(), 'content-length': 0 })
    res.end()
  }

  const putBlockList: Run = ({ req, res, body, target, existing }) => {
    const staged = target.container.staged.get(target.blobName) ?? new Map<string, Buffer>()
    const committed = existing?.blocks ?? new Map<string, Buffer>()
    const blocks = new Map<string, Buffer>()
    const content: Buffer[] = []
    for (const { list, id } of parseBlockList(body.toString('utf8'))) {
      const block =
        list === 'Uncommitted'
          ? staged.get(id)
          : list === 'Committed'
            ? committed.get(id)
            : (staged.get(id) ?? committed.get(id))
      if (block === undefined) throw new BlobError('InvalidBlockList')
      blocks.set(id, block)
      content.push(block)
    }
    const contentType = headerValue(req, 'x-ms-blob-content-type') ?? DEFAULT_CONTENT_TYPE
    const stored = commit(
      target.container,
      target.blobName,
      Buffer.concat(content),
      contentType,
      blocks
    )
    res.writeHead(201, { ...blobHeaders(stored), 'content-length': 0 })
    res.end()
  }

  const putBlob: Run = ({ req, res, body, target }) => {
    const blobType = headerValue(req, 'x-ms-blob-type')
    if (blobType === undefined) throw new BlobError('MissingRequiredHeader', 'x-ms-blob-type')
    // Append and page blobs exist in Azure; nothing here writes them.
    if (blobType !== 'BlockBlob') throw new BlobError('UnsupportedHeader', 'x-ms-blob-type')
    const contentType =
      headerValue(req, 'x-ms-blob-content-type') ??
      headerValue(req, 'content-type') ??
      DEFAULT_CONTENT_TYPE
    const stored = commit(target.container, target.blobName, body, contentType, new Map())
    res.writeHead(201, { ...blobHeaders(stored), 'content-length': 0 })
    res.end()
  }

  const requestHeaders = (): Record<string, string> => ({
    'x-ms-request-id': randomUUID(),
    'x-ms-version': SAS_VERSION,
    date: new Date(now()).toUTCString()
  })

  const blobHeaders = (blob: StoredBlob): Record<string, string> => ({
    ...requestHeaders(),
    etag: blob.etag,
    'last-modified': blob.lastModified.toUTCString()
  })

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const refusal =
        error instanceof BlobError ? error : new BlobError('InternalError', String(error))
      const headers = requestHeaders()
      const xml = refusal.toXml(headers['x-ms-request-id']!, now())
      res.writeHead(refusal.status, {
        ...headers,
        'x-ms-error-code': refusal.code,
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(xml)
      })
      res.end(req.method === 'HEAD' ? undefined : xml)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, HOST, resolve)
  })
  const { port } = server.address() as AddressInfo
  const url = `http://${HOST}:${port}/${ACCOUNT}`

  return {
    url,
    container(name) {
      let state = containers.get(name)
      if (!state) {
        state = { blobs: new Map(), staged: new Map() }
        containers.set(name, state)
      }
      const own = state
      return {
        name,
        signedUrl(blobPath, permissions) {
          const sas = signBlobSas(
            key,
            { account: ACCOUNT, container: name, blob: blobPath },
            permissions,
            {
              startsOn: now() - SAS_BACKDATE_MS,
              expiresOn: now() + SAS_TTL_MS
            }
          )
          return `${url}/${encodePath(name)}/${encodePath(blobPath)}?${sas}`
        },
        blob: blobPath => own.blobs.get(blobPath),
        put(blobPath, data, contentType) {
          commit(own, blobPath, data, contentType, new Map())
        },
        delete(blobPath) {
          own.staged.delete(blobPath)
          return own.blobs.delete(blobPath)
        }
      }
    },
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
}

/** `/<account>/<container>/<blob name…>`, percent-decoded, in a container that exists. */
function resolveTarget(pathname: string, containers: Map<string, ContainerState>): Target {
  let segments: string[]
  try {
    segments = pathname.split('/').slice(1).map(decodeURIComponent)
  } catch {
    throw new BlobError('InvalidUri', pathname)
  }
  const [account, containerName, ...blob] = segments
  const container = containerName === undefined ? undefined : containers.get(containerName)
  // A SAS can name only what exists; anything else reads as a resource that is not there.
  if (account !== ACCOUNT || !container || blob.length === 0 || blob.join('/') === '') {
    throw new BlobError('ResourceNotFound')
  }
  return { container, containerName: containerName!, blobName: blob.join('/') }
}

/**
 * The ids of a Put Block List body, `<BlockList><Latest>id</Latest>…</BlockList>` (Committed
 * and Uncommitted name which list to take a block from), in order.
 */
function parseBlockList(xml: string): Array<{ list: string; id: string }> {
  const root = /^\s*(?:<\?xml[^?]*\?>)?\s*<BlockList>([\s\S]*)<\/BlockList>\s*$/.exec(xml)
  if (!root) throw new BlobError('InvalidXmlDocument')
  const entries: Array<{ list: string; id: string }> = []
  const inner = root[1]!
  const element = /\s*<(Latest|Committed|Uncommitted)>([^<]*)<\/\1>\s*/y
  let parsedTo = 0
  let match: RegExpExecArray | null
  while ((match = element.exec(inner))) {
    entries.push({ list: match[1]!, id: match[2]! })
    parsedTo = element.lastIndex
  }
  if (inner.slice(parsedTo).trim() !== '') throw new BlobError('InvalidXmlDocument')
  for (const { id } of entries) if (!blockIdBytes(id)) throw new BlobError('InvalidBlockList')
  return entries
}

/** A block id's bytes, if it is well-formed base64 of 1 to 64 bytes. */
function blockIdBytes(id: string): Buffer | undefined {
  if (id.length === 0 || id.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(id)) return undefined
  const bytes = Buffer.from(id, 'base64')
  return bytes.length <= MAX_BLOCK_ID_BYTES ? bytes : undefined
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return typeof value === 'string' && value !== '' ? value : undefined
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
