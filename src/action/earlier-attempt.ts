import { mkdtemp, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DefaultArtifactClient, type Artifact } from '@actions/artifact'
import * as core from '@actions/core'
import * as github from '@actions/github'
import { cleanServerText, describeError } from '../engine/index.js'
import { MANIFEST_FILE } from '../engine/manifest.js'
import { MANIFEST_TOOL, MANIFEST_VERSION } from '../engine/outcome.js'
import { attemptName } from './artifact.js'
import { extractZip, readZipEntry, UnreadableZipError } from './zip-archive.js'

export interface EarlierAttemptLookup {
  forecastId: string
  /** GITHUB_RUN_ATTEMPT of this attempt; only attempts before it are looked at. */
  runAttempt: number
  /** artifact-name filled in for attempt 1, 2, … (`UploadSettings.earlierAttemptNames`). */
  artifactNames: readonly string[]
  /** GITHUB_RUN_ID and GITHUB_REPOSITORY (owner/name), for the REST fallback. */
  runId: string
  repository: string
  /** The github-token input; empty: no REST fallback. Masked before anything else happens. */
  githubToken: string
  /** Where the download folders go (RUNNER_TEMP, which the runner empties after the job). */
  tempDir: string
  /** The whole lookup's bound (default 60 s): then it gives up and the export starts anew. */
  timeoutMs?: number
  /** The run's cancellation (SIGINT): stops the lookup at once. */
  signal?: AbortSignal
}

/** What an earlier attempt of this run uploaded, downloaded and checked. */
export interface EarlierAttempt {
  /** A folder holding the artifact's files (manifest.json and payloads); the caller removes it. */
  dir: string
  /**
   * manifest.json as parsed: untrusted apart from what was checked here (`tool`, `forecastId`,
   * `runAttempt`); every other field still needs validating before use.
   */
  manifest: Record<string, unknown>
  /** The attempt that made it: the manifest's runAttempt. */
  attempt: number
  artifactName: string
}

export type NoEarlierAttemptKind =
  'missing' | 'expired' | 'unreadable' | 'not-ours' | 'other-forecast' | 'lookup-failed'

export interface NoEarlierAttempt {
  kind: NoEarlierAttemptKind
  /** One clean line for the notice, e.g. `missing: no artifact named … on this run`. */
  reason: string
}

const DEFAULT_TIMEOUT_MS = 60_000
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
// Each is a download: a run re-run many times keeps only the newest few in play.
const MAX_CANDIDATES = 10
const REST_PAGE_SIZE = 100
const REST_MAX_PAGES = 10
const REST_RETRY_DELAY_MS = 1_000
const NAMES_SHOWN = 4

/**
 * Finds what an earlier attempt of this workflow run uploaded: lists the run's artifacts with
 * the runtime token (partial re-runs see the earlier attempts'), or else through the REST API
 * with the github-token; downloads those named as this action names its uploads; and keeps the
 * newest earlier attempt's whose manifest.json is this action's, for the same forecast.
 * Never throws for a lookup problem: the answer then says why there is nothing to resume from.
 */
export async function findEarlierAttempt(
  lookup: EarlierAttemptLookup
): Promise<EarlierAttempt | NoEarlierAttempt> {
  if (lookup.githubToken) core.setSecret(lookup.githubToken)
  const timeoutMs = lookup.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), timeoutMs)
  const signal = lookup.signal ? AbortSignal.any([deadline.signal, lookup.signal]) : deadline.signal
  const gaveUp = new Promise<NoEarlierAttempt>(resolve =>
    signal.addEventListener(
      'abort',
      () =>
        resolve({
          kind: 'lookup-failed',
          reason: lookup.signal?.aborted
            ? 'lookup failed: cancelled'
            : `lookup failed: gave up after ${formatSeconds(timeoutMs)}`
        }),
      { once: true }
    )
  )
  core.startGroup(`Looking for what an earlier attempt of this run uploaded`)
  try {
    // The toolkit's own retries cannot be cancelled: the search stops at its next step, and
    // cleans up after itself, while the export goes ahead.
    const search = new Search(lookup, signal).run()
    search.catch(() => {})
    return await Promise.race([search, gaveUp])
  } catch (error) {
    return { kind: 'lookup-failed', reason: `lookup failed: ${describe(error, lookup)}` }
  } finally {
    clearTimeout(timer)
    core.endGroup()
  }
}

/**
 * Checks what an earlier manifest.json says about itself: made by this action, for this
 * forecast, in an earlier attempt of the run. Everything else in it is the caller's to check.
 */
