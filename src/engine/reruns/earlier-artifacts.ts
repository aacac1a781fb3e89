import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import path from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeInto } from '../../base/pipe-into.js'
import { describeError } from '../../clari/untrusted-text.js'
import type { ExportConfig } from '../config.js'
import { MANIFEST_FILE } from '../manifest.js'
import { TABLE_NAMES } from '../table-layout.js'
import { firstOf, formatBytes } from '../units.js'
import { MAX_MANIFEST_BYTES, readEarlierManifest } from './earlier-manifest.js'
import type { EarlierRun, NoEarlierRun, NoEarlierRunKind, ResumeSource } from './earlier-run.js'
import { extractEntries, readZipEntry, UnreadableZipError } from './zip-archive.js'

/** An artifact as a listing shows it, every field checked by the adapter that listed it. */
export interface ListedArtifact {
  /** GitHub's artifact id: the same in the runtime listing and the REST API. */
  id: number
  name: string
  /** `sha256:<hex>`, when GitHub recorded one. */
  digest?: string
  /** Upload time, ms since the epoch; 0 when unknown. */
  createdAt: number
  /** Past its retention: the REST API still lists it, nothing downloads it. */
  expired: boolean
}

/**
 * The port a re-run finds an earlier attempt's artifact through: one place that lists a
 * workflow run's artifacts and hands out their zips. The action implements it over GitHub's
 * runtime (Twirp) and REST APIs (src/action/github-artifacts.ts). Every request it makes ends
 * when `signal` aborts, and at a time bound of its own that a trickle cannot stretch; an answer
 * too large to be a listing is refused before it is parsed.
 */
export interface EarlierArtifacts {
  /** For the notice: "the runtime listing", "the REST API". */
  label: string
  /** The run's artifacts named `name`, of every attempt this source sees. */
  list(name: string, signal: AbortSignal): Promise<ListedArtifact[]>
  /** The artifact's zip as it streams in; the search holds it to its size cap and digest. */
  download(artifact: ListedArtifact, signal: AbortSignal): Promise<Readable>
}

export interface ArtifactSearch {
  /** Where to look, in order; a string says why that place cannot be asked. */
  sources: readonly (EarlierArtifacts | string)[]
  /** GITHUB_RUN_ATTEMPT of this attempt: only attempts before it count. */
  runAttempt: number
  /** artifact-name filled in for attempt 1, 2, … before this one. */
  artifactNames: readonly string[]
  /** Where the downloads go (RUNNER_TEMP, which the runner empties after the job). */
  tempDir: string
  /** The whole lookup's bound: then it gives up and every period is exported anew. */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 60_000
// Each is a download: a run re-run many times keeps only the newest few attempts in play.
const MAX_ATTEMPTS = 10
const MAX_CANDIDATES = 10
// An artifact of this action holds a manifest, and a payload and its tables per period.
const ENTRIES_PER_PERIOD = 1 + TABLE_NAMES.length
const MAX_ZIP_ENTRIES = 10_000
const NAMES_SHOWN = 4

/** The name an upload takes when the run already holds an artifact named `name`. */
export function attemptArtifactName(name: string, runAttempt: number): string {
  return `${name}-attempt-${runAttempt}`
}

/**
 * The names an earlier attempt's upload can have, newest attempt first: artifact-name as that
 * attempt filled it in, and `attemptArtifactName` of it (its upload after a name clash).
 */
export function candidateNames(artifactNames: readonly string[], runAttempt: number): string[] {
  const names = new Set<string>()
  const newest = Math.min(runAttempt - 1, artifactNames.length)
  for (let attempt = newest; attempt >= 1 && attempt > newest - MAX_ATTEMPTS; attempt--) {
    const name = artifactNames[attempt - 1]!
    names.add(attemptArtifactName(name, attempt))
    names.add(name)
  }
  return [...names]
}

/**
 * The earlier attempt of this workflow run, as its artifact shows it: lists the candidates by
 * name in each place in turn, downloads them newest first, reads and checks each manifest, and
 * keeps the newest earlier attempt's whose manifest is this action's, for the same forecast,
 * with the payloads it names unpacked beside it. One signal, aborted at `timeoutMs` or when the
 * run is cancelled, ends every listing, download and extraction; the answer never waits longer.
 */
export function earlierAttemptSource(search: ArtifactSearch): ResumeSource {
  return {
    label: 'an earlier attempt',
    find: (config, signal) => findEarlierAttempt(search, config, signal)
  }
}

async function findEarlierAttempt(
  search: ArtifactSearch,
  config: ExportConfig,
  cancel: AbortSignal
): Promise<EarlierRun | NoEarlierRun> {
  const timeoutMs = search.timeoutMs ?? DEFAULT_TIMEOUT_MS
  // A plain timer the event loop holds, cleared when done (AbortSignal.timeout can be collected).
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), timeoutMs)
  const signal = AbortSignal.any([deadline.signal, cancel])
  let ended = false
  const gaveUp = new Promise<NoEarlierRun>(resolve => {
    const end = (): void =>
      resolve({
        kind: 'lookup-failed',
        reason: cancel.aborted
          ? 'lookup failed: cancelled'
          : `lookup failed: gave up after ${Number((timeoutMs / 1000).toFixed(1))} s`
      })
    if (signal.aborted) end()
    else {
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: a signal aborts once
      signal.addEventListener('abort', end, { once: true })
    }
  })
  const work = new Search(search, config, signal).run()
  // What the search still finds after the answer went out is not used: remove it.
  work.then(
    found => void (ended && 'dispose' in found && found.dispose()),
    () => {}
  )
  try {
    return await Promise.race([work, gaveUp]).catch((error: unknown): NoEarlierRun => ({
      kind: 'lookup-failed',
      reason: `lookup failed: ${describeError(error, config.clari.apiKey, 200)}`
    }))
  } finally {
    ended = true
    clearTimeout(timer)
  }
}

