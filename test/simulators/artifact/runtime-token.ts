/** The two backend ids a runtime token's `Actions.Results:<runId>:<jobId>` scope carries. */
export interface BackendIds {
  runId: string
  jobId: string
}

/** Who a request comes from, as its runtime token says. */
export type RuntimeCaller = BackendIds

/**
 * An unsigned JWT: the toolkit decodes it without verifying, and only needs the
 * `Actions.Results:<runId>:<jobId>` scope to learn which run it uploads to.
 */
export function runtimeToken(runId: string, jobId: string): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  const header = encode({ alg: 'none', typ: 'JWT' })
  const payload = encode({ scp: `Actions.Results:${runId}:${jobId}` })
  return `${header}.${payload}.unsigned`
}

/** The tokens GitHub issued, standing in for its signature check: the services accept only these. */
export class RuntimeTokens {
  private readonly callers = new Map<string, RuntimeCaller>()

  /** Accepts `token` as the runtime token of the job `ids`. */
  authorize(token: string, ids: BackendIds): void {
    this.callers.set(token, { ...ids })
  }

  /** The caller an `Authorization: Bearer …` header speaks for, if the token is one of ours. */
  caller(authorization: string | undefined): RuntimeCaller | undefined {
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1]
    return bearer === undefined ? undefined : this.callers.get(bearer)
  }
}