export function judgeManifest(
  manifest: unknown,
  expected: { forecastId: string; runAttempt: number }
): { attempt: number } | NoEarlierAttempt {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    return { kind: 'unreadable', reason: `its ${MANIFEST_FILE} is not a JSON object` }
  }
  const { tool, manifestVersion, forecastId, runAttempt } = manifest as Record<string, unknown>
  // The same header planResume requires, so an older version never hides a usable attempt.
  if (tool !== MANIFEST_TOOL || manifestVersion !== MANIFEST_VERSION) {
    return {
      kind: 'not-ours',
      reason: `its ${MANIFEST_FILE} was not made by ${MANIFEST_TOOL} (manifest version ${MANIFEST_VERSION})`
    }
  }
  if (forecastId !== expected.forecastId) {
    return {
      kind: 'other-forecast',
      reason: `it holds forecast ${JSON.stringify(cleanServerText(forecastId, 80))}, not ${expected.forecastId}`
    }
  }
  if (
    typeof runAttempt !== 'number' ||
    !Number.isInteger(runAttempt) ||
    runAttempt < 1 ||
    runAttempt >= expected.runAttempt
  ) {
    return {
      kind: 'not-ours',
      reason: `its ${MANIFEST_FILE} records no earlier attempt (runAttempt ${cleanServerText(runAttempt, 40) || 'missing'})`
    }
  }
  return { attempt: runAttempt }
}

/** Names this action gives the upload of attempt n: artifact-name, or `attemptName` of it. */
export function candidateNames(
  lookup: Pick<EarlierAttemptLookup, 'artifactNames' | 'runAttempt'>
): Set<string> {
  const names = new Set<string>()
  lookup.artifactNames.slice(0, lookup.runAttempt - 1).forEach((name, index) => {
    names.add(name)
    names.add(attemptName(name, index + 1))
  })
  return names
}

/** An artifact as listed, from either source; only what the lookup relies on. */
interface Listed {
  id: number
  name: string
  /** `sha256:<hex>`; absent for artifacts of upload-artifact before v4. */
  digest?: string
  /** Milliseconds; 0 when unknown. */
  createdAt: number
  expired: boolean
}

interface Source {
  /** For the reason: "the runtime listing", "the REST API". */
  label: string
  list(signal: AbortSignal): Promise<Listed[]>
  /** Saves the zip (not unpacked) into `dir`, checking it against the listed digest. */
  download(artifact: Listed, dir: string): Promise<{ digestMismatch?: boolean }>
}

/** A usable earlier artifact, with its upload time to choose between equal attempts. */
interface Found {
  earlier: EarlierAttempt
  createdAt: number
}

/** Why one artifact is not usable; `final` when asking the other source would not change it. */
interface Verdict extends NoEarlierAttempt {
  createdAt: number
  final: boolean
}

class Search {
  private readonly client = new DefaultArtifactClient()
  private readonly names: Set<string>
  private readonly verdicts: Verdict[] = []
  /** What each source said when it offered nothing usable. */
  private readonly trail: string[] = []
  /** Artifacts already judged on their content: the other source lists them too. */
  private readonly judged = new Set<number>()
  /** A listing failed: "none found" would then be a guess. */
  private listingFailed = false

  constructor(
    private readonly lookup: EarlierAttemptLookup,
    private readonly signal: AbortSignal
  ) {
    this.names = candidateNames(lookup)
  }

  async run(): Promise<EarlierAttempt | NoEarlierAttempt> {
    if (this.names.size === 0) {
      return { kind: 'missing', reason: 'missing: this run has no earlier attempt' }
    }
    for (const source of [this.runtimeSource(), this.restSource()]) {
      if (this.signal.aborted) break
      // A string says why the source cannot be asked.
      if (typeof source === 'string') {
        this.trail.push(source)
        continue
      }
      const found = await this.searchWith(source)
      if (found) return found.earlier
    }
    return this.nothing()
  }