/** A usable earlier artifact, with its upload time to choose between equal attempts. */
interface Found {
  earlier: EarlierRun
  attempt: number
  createdAt: number
}

/** Why one artifact is not usable; `final` when asking the other place would not change it. */
interface Verdict extends NoEarlierRun {
  createdAt: number
  final: boolean
}

class Search {
  private readonly names: string[]
  /** The latest verdict on each artifact: another place's answer replaces an earlier one. */
  private readonly verdicts = new Map<number, Verdict>()
  /** What each place said when it offered nothing usable. */
  private readonly trail: string[] = []
  /** Artifacts whose verdict the other place would not change. */
  private readonly judged = new Set<number>()
  /** A listing failed: "none found" would then be a guess. */
  private listingFailed = false

  constructor(
    private readonly search: ArtifactSearch,
    private readonly config: ExportConfig,
    private readonly signal: AbortSignal
  ) {
    this.names = candidateNames(search.artifactNames, search.runAttempt)
  }

  async run(): Promise<EarlierRun | NoEarlierRun> {
    if (this.names.length === 0) {
      return { kind: 'missing', reason: 'missing: this run has no earlier attempt' }
    }
    for (const source of this.search.sources) {
      if (this.signal.aborted) break
      if (typeof source === 'string') {
        this.trail.push(source)
        continue
      }
      const found = await this.searchWith(source)
      if (found) return found.earlier
    }
    return this.nothing()
  }

