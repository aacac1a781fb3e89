import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { ArtifactRecord, ResultsService } from './results-service.js'

const DOCS = 'https://docs.github.com/rest/actions/artifacts'
const DEFAULT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000
const MAX_PER_PAGE = 100

export interface RestCall {
  method: string
  /** Path and query, e.g. /repos/o/r/actions/runs/1/artifacts?per_page=100&page=1 */
  path: string
  status: number
}

/** What a token may do: `actions: read` is what listing and downloading artifacts need. */
export interface TokenGrant {
  actionsRead: boolean
}

/**
 * `hang`: accept the request and never answer (an API that black-holes);
 * `reset`: drop the connection as soon as a request arrives.
 */
export type RestFault = 'hang' | 'reset'

export interface RestApi {
  /** Base URL to use as GITHUB_API_URL. */
  url: string
  calls: RestCall[]
  /** Read at each request, so a test may switch it. */
  fault?: RestFault
  /** Accepts `token` (sent as `token …` or `Bearer …`) with these permissions. */
  grant(token: string, grant: TokenGrant): void
  close(): Promise<void>
}

export interface RestRun {
  repository: string
  /** The backend run id of each attempt, in order: the last one is the run's latest attempt. */
  backendRunIds: readonly string[]
}

class RestError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message)
  }
}

/**
 * Stand-in for the two GitHub REST endpoints `@actions/artifact`'s `findBy` path calls:
 * listing a workflow run's artifacts (expired ones flagged) and the zip download, which answers
 * 302 to a signed blob URL. Shapes follow the REST API's `artifact`. A run shows what its latest
 * attempt sees: after a partial re-run every attempt's artifacts, after a full re-run none of
 * the earlier attempts' (actions/upload-artifact#585, and #323's comment of 2025).
 */
export async function startRestApi(opts: {
  results: ResultsService
  /** Workflow runs by GitHub run id (GITHUB_RUN_ID); read at each request. */
  runs: ReadonlyMap<string, RestRun>
}): Promise<RestApi> {
  const tokens = new Map<string, TokenGrant>()
  const calls: RestCall[] = []
  const { results, runs } = opts
  let baseUrl = ''

  const artifactJson = (record: ArtifactRecord, repository: string, githubRunId: string) => {
    const api = `${baseUrl}/repos/${repository}/actions/artifacts/${record.id}`
    const expiresAt =
      record.expiresAt ??
      new Date(Date.parse(record.createdAt) + DEFAULT_RETENTION_MS).toISOString()
    return {
      id: Number(record.id),
      node_id: Buffer.from(`Artifact${record.id}`).toString('base64'),
      name: record.name,
      size_in_bytes: record.size,
      url: api,
      archive_download_url: `${api}/zip`,
      expired: record.expired,
      digest: record.hash || null,
      created_at: record.createdAt,
      expires_at: expiresAt,
      updated_at: record.createdAt,
      workflow_run: {
        id: Number(githubRunId),
        repository_id: 1,
        head_repository_id: 1,
        head_branch: 'main',
        head_sha: '0'.repeat(40)
      }
    }
  }

  /** The backend runs whose artifacts `run` shows: its latest attempt's view. */
  const shownRuns = (run: RestRun): readonly string[] => {
    const latest = run.backendRunIds.at(-1)
    return latest === undefined ? [] : results.visibleRuns(latest)
  }

  const runArtifacts = (repository: string, githubRunId: string): ArtifactRecord[] => {
    const run = runs.get(githubRunId)
    if (!run || run.repository !== repository) throw new RestError(404, 'Not Found')
    const shown = shownRuns(run)
    return results.artifacts.filter(a => a.finalized && !a.deleted && shown.includes(a.runId))
  }

  const routes: Array<{
    pattern: RegExp
    handle(match: string[], query: URLSearchParams, res: ServerResponse): void
  }> = [
    {
      pattern: /^\/repos\/([^/]+\/[^/]+)\/actions\/runs\/(\d+)\/artifacts$/,
      handle([repository, githubRunId], query, res) {
        const name = query.get('name')
        const all = runArtifacts(repository!, githubRunId!).filter(
          a => name === null || a.name === name
        )
        const perPage = Math.min(positive(query.get('per_page'), 30), MAX_PER_PAGE)
        const page = positive(query.get('page'), 1)
        const artifacts = all
          .slice((page - 1) * perPage, page * perPage)
          .map(a => artifactJson(a, repository!, githubRunId!))
        sendJson(res, 200, { total_count: all.length, artifacts })
      }
    },
    {
      pattern: /^\/repos\/([^/]+\/[^/]+)\/actions\/artifacts\/(\d+)\/zip$/,
      handle([repository, id], _query, res) {
        const record = results.artifacts.find(a => a.id === id && a.finalized && !a.deleted)
        const run = record && [...runs.values()].find(r => r.backendRunIds.includes(record.runId))
        if (
          !record ||
          !run ||
          run.repository !== repository ||
          !shownRuns(run).includes(record.runId)
        ) {
          throw new RestError(404, 'Not Found')
        }
        if (record.expired) throw new RestError(410, 'Artifact has expired')
        res.writeHead(302, { location: results.container.signedUrl(record.blobPath, 'r') })
        res.end()
      }
    }
  ]

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const token = /^(?:token|Bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1]
    if (token === undefined) throw new RestError(401, 'Requires authentication')
    const grant = tokens.get(token)
    if (!grant) throw new RestError(401, 'Bad credentials')
    const route = req.method === 'GET' ? routes.find(r => r.pattern.test(url.pathname)) : undefined
    if (!route) throw new RestError(404, 'Not Found')
    if (!grant.actionsRead) throw new RestError(403, 'Resource not accessible by integration')
    route.handle(route.pattern.exec(url.pathname)!.slice(1), url.searchParams, res)
  }

  const server = createServer((req, res) => {
    const fault = api.fault
    if (fault === 'reset') return void req.socket.destroy()
    if (fault === 'hang') return
    const path = req.url ?? ''
    res.once('finish', () => calls.push({ method: req.method ?? '', path, status: res.statusCode }))
    try {
      handle(req, res)
    } catch (error) {
      const status = error instanceof RestError ? error.status : 500
      const message = error instanceof Error ? error.message : String(error)
      sendJson(res, status, { message, documentation_url: DOCS, status: String(status) })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  baseUrl = `http://127.0.0.1:${port}`

  const api: RestApi = {
    url: baseUrl,
    calls,
    grant(token, grant) {
      tokens.set(token, grant)
    },
    close: () =>
      new Promise<void>(resolve => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
  }
  return api
}

function positive(value: string | null, fallback: number): number {
  const n = value === null ? NaN : Number(value)
  return Number.isInteger(n) && n > 0 ? n : fallback
}

function sendJson(res: ServerResponse, status: number, body: object): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload)
  })
  res.end(payload)
}