  private async searchWith(source: Source): Promise<Found | undefined> {
    let listed: Listed[]
    try {
      listed = await source.list(this.signal)
    } catch (error) {
      this.listingFailed = true
      this.trail.push(`${source.label} failed: ${describe(error, this.lookup)}`)
      return undefined
    }
    const ours = listed.filter(a => this.names.has(a.name) && !this.judged.has(a.id))
    for (const artifact of ours.filter(a => a.expired)) {
      this.judged.add(artifact.id)
      this.verdicts.push({
        kind: 'expired',
        reason: `expired: ${label(artifact)} has expired`,
        createdAt: artifact.createdAt,
        final: true
      })
    }
    const live = ours
      .filter(a => !a.expired)
      .sort((a, b) => b.createdAt - a.createdAt)
      .slice(0, MAX_CANDIDATES)
    if (live.length === 0) this.trail.push(`${source.label} lists none`)

    let best: Found | undefined
    for (const artifact of live) {
      if (this.signal.aborted) break
      const examined = await this.examine(artifact, source).catch(
        // Whatever broke (a full disk, a temporary folder that cannot be made), the artifact is
        // passed over and a usable one found already is kept.
        (error: unknown): Verdict => ({
          kind: 'unreadable',
          reason: `unreadable: ${label(artifact)}: ${describe(error, this.lookup)}`,
          createdAt: artifact.createdAt,
          final: false
        })
      )
      if ('reason' in examined) {
        if (examined.final) this.judged.add(artifact.id)
        this.verdicts.push(examined)
        continue
      }
      this.judged.add(artifact.id)
      // Ids are not ordered by attempt: the manifest's attempt decides, then the upload time.
      const newer =
        !best ||
        examined.earlier.attempt > best.earlier.attempt ||
        (examined.earlier.attempt === best.earlier.attempt && examined.createdAt > best.createdAt)
      const dropped = newer ? best : examined
      if (newer) best = examined
      if (dropped) await removeFolder(dropped.earlier.dir)
      if (best!.earlier.attempt === this.lookup.runAttempt - 1) break
    }
    if (best && this.signal.aborted) {
      await removeFolder(best.earlier.dir)
      return undefined
    }
    return best
  }

  private async examine(artifact: Listed, source: Source): Promise<Found | Verdict> {
    const verdict = (kind: NoEarlierAttemptKind, why: string, final = true): Verdict => ({
      kind,
      reason: `${kind === 'not-ours' ? "not this action's" : kind.replace('-', ' ')}: ${label(artifact)}: ${why}`,
      createdAt: artifact.createdAt,
      final
    })
    const zipDir = await mkdtemp(path.join(this.lookup.tempDir, 'clari-earlier-zip-'))
    try {
      let digestMismatch: boolean | undefined
      try {
        ;({ digestMismatch } = await source.download(artifact, zipDir))
      } catch (error) {
        // The other source may still get it (the runtime download has broken before).
        return verdict('unreadable', `the download failed (${describe(error, this.lookup)})`, false)
      }
      if (digestMismatch) return verdict('unreadable', 'the download does not match its digest')
      const [file] = await readdir(zipDir)
      if (file === undefined) return verdict('unreadable', 'the download is empty')
      const zipPath = path.join(zipDir, file)

      let bytes: Buffer | undefined
      try {
        bytes = await readZipEntry(zipPath, MANIFEST_FILE, MAX_MANIFEST_BYTES)
      } catch (error) {
        if (!(error instanceof UnreadableZipError)) throw error
        return verdict('unreadable', `not a readable zip (${cleanServerText(error.message)})`)
      }
      if (!bytes) return verdict('unreadable', `it holds no ${MANIFEST_FILE}`)
      let manifest: unknown
      try {
        manifest = JSON.parse(bytes.toString('utf8'))
      } catch {
        return verdict('unreadable', `its ${MANIFEST_FILE} is not JSON`)
      }
      const judged = judgeManifest(manifest, this.lookup)
      if ('reason' in judged) return verdict(judged.kind, judged.reason)

      const dir = await mkdtemp(path.join(this.lookup.tempDir, 'clari-earlier-attempt-'))
      try {
        await extractZip(zipPath, dir)
      } catch (error) {
        await removeFolder(dir)
        if (!(error instanceof UnreadableZipError)) throw error
        return verdict('unreadable', `not a readable zip (${cleanServerText(error.message)})`)
      }
      return {
        earlier: {
          dir,
          manifest: manifest as Record<string, unknown>,
          attempt: judged.attempt,
          artifactName: artifact.name
        },
        createdAt: artifact.createdAt
      }
    } finally {
      await removeFolder(zipDir)
    }
  }

  /** The newest unusable candidate's reason, or what the listings said. */
  private nothing(): NoEarlierAttempt {
    const [newest, ...others] = [...this.verdicts].sort((a, b) => b.createdAt - a.createdAt)
    if (newest) {
      const more = others.length > 0 ? ` (and ${others.length} older one(s) not usable)` : ''
      return { kind: newest.kind, reason: newest.reason + more }
    }
    if (this.listingFailed) {
      return { kind: 'lookup-failed', reason: `lookup failed: ${this.trail.join('; ')}` }
    }
    const names = [...this.names]
    const shown = names.slice(0, NAMES_SHOWN).join(', ') + (names.length > NAMES_SHOWN ? ', …' : '')
    return {
      kind: 'missing',
      reason: `missing: no artifact named ${shown} on this run (${this.trail.join('; ')})`
    }
  }