  private async searchWith(source: EarlierArtifacts): Promise<Found | undefined> {
    const listed = new Map<number, ListedArtifact>()
    try {
      for (const name of this.names) {
        for (const artifact of await source.list(name, this.signal)) {
          if (artifact.name === name) listed.set(artifact.id, artifact)
        }
      }
    } catch (error) {
      this.listingFailed = true
      this.trail.push(`${source.label} failed: ${this.describe(error)}`)
      return undefined
    }
    const ours = [...listed.values()].filter(a => !this.judged.has(a.id))
    for (const artifact of ours.filter(a => a.expired)) {
      this.judge(artifact, verdictOn(artifact, 'expired', 'it has expired'))
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
        // Whatever broke (a full disk, a temporary folder that cannot be made, the lookup's
        // end), the artifact is passed over and a usable one found already is kept.
        (error: unknown): Verdict => verdictOn(artifact, 'unreadable', this.describe(error), false)
      )
      if ('reason' in examined) {
        this.judge(artifact, examined)
        continue
      }
      this.judged.add(artifact.id)
      this.verdicts.delete(artifact.id)
      // Ids are not ordered by attempt: the manifest's attempt decides, then the upload time.
      const newer =
        !best ||
        examined.attempt > best.attempt ||
        (examined.attempt === best.attempt && examined.createdAt > best.createdAt)
      const dropped = newer ? best : examined
      if (newer) best = examined
      if (dropped) await dropped.earlier.dispose()
      if (best!.attempt === this.search.runAttempt - 1) break
    }
    if (best && this.signal.aborted) {
      await best.earlier.dispose()
      return undefined
    }
    return best
  }

  private judge(artifact: ListedArtifact, verdict: Verdict): void {
    this.verdicts.set(artifact.id, verdict)
    if (verdict.final) this.judged.add(artifact.id)
  }

  /** Downloads one candidate, reads its manifest, and unpacks the payloads it names. */
  private async examine(
    artifact: ListedArtifact,
    source: EarlierArtifacts
  ): Promise<Found | Verdict> {
    const { config, signal } = this
    const dir = await mkdtemp(path.join(this.search.tempDir, 'clari-earlier-'))
    const dispose = (): Promise<void> => rm(dir, { recursive: true, force: true }).catch(() => {})
    let kept = false
    try {
      const zipPath = path.join(dir, 'artifact.zip')
      const maxZipBytes = (1 + config.periods.length * ENTRIES_PER_PERIOD) * config.maxPayloadBytes
      let digest: string
      try {
        digest = await saveZip(
          await source.download(artifact, signal),
          zipPath,
          maxZipBytes,
          signal
        )
      } catch (error) {
        if (error instanceof UnreadableZipError) {
          return verdictOn(artifact, 'unreadable', error.message)
        }
        // The other place may still get it (the runtime download has broken before).
        const why = `the download failed (${this.describe(error)})`
        return verdictOn(artifact, 'unreadable', why, false)
      }
      if (artifact.digest !== undefined && digest !== artifact.digest) {
        return verdictOn(artifact, 'unreadable', 'the download does not match its digest')
      }
      const bounds = { maxEntries: MAX_ZIP_ENTRIES, signal }
      let bytes: Buffer | undefined
      try {
        bytes = await readZipEntry(zipPath, MANIFEST_FILE, MAX_MANIFEST_BYTES, bounds)
      } catch (error) {
        if (!(error instanceof UnreadableZipError)) throw error
        return verdictOn(artifact, 'unreadable', `not a readable zip (${error.message})`)
      }
      if (!bytes) return verdictOn(artifact, 'unreadable', `it holds no ${MANIFEST_FILE}`)
      const manifest = readEarlierManifest(bytes, {
        forecastId: config.forecastId,
        attemptBefore: this.search.runAttempt,
        apiKey: config.clari.apiKey
      })
      if ('problem' in manifest) return verdictOn(artifact, manifest.kind, manifest.problem)

      // Only what the manifest names for this run's periods, each held to max-payload-size.
      const wanted = new Map<string, number>()
      for (const entry of manifest.exports) {
        if (entry.status === 'DONE' && entry.file && config.periods.includes(entry.period)) {
          wanted.set(entry.file, config.maxPayloadBytes)
        }
      }
      const payloads = path.join(dir, 'payloads')
      await mkdir(payloads)
      let leftOut: Map<string, string>
      try {
        leftOut = await extractEntries(zipPath, payloads, wanted, {
          ...bounds,
          maxTotalBytes: config.maxPayloadBytes * config.periods.length
        })
      } catch (error) {
        if (!(error instanceof UnreadableZipError)) throw error
        return verdictOn(artifact, 'unreadable', `not a readable zip (${error.message})`)
      }
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: the zip was saved just above, so rm finds it, forced or not
      await rm(zipPath, { force: true })
      kept = true
      return {
        earlier: {
          manifest,
          dir: payloads,
          leftOut,
          source: `artifact ${artifact.name} of attempt ${manifest.runAttempt}`,
          dispose
        },
        attempt: manifest.runAttempt,
        createdAt: artifact.createdAt
      }
    } finally {
      // Only a usable artifact keeps its folder, and only while the lookup lasts.
      if (!kept || signal.aborted) await dispose()
    }
  }

  /** The newest unusable candidate's reason, or what the listings said. */
  private nothing(): NoEarlierRun {
    const [newest, ...others] = [...this.verdicts.values()].sort(
      (a, b) => b.createdAt - a.createdAt
    )
    if (newest) {
      const more = others.length > 0 ? ` (and ${others.length} older one(s) not usable)` : ''
      return { kind: newest.kind, reason: newest.reason + more }
    }
    if (this.listingFailed) {
      return { kind: 'lookup-failed', reason: `lookup failed: ${this.trail.join('; ')}` }
    }
    const shown = firstOf(this.names, NAMES_SHOWN)
    return {
      kind: 'missing',
      reason: `missing: no artifact named ${shown} on this run (${this.trail.join('; ')})`
    }
  }

  private describe(error: unknown): string {
    return describeError(error, this.config.clari.apiKey, 200)
  }
}

function verdictOn(
  artifact: ListedArtifact,
  kind: NoEarlierRunKind,
  why: string,
  final = true
): Verdict {
  const prefix = kind === 'not-ours' ? "not this action's" : kind.replace('-', ' ')
  return {
    kind,
    reason: `${prefix}: artifact ${artifact.name} (id ${artifact.id}): ${why}`,
    createdAt: artifact.createdAt,
    final
  }
}

/**
 * Saves a download to `file`, created exclusively, refusing it beyond `maxBytes`; returns the
 * digest of what arrived, in GitHub's form (`sha256:<hex>`).
 */
async function saveZip(
  body: Readable,
  file: string,
  maxBytes: number,
  signal: AbortSignal
): Promise<string> {
  const hash = createHash('sha256')
  let bytes = 0
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      if (bytes > maxBytes) {
        const limit = formatBytes(maxBytes)
        return done(
          new UnreadableZipError(
            `the download is larger than ${limit}, more than its payloads and tables can be`
          )
        )
      }
      hash.update(chunk)
      done(null, chunk)
    }
  })
  await pipeInto([body, tap], createWriteStream(file, { flags: 'wx' }), signal)
  return `sha256:${hash.digest('hex')}`
}
