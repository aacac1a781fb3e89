import type { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { describeError, isRecord, Transport } from '../engine/index.js'
import type { EarlierArtifacts, ListedArtifact } from '../engine/reruns/earlier-artifacts.js'
import { formatBytes } from '../engine/units.js'

/**
 * The `EarlierArtifacts` port over GitHub: the run's artifacts through the runtime API (the
 * Twirp ArtifactService the toolkit uses, with the runtime token) and through the REST API (with
 * github-token). Our own calls, not the toolkit's: its listing parses and logs whole answers
 * (a 300,000-artifact run printed 100 MB of `::debug::`), and neither its listing nor its
 * download can be stopped. Every request here goes through one `Transport` (proxy-aware agents,
 * redirects that drop the token when they leave the origin) and ends when the lookup's signal
 * aborts, when no byte came for `idleMs`, or at a bound on the whole exchange that a trickle
 * cannot stretch; an answer larger than a listing can be is refused before it is parsed.
 */

/** What the runner gives a JavaScript action step, for finding the run's artifacts. */
export interface GitHubRun {
  /** ACTIONS_RUNTIME_TOKEN and ACTIONS_RESULTS_URL: the runtime API. */
  runtimeToken: string
  resultsUrl: string
  /** GITHUB_API_URL, GITHUB_REPOSITORY (owner/name), GITHUB_RUN_ID: the REST API. */
  apiUrl: string
  repository: string
  runId: string
  /** The github-token input; empty: no REST API. */
  githubToken: string
}

/** Time bounds on each request, besides the lookup's own signal. */
export interface RequestBounds {
  /** No byte for this long fails the request. */
  idleMs: number
  /** A listing or a signed URL: the whole exchange, answer read. */
  answerMs: number
  /** One artifact's zip: the whole download. */
  downloadMs: number
}

export const DEFAULT_BOUNDS: RequestBounds = {
  idleMs: 20_000,
  answerMs: 20_000,
  downloadMs: 50_000
}

// Listings are asked for one name at a time: a few artifacts, never hundreds.
const MAX_LISTED = 100
const MAX_LISTING_BYTES = MAX_LISTED * 2048
const MAX_ERROR_BYTES = 16 * 1024
const MAX_TOKEN_CHARS = 16 * 1024
const RETRY_DELAY_MS = 1_000
const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/'
const DIGEST = /^sha256:[0-9a-f]{64}$/
const BACKEND_ID = /^[A-Za-z0-9-]{1,100}$/
const USER_AGENT = 'clari-forecast-export-action'

/** An answer GitHub gave that is not the one asked for: its status and what it said, cleaned. */
export class GitHubAnswerError extends Error {
  override readonly name = 'GitHubAnswerError'
  constructor(
    readonly status: number | undefined,
    message: string
  ) {
    super(message)
  }
}

/** The runtime API first (it needs no token input), then the REST API; or why each is unavailable. */
export function gitHubArtifactSources(
  run: GitHubRun,
  transport: Transport,
  bounds: RequestBounds = DEFAULT_BOUNDS
): (EarlierArtifacts | string)[] {
  const http = new BoundedHttp(transport, bounds, run.githubToken)
  return [runtimeArtifacts(run, http), restArtifacts(run, http)]
}

function runtimeArtifacts(run: GitHubRun, http: BoundedHttp): EarlierArtifacts | string {
  const ids = backendIds(run.runtimeToken)
  let origin: string
  try {
    origin = new URL(run.resultsUrl).origin
  } catch {
    return 'no runtime listing: ACTIONS_RESULTS_URL is not set'
  }
  if (!ids) return 'no runtime listing: the runtime token names no workflow run'
  // Each artifact is downloaded with its own backend ids (an earlier attempt's job).
  const owners = new Map<number, { runId: string; jobId: string; name: string }>()
  const call = (method: string, body: object, signal: AbortSignal) =>
    http.json(
      {
        method: 'POST',
        operation: `runtime ${method}`,
        url: new URL(`${TWIRP}${method}`, origin),
        headers: {
          authorization: `Bearer ${run.runtimeToken}`,
          'content-type': 'application/json'
        },
        body: JSON.stringify(body)
      },
      signal
    )
  return {
    label: 'the runtime listing',
    async list(name, signal) {
      const answer = await call(
        'ListArtifacts',
        {
          workflow_run_backend_id: ids.runId,
          workflow_job_run_backend_id: ids.jobId,
          name_filter: name
        },
        signal
      )
      return listOf(answer, 'artifacts').flatMap(raw => {
        const artifact = fromRuntime(raw)
        if (artifact)
          owners.set(artifact.listed.id, { ...artifact.owner, name: artifact.listed.name })
        return artifact ? [artifact.listed] : []
      })
    },
    async download(artifact, signal) {
      const owner = owners.get(artifact.id)
      if (!owner) throw new GitHubAnswerError(undefined, 'the runtime listing did not list it')
      const answer = await call(
        'GetSignedArtifactURL',
        {
          workflow_run_backend_id: owner.runId,
          workflow_job_run_backend_id: owner.jobId,
          name: owner.name
        },
        signal
      )
      const signed = isRecord(answer) ? answer.signed_url : undefined
      const url = typeof signed === 'string' ? httpUrl(signed) : undefined
      if (!url) throw new GitHubAnswerError(undefined, 'the runtime API gave no download URL')
      return http.stream({ operation: 'artifact download', url, headers: {} }, signal)
    }
  }
}

function restArtifacts(run: GitHubRun, http: BoundedHttp): EarlierArtifacts | string {
  const { githubToken: token, runId, repository } = run
  const [owner = '', repo = '', ...rest] = repository.split('/')
  if (!token) return 'no REST fallback: github-token is empty'
  if (!/^\d+$/.test(runId) || !owner || !repo || rest.length > 0) {
    return 'no REST fallback: no run id or repository'
  }
  let api: URL
  try {
    api = new URL(
      `${run.apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/actions/`
    )
  } catch {
    return 'no REST fallback: GITHUB_API_URL is not a URL'
  }
  const headers = {
    authorization: `Bearer ${token}`,
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28'
  }
  return {
    label: 'the REST API',
    async list(name, signal) {
      const url = new URL(`runs/${runId}/artifacts`, api)
      url.searchParams.set('name', name)
      url.searchParams.set('per_page', String(MAX_LISTED))
      const answer = await http.json(
        { method: 'GET', operation: 'REST list artifacts', url, headers },
        signal
      )
      return listOf(answer, 'artifacts').flatMap(fromRest)
    },
    download(artifact, signal) {
      // Answers 302 to the blob, on another origin: the transport drops the token there.
      const url = new URL(`artifacts/${artifact.id}/zip`, api)
      return http.stream({ operation: 'REST artifact download', url, headers }, signal)
    }
  }
}

interface Call {
  method?: 'GET' | 'POST'
  operation: string
  url: URL
  headers: Record<string, string>
  body?: string
}

/** The lookup's requests, each bounded in time and, for an answer that is read whole, in bytes. */
class BoundedHttp {
  constructor(
    private readonly transport: Transport,
    private readonly bounds: RequestBounds,
    private readonly githubToken: string
  ) {}

  /** A JSON answer of at most MAX_LISTING_BYTES; a failure that may pass is tried once more. */
  async json(call: Call, signal: AbortSignal): Promise<unknown> {
    try {
      return await this.jsonOnce(call, signal)
    } catch (error) {
      const status = (error as GitHubAnswerError).status
      if (signal.aborted || !(status === undefined || status === 429 || status >= 500)) throw error
      await sleep(RETRY_DELAY_MS, undefined, { signal })
      return this.jsonOnce(call, signal)
    }
  }

  /** The body of a 200, streaming, bounded by downloadMs as a whole. */
  async stream(call: Call, signal: AbortSignal): Promise<Readable> {
    const response = await this.send(call, this.bounds.downloadMs, signal)
    if (response.status !== 200) throw await this.refusal(call, response.status, response.body)
    return response.body
  }

  private async jsonOnce(call: Call, signal: AbortSignal): Promise<unknown> {
    const response = await this.send(call, this.bounds.answerMs, signal)
    if (response.status < 200 || response.status >= 300) {
      throw await this.refusal(call, response.status, response.body)
    }
    const text = await readCapped(response.body, MAX_LISTING_BYTES)
    if (text === undefined) {
      const limit = formatBytes(MAX_LISTING_BYTES)
      throw new GitHubAnswerError(
        response.status,
        `${call.operation}: the answer is larger than ${limit}, more than a listing of ${MAX_LISTED} artifacts`
      )
    }
    try {
      return JSON.parse(text) as unknown
    } catch {
      throw new GitHubAnswerError(response.status, `${call.operation}: the answer is not JSON`)
    }
  }

  private send(call: Call, totalMs: number, signal: AbortSignal) {
    return this.transport.send({
      method: call.method ?? 'GET',
      operation: call.operation,
      url: call.url,
      headers: { 'user-agent': USER_AGENT, ...call.headers },
      secretHeader: 'authorization',
      body: call.body,
      signal,
      idleTimeoutMs: this.bounds.idleMs,
      totalTimeoutMs: totalMs
    })
  }

  /** What a refusal says: the status, GitHub's own message (cleaned, token masked), a hint. */
  private async refusal(call: Call, status: number, body: Readable): Promise<GitHubAnswerError> {
    const text = (await readCapped(body, MAX_ERROR_BYTES).catch(() => undefined)) ?? ''
    let said = ''
    try {
      const parsed = JSON.parse(text) as unknown
      // Twirp's `msg`, REST's `message`.
      const message = isRecord(parsed) ? (parsed.msg ?? parsed.message) : undefined
      if (typeof message === 'string') said = describeError(message, this.githubToken, 200)
    } catch {
      // Not JSON: the status says enough.
    }
    const hint =
      status === 401
        ? '; check github-token'
        : status === 403 || status === 404
          ? '; the token needs actions: read'
          : ''
    const what = said ? ` (${said})` : ''
    return new GitHubAnswerError(status, `${call.operation} answered ${status}${what}${hint}`)
  }
}

/** The body as text, or undefined once it grows past `maxBytes` (the rest is never read). */
async function readCapped(body: Readable, maxBytes: number): Promise<string | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  // Leaving the loop early destroys the body, and with it the socket.
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > maxBytes) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** The backend ids in the runtime token's `Actions.Results:<runId>:<jobId>` scope. */
function backendIds(token: string): { runId: string; jobId: string } | undefined {
  if (!token || token.length > MAX_TOKEN_CHARS) return undefined
  try {
    const claims = JSON.parse(
      Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')
    ) as unknown
    const scopes = isRecord(claims) && typeof claims.scp === 'string' ? claims.scp.split(' ') : []
    for (const scope of scopes) {
      const [kind, runId = '', jobId = '', ...rest] = scope.split(':')
      if (kind !== 'Actions.Results') continue
      if (rest.length > 0 || !BACKEND_ID.test(runId) || !BACKEND_ID.test(jobId)) return undefined
      return { runId, jobId }
    }
  } catch {
    // Not a JWT: no runtime listing.
  }
  return undefined
}

