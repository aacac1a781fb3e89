import type { BlobContainer, BlobStore } from './blob-store.js'
import { CacheStore, type CacheEntry } from './cache-store.js'
import { startCacheV1Server, type CacheV1Call } from './cache-v1.js'
import { cacheTwirpService } from './cache-v2.js'
import type { RuntimeCaller, RuntimeTokens } from './runtime-token.js'
import { TwirpError, type RecordedCall, type TwirpService } from './twirp.js'

const CONTAINER_NAME = 'actions-cache'

/**
 * A cache service that refuses every call, read at each request: `not-found` answers 404, as a
 * host that does not serve it (a results service without the CacheService, a GHES without the
 * cache); `unavailable` answers 503, which the toolkit retries (v2: 5 attempts from 3 s apart,
 * about 25 s; v1: 2 attempts 5 s apart) before it gives up.
 */
export type CacheFault = 'not-found' | 'unavailable'

export interface CacheService {
  /** The Twirp CacheService (v2); mount it on the results service's origin, as GitHub does. */
  twirp: TwirpService<RuntimeCaller>
  /** The v2 calls (method and body), in arrival order. */
  calls: RecordedCall[]
  /** ACTIONS_CACHE_URL of the v1 API (GHES), with the runner's trailing `/`. */
  v1Url: string
  /** The v1 requests, in arrival order. */
  v1Calls: CacheV1Call[]
  /** Every reservation, finished or not, in order. */
  entries: CacheEntry[]
  /** Where the archives are. */
  container: BlobContainer
  /** Read at each request, so a test may switch it. */
  fault?: CacheFault
  close(): Promise<void>
}

/**
 * Fake of the GitHub Actions cache service, in both protocols `@actions/cache` 6 speaks (v2 on
 * github.com, v1 on GHES), over one store of entries with GitHub's rules (`cache-store.ts`) and
 * the archives in the blob store. Which protocol a client uses is the environment's choice
 * (`ACTIONS_CACHE_SERVICE_V2`, `ACTIONS_RESULTS_URL`, `ACTIONS_CACHE_URL`, `GITHUB_SERVER_URL`).
 */
export async function startCacheService(opts: {
  blobs: BlobStore
  tokens: RuntimeTokens
  /** The service's clock for entry creation times (restores take the newest first). */
  now?: () => number
}): Promise<CacheService> {
  const container = opts.blobs.container(CONTAINER_NAME)
  const store = new CacheStore(container, opts.now ?? Date.now)
  const twirp = cacheTwirpService(store, method => {
    if (service.fault === 'not-found') {
      throw new TwirpError(404, 'bad_route', `no handler for POST ${twirp.name}/${method}`)
    }
    if (service.fault === 'unavailable') {
      throw new TwirpError(503, 'unavailable', 'the cache service is unavailable')
    }
  })
  const v1 = await startCacheV1Server({
    store,
    tokens: opts.tokens,
    fault: () =>
      service.fault === 'not-found'
        ? { status: 404, message: 'Not Found' }
        : service.fault === 'unavailable'
          ? { status: 503, message: 'the cache service is unavailable' }
          : undefined
  })
  const service: CacheService = {
    twirp,
    calls: twirp.calls,
    v1Url: v1.url,
    v1Calls: v1.calls,
    entries: store.entries,
    container,
    close: () => v1.close()
  }
  return service
}
