import { createHmac } from 'node:crypto'
import { BlobError } from './blob-errors.js'

/** The service version our SAS URLs name; a SAS request runs at `sv`, never at `x-ms-version`. */
export const SAS_VERSION = '2026-04-06'

/**
 * What a signed URL allows, in Azure's letters: read; create a blob that does not exist yet;
 * write (create or replace). The results service signs `cw` for an upload and `r` for a download.
 */
export type SasPermission = 'r' | 'c' | 'cw'

/** The operations the store implements, by the permission each needs. */
export type BlobAccess = 'read' | 'write'

export interface SignedBlob {
  account: string
  container: string
  blob: string
}

// A service SAS (sv 2020-12-06 and later) signs these query parameters, in this order, with the
// canonical resource after `se` (the same string @azure/storage-blob's generator builds).
const SIGNED_BEFORE_RESOURCE = ['sp', 'st', 'se'] as const
const SIGNED_AFTER_RESOURCE = [
  'si',
  'sip',
  'spr',
  'sv',
  'sr',
  'snapshot',
  'ses',
  'rscc',
  'rscd',
  'rsce',
  'rscl',
  'rsct'
] as const

/** A blob SAS query string, signed with the account key the way Azure signs a service SAS. */
export function signBlobSas(
  key: Buffer,
  target: SignedBlob,
  permissions: SasPermission,
  window: { startsOn: number; expiresOn: number }
): string {
  const query = new URLSearchParams({
    sv: SAS_VERSION,
    spr: 'https,http',
    st: sasTime(window.startsOn),
    se: sasTime(window.expiresOn),
    sr: 'b',
    sp: permissions
  })
  query.set('sig', signature(key, target, query))
  return query.toString()
}

/**
 * Checks a request's SAS as Azure does: mandatory fields, the signature over every signed
 * field present, the time window, the protocol (this store speaks http), then the permission.
 * `blobExists` matters for `write`: `c` alone may create a blob but never replace one.
 */
export function checkBlobSas(
  key: Buffer,
  target: SignedBlob,
  query: URLSearchParams,
  access: BlobAccess,
  blobExists: boolean,
  now: number
): void {
  // No signature at all is an anonymous request, and the container is private: Azure answers
  // as if nothing were there.
  if (!query.has('sig')) throw new BlobError('ResourceNotFound')
  for (const field of ['sv', 'sp', 'se', 'sr'] as const) {
    if (!query.get(field)) authenticationFailed(`${field} is mandatory. Cannot be empty`)
  }
  const expected = signature(key, target, query)
  if (query.get('sig') !== expected) {
    authenticationFailed(
      `Signature did not match. String to sign used was ${stringToSign(target, query)}`
    )
  }
  if (query.get('sr') !== 'b') authenticationFailed('this store accepts blob SAS (sr=b) only')
  const start = query.get('st')
  const expiry = query.get('se')!
  const startsOn = start ? Date.parse(start) : -Infinity
  const expiresOn = Date.parse(expiry)
  if (Number.isNaN(startsOn) || Number.isNaN(expiresOn) || now < startsOn || now > expiresOn) {
    authenticationFailed(
      `Signature not valid in the specified time frame: Start [${start ?? ''}] - Expiry [${expiry}] - Current [${new Date(now).toUTCString()}]`
    )
  }
  const protocols = query.get('spr')
  if (protocols && !protocols.split(',').includes('http')) {
    throw new BlobError('AuthorizationProtocolMismatch')
  }
  const granted = query.get('sp')!
  const allowed =
    access === 'read'
      ? granted.includes('r')
      : granted.includes('w') || (granted.includes('c') && !blobExists)
  if (!allowed) throw new BlobError('AuthorizationPermissionMismatch')
}

function signature(key: Buffer, target: SignedBlob, query: URLSearchParams): string {
  return createHmac('sha256', key).update(stringToSign(target, query), 'utf8').digest('base64')
}

function stringToSign(target: SignedBlob, query: URLSearchParams): string {
  const field = (name: string): string => query.get(name) ?? ''
  const resource = `/blob/${target.account}/${target.container}/${target.blob}`
  return [...SIGNED_BEFORE_RESOURCE.map(field), resource, ...SIGNED_AFTER_RESOURCE.map(field)].join(
    '\n'
  )
}

function authenticationFailed(detail: string): never {
  throw new BlobError('AuthenticationFailed', detail)
}

/** ISO 8601 to the second, as Azure writes `st` and `se`. */
function sasTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}
