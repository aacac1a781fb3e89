/** The two backend ids a runtime token's `Actions.Results:<runId>:<jobId>` scope carries. */
export interface BackendIds {
  runId: string
  jobId: string
}

/** Bits of a cache scope's `Permission`, as the runtime token's `ac` claim writes them. */
export const CACHE_READ = 1
export const CACHE_WRITE = 2

/**
 * One entry of the runtime token's `ac` claim: a git ref whose caches the job may read
 * (`Permission` 1), write (2) or both (3). The job's own ref comes first and is the one it
 * writes to; the default branch follows, read-only, when the job runs on another ref (the
 * claim as tonistiigi/go-actions-cache reads it; `CacheScope` in `@actions/cache`'s generated
 * code has the same two fields).
 */
export interface CacheScope {
  scope: string
  permission: number
}

/** Who a request comes from, as its runtime token says. */
export interface RuntimeCaller extends BackendIds {
  cacheScopes: readonly CacheScope[]
}

/**
 * An unsigned JWT: the toolkit decodes it without verifying, and only needs the
 * `Actions.Results:<runId>:<jobId>` scope to learn which run it uploads to. The `ac` claim (a
 * JSON string, as GitHub writes it) lists the cache scopes the cache service reads.
 */
export function runtimeToken(
  runId: string,
  jobId: string,
  cacheScopes: readonly CacheScope[] = []
): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const header = encode({ alg: 'none', typ: 'JWT' })
  const ac = JSON.stringify(cacheScopes.map(s => ({ Scope: s.scope, Permission: s.permission })))
  const payload = encode({ scp: `Actions.Results:${runId}:${jobId}`, ac })
  return `${header}.${payload}.unsigned`
}

/**
 * The tokens GitHub issued, standing in for its signature check: the services accept only
 * these, and read the cache scopes from the token's own `ac` claim as the real ones do.
 */
export class RuntimeTokens {
  private readonly callers = new Map<string, RuntimeCaller>()

  /** Accepts `token` as the runtime token of the job `ids`. */
  authorize(token: string, ids: BackendIds): void {
    this.callers.set(token, { ...ids, cacheScopes: cacheScopesOf(token) })
  }

  /** The caller an `Authorization: Bearer …` header speaks for, if the token is one of ours. */
  caller(authorization: string | undefined): RuntimeCaller | undefined {
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1]
    return bearer === undefined ? undefined : this.callers.get(bearer)
  }
}

function cacheScopesOf(token: string): CacheScope[] {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())
    const entries: unknown = JSON.parse((payload as { ac?: string }).ac ?? '[]')
    if (!Array.isArray(entries)) return []
    return entries.flatMap((entry: { Scope?: unknown; Permission?: unknown }) =>
      typeof entry.Scope === 'string' && typeof entry.Permission === 'number'
        ? [{ scope: entry.Scope, permission: entry.Permission }]
        : []
    )
  } catch {
    // A token without a readable `ac` claim grants no cache scope.
    return []
  }
}
