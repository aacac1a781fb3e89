import type { BlobContainer } from './blob-store.js'
import { CACHE_READ, CACHE_WRITE, type RuntimeCaller } from './runtime-token.js'

const MAX_KEY_LENGTH = 512
const MAX_KEYS = 10
// Entry ids are int64 on the wire; real ones are large, so a client that parses them as small
// numbers would show it.
const FIRST_ENTRY_ID = 4_100_000_000

export interface CacheEntry {
  /** int64, as the decimal string the v2 API sends. */
  id: string
  key: string
  /** What the client hashed from the paths and the compression method; must match to restore. */
  version: string
  /** The ref it was written to: the caller's writable scope. */
  scope: string
  /** The attempt and job that saved it. */
  runId: string
  jobId: string
  /** When it was reserved, on the service's clock (restores take the newest first). */
  createdAt: number
  /** Bytes, once finalized. */
  size?: number
  blobPath: string
  finalized: boolean
}

/** Why the service refused, in words both protocols turn into their own answer. */
export type CacheRefusalKind =
  'invalid' | 'write-denied' | 'read-denied' | 'exists' | 'not-found' | 'incomplete'

export class CacheRefusal extends Error {
  constructor(
    readonly kind: CacheRefusalKind,
    message: string
  ) {
    super(message)
  }
}

/**
 * The Actions cache's rules, shared by the v2 (Twirp) and v1 (GHES REST) protocols:
 * - an entry is written to the caller's writable scope (its own ref) and is immutable: a
 *   second reservation of the same key, version and scope is refused, finished or not;
 * - a lookup reads the caller's readable scopes in order (its own ref, then the default
 *   branch), and in each tries every key in order: an exact match, else the newest entry whose
 *   key starts with it; only entries of the same version count;
 * - the service's messages for a token that may not read or write are the ones the toolkit
 *   matches on (`cache read denied:`, `cache write denied:`).
 * Sources: GitHub's "Dependency caching reference" (cache key matching, access restrictions), the
 * 409 message users quote (actions/cache#1541), the denial messages in `@actions/cache` 6.3's
 * `cache.ts` and Mic92/hestia#84, the scope model of tonistiigi/go-actions-cache.
 */
export class CacheStore {
  readonly entries: CacheEntry[] = []
  private lastId = FIRST_ENTRY_ID

  constructor(
    readonly container: BlobContainer,
    private readonly now: () => number
  ) {}

  reserve(caller: RuntimeCaller, key: string, version: string): CacheEntry {
    checkKeys([key])
    if (!version) throw new CacheRefusal('invalid', 'version is required')
    const scope = writableScope(caller)
    const taken = this.entries.some(
      e => e.key === key && e.version === version && e.scope === scope
    )
    if (taken) {
      throw new CacheRefusal(
        'exists',
        'cache entry with the same key, version, and scope already exists'
      )
    }
    const id = String(++this.lastId)
    const entry: CacheEntry = {
      id,
      key,
      version,
      scope,
      runId: caller.runId,
      jobId: caller.jobId,
      createdAt: this.now(),
      blobPath: `caches/${id}/cache`,
      finalized: false
    }
    this.entries.push(entry)
    return entry
  }

  /** The caller's unfinished reservation of `key` and `version`. */
  pending(caller: RuntimeCaller, key: string, version: string): CacheEntry {
    const scope = writableScope(caller)
    const entry = this.entries.find(
      e => !e.finalized && e.key === key && e.version === version && e.scope === scope
    )
    if (!entry) throw new CacheRefusal('not-found', 'cache entry not found')
    return entry
  }

  /** Marks `entry` done once its blob holds exactly `size` bytes. */
  finalize(entry: CacheEntry, size: number): void {
    const blob = this.container.blob(entry.blobPath)
    if (!blob) throw new CacheRefusal('incomplete', 'the cache archive was not uploaded')
    if (blob.data.length !== size) {
      throw new CacheRefusal(
        'incomplete',
        `size ${size} does not match the ${blob.data.length} bytes uploaded`
      )
    }
    entry.size = size
    entry.finalized = true
  }

  /** The entry a restore of `keys` (primary key first, then restore keys) gets, if any. */
  match(caller: RuntimeCaller, keys: readonly string[], version: string): CacheEntry | undefined {
    checkKeys(keys)
    if (!version) throw new CacheRefusal('invalid', 'version is required')
    const scopes = caller.cacheScopes.filter(s => s.permission & CACHE_READ).map(s => s.scope)
    if (scopes.length === 0) {
      throw new CacheRefusal('read-denied', 'cache read denied: token has no readable scopes')
    }
    for (const scope of scopes) {
      const inScope = this.entries
        .filter(e => e.finalized && e.scope === scope && e.version === version)
        .reverse()
      for (const key of keys) {
        const found = inScope.find(e => e.key === key) ?? newest(inScope, key)
        if (found) return found
      }
    }
    return undefined
  }

  /** Finished entries of exactly `key` in the caller's readable scopes, any version. */
  listed(caller: RuntimeCaller, key: string): CacheEntry[] {
    const scopes = new Set(
      caller.cacheScopes.filter(s => s.permission & CACHE_READ).map(s => s.scope)
    )
    return this.entries.filter(e => e.finalized && e.key === key && scopes.has(e.scope))
  }
}

/** The newest of `entries` (newest first already) whose key starts with `prefix`. */
function newest(entries: readonly CacheEntry[], prefix: string): CacheEntry | undefined {
  let best: CacheEntry | undefined
  for (const entry of entries) {
    if (entry.key.startsWith(prefix) && (!best || entry.createdAt > best.createdAt)) best = entry
  }
  return best
}

function writableScope(caller: RuntimeCaller): string {
  const scope = caller.cacheScopes.find(s => s.permission & CACHE_WRITE)?.scope
  if (scope === undefined) {
    throw new CacheRefusal('write-denied', 'cache write denied: token has no writable scopes')
  }
  return scope
}

function checkKeys(keys: readonly string[]): void {
  if (keys.length > MAX_KEYS) {
    throw new CacheRefusal('invalid', `at most ${MAX_KEYS} keys, got ${keys.length}`)
  }
  for (const key of keys) {
    if (!key) throw new CacheRefusal('invalid', 'key is required')
    if (key.length > MAX_KEY_LENGTH) {
      throw new CacheRefusal('invalid', `key is longer than ${MAX_KEY_LENGTH} characters`)
    }
  }
}
