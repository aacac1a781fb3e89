import { CacheRefusal, type CacheStore } from './cache-store.js'
import type { RuntimeCaller } from './runtime-token.js'
import {
  requiredInt64,
  requiredString,
  stringList,
  TwirpError,
  type JsonObject,
  type RecordedCall,
  type TwirpService
} from './twirp.js'

export const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService'

/**
 * The cache service v2 as `@actions/cache` 6 calls it on github.com: Twirp
 * `github.actions.results.api.v1.CacheService` on the results service's origin. Its messages are
 * GitHub's: a refused write is `ok: false` with a `cache write denied:` message (HTTP 200), a
 * refused read a 403 `cache read denied:`, a taken key a 409.
 */
export function cacheTwirpService(
  store: CacheStore,
  /** Called before each method; throws to make the call fail (the service's faults). */
  before: (method: string) => void
): TwirpService<RuntimeCaller> {
  const methods: TwirpService<RuntimeCaller>['methods'] = {
    async CreateCacheEntry(body, caller) {
      const entry = store.reserve(
        caller,
        requiredString(body, 'key'),
        requiredString(body, 'version')
      )
      return { ok: true, signed_upload_url: store.container.signedUrl(entry.blobPath, 'cw') }
    },

    async FinalizeCacheEntryUpload(body, caller) {
      const entry = store.pending(
        caller,
        requiredString(body, 'key'),
        requiredString(body, 'version')
      )
      store.finalize(entry, requiredInt64(body, 'size_bytes'))
      return { ok: true, entry_id: entry.id }
    },

    async GetCacheEntryDownloadURL(body, caller) {
      const keys = [requiredString(body, 'key'), ...stringList(body, 'restore_keys')]
      const entry = store.match(caller, keys, requiredString(body, 'version'))
      // A miss is `ok: false`, which proto3 JSON leaves out: an empty object.
      if (!entry) return {}
      return {
        ok: true,
        signed_download_url: store.container.signedUrl(entry.blobPath, 'r'),
        matched_key: entry.key
      }
    }
  }
  const calls: RecordedCall[] = []
  return {
    name: CACHE_SERVICE,
    calls,
    methods: Object.fromEntries(
      Object.entries(methods).map(([method, handler]) => [
        method,
        async (body: JsonObject, caller: RuntimeCaller) => {
          before(method)
          try {
            return await handler(body, caller)
          } catch (error) {
            if (!(error instanceof CacheRefusal)) throw error
            if (error.kind === 'write-denied') return { ok: false, message: error.message }
            throw twirpRefusal(error)
          }
        }
      ])
    )
  }
}

function twirpRefusal(refusal: CacheRefusal): TwirpError {
  switch (refusal.kind) {
    case 'exists':
      return new TwirpError(409, 'already_exists', refusal.message)
    case 'read-denied':
      return new TwirpError(403, 'permission_denied', refusal.message)
    case 'not-found':
      return new TwirpError(404, 'not_found', refusal.message)
    default:
      return new TwirpError(400, 'invalid_argument', refusal.message)
  }
}