/** A list field of an answer, at most MAX_LISTED long. */
function listOf(answer: unknown, field: string): unknown[] {
  const list = isRecord(answer) ? answer[field] : undefined
  if (list === undefined) return []
  if (!Array.isArray(list))
    throw new GitHubAnswerError(undefined, `the listing's ${field} is not a list`)
  if (list.length > MAX_LISTED) {
    throw new GitHubAnswerError(
      undefined,
      `the listing holds more than ${MAX_LISTED} artifacts of one name`
    )
  }
  return list
}

/** A runtime `Artifact` (snake_case, int64 as text), checked field by field. */
function fromRuntime(
  raw: unknown
): { listed: ListedArtifact; owner: { runId: string; jobId: string } } | undefined {
  if (!isRecord(raw)) return undefined
  const id =
    typeof raw.database_id === 'string' && /^\d{1,15}$/.test(raw.database_id)
      ? Number(raw.database_id)
      : NaN
  const { name, workflow_run_backend_id: runId, workflow_job_run_backend_id: jobId } = raw
  if (
    !(id >= 1) ||
    typeof name !== 'string' ||
    typeof runId !== 'string' ||
    typeof jobId !== 'string'
  )
    return undefined
  if (!BACKEND_ID.test(runId) || !BACKEND_ID.test(jobId)) return undefined
  return {
    listed: {
      id,
      name,
      digest: digestOf(raw.digest),
      createdAt: timeOf(raw.created_at),
      expired: false
    },
    owner: { runId, jobId }
  }
}

/** A REST `artifact`, checked field by field; nothing when it is not one. */
function fromRest(raw: unknown): ListedArtifact[] {
  if (!isRecord(raw)) return []
  const { id, name, expired } = raw
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return []
  if (typeof name !== 'string') return []
  return [
    {
      id,
      name,
      digest: digestOf(raw.digest),
      createdAt: timeOf(raw.created_at),
      expired: expired === true
    }
  ]
}

function digestOf(value: unknown): string | undefined {
  return typeof value === 'string' && DIGEST.test(value) ? value : undefined
}

function timeOf(value: unknown): number {
  return (typeof value === 'string' && value.length <= 40 && Date.parse(value)) || 0
}

function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined
  } catch {
    return undefined
  }
}