  private runtimeSource(): Source {
    return {
      label: 'the runtime listing',
      list: async () => (await this.client.listArtifacts()).artifacts.map(fromToolkit),
      download: (artifact, dir) =>
        this.client.downloadArtifact(artifact.id, {
          path: dir,
          expectedHash: artifact.digest,
          skipDecompress: true
        })
    }
  }

  private restSource(): Source | string {
    const { githubToken: token, runId, repository } = this.lookup
    const [owner = '', repo = ''] = repository.split('/')
    if (!token) return 'no REST fallback: github-token is empty'
    if (!/^\d+$/.test(runId) || !owner || !repo) {
      return 'no REST fallback: no run id or repository'
    }
    return {
      label: 'the REST API',
      list: signal => listThroughRest({ token, owner, repo, runId: Number(runId) }, signal),
      download: (artifact, dir) =>
        this.client.downloadArtifact(artifact.id, {
          path: dir,
          expectedHash: artifact.digest,
          skipDecompress: true,
          findBy: {
            token,
            workflowRunId: Number(runId),
            repositoryOwner: owner,
            repositoryName: repo
          }
        })
    }
  }
}

/**
 * Lists the run's artifacts (every attempt's, expired ones flagged) with our own client rather
 * than the toolkit's `findBy` listing, whose retries against a dead API take ~55 s and cannot
 * be cancelled: this one stops when the lookup does, and retries a failed page once.
 */
async function listThroughRest(
  run: { token: string; owner: string; repo: string; runId: number },
  signal: AbortSignal
): Promise<Listed[]> {
  const octokit = github.getOctokit(run.token)
  const listed: Listed[] = []
  for (let page = 1; page <= REST_MAX_PAGES; page++) {
    const request = () =>
      octokit.rest.actions.listWorkflowRunArtifacts({
        owner: run.owner,
        repo: run.repo,
        run_id: run.runId,
        per_page: REST_PAGE_SIZE,
        page,
        request: { signal }
      })
    const { data } = await request().catch(async (error: unknown) => {
      if (!isRetryable(error) || signal.aborted) throw error
      await sleep(REST_RETRY_DELAY_MS, undefined, { signal })
      return request()
    })
    const artifacts: unknown[] = Array.isArray(data.artifacts) ? data.artifacts : []
    listed.push(...artifacts.flatMap(fromRest))
    if (artifacts.length < REST_PAGE_SIZE || page * REST_PAGE_SIZE >= Number(data.total_count)) {
      break
    }
  }
  return listed
}

function fromToolkit(artifact: Artifact): Listed {
  return {
    id: artifact.id,
    name: artifact.name,
    digest: artifact.digest || undefined,
    createdAt: artifact.createdAt?.getTime() || 0,
    expired: false
  }
}

/** A REST `artifact`, checked field by field; nothing when it is not one. */
function fromRest(raw: unknown): Listed[] {
  if (typeof raw !== 'object' || raw === null) return []
  const { id, name, digest, created_at: createdAt, expired } = raw as Record<string, unknown>
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1) return []
  if (typeof name !== 'string') return []
  return [
    {
      id,
      name,
      digest: typeof digest === 'string' && digest ? digest : undefined,
      createdAt: (typeof createdAt === 'string' && Date.parse(createdAt)) || 0,
      expired: expired === true
    }
  ]
}

function isRetryable(error: unknown): boolean {
  const status = statusOf(error)
  return status === undefined || status === 429 || status >= 500
}

function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status
  return typeof status === 'number' ? status : undefined
}

/** One clean line about a failure: the REST status and what to do, never the token. */
function describe(error: unknown, lookup: Pick<EarlierAttemptLookup, 'githubToken'>): string {
  const message = describeError(error, lookup.githubToken, 200)
  const status = statusOf(error)
  if (status === undefined || status === 500) return message
  const hint =
    status === 401
      ? '; check github-token'
      : status === 403 || status === 404
        ? '; the token needs actions: read'
        : ''
  return `answered ${status} (${message})${hint}`
}

function label(artifact: Listed): string {
  return `artifact ${artifact.name} (id ${artifact.id})`
}

async function removeFolder(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true }).catch(() => {})
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`
}
