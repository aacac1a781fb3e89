/**
 * Azure Blob Storage error codes the store answers with: status, Azure's own message, and the
 * element that carries the detail (the failed check, the header or query parameter at fault).
 */
const CODES = {
  AuthenticationFailed: [
    403,
    'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
    'AuthenticationErrorDetail'
  ],
  AuthorizationPermissionMismatch: [
    403,
    'This request is not authorized to perform this operation using this permission.'
  ],
  AuthorizationProtocolMismatch: [
    403,
    'This request is not authorized to perform this operation using this protocol.'
  ],
  BlobNotFound: [404, 'The specified blob does not exist.'],
  ResourceNotFound: [404, 'The specified resource does not exist.'],
  InvalidBlobOrBlock: [400, 'The specified blob or block content is invalid.'],
  InvalidBlockList: [400, 'The specified block list is invalid.'],
  InvalidQueryParameterValue: [
    400,
    'Value for one of the query parameters specified in the request URI is invalid.',
    'QueryParameterName'
  ],
  MissingRequiredQueryParameter: [
    400,
    'A query parameter that is mandatory for this request is not specified.',
    'QueryParameterName'
  ],
  InvalidXmlDocument: [400, 'XML specified is not syntactically valid.'],
  InvalidUri: [400, 'The requested URI does not represent any resource on the server.'],
  MissingRequiredHeader: [
    400,
    'An HTTP header that is mandatory for this request is not specified.',
    'HeaderName'
  ],
  MissingContentLengthHeader: [411, 'The Content-Length header was not specified.'],
  UnsupportedHeader: [
    400,
    'One of the HTTP headers specified in the request is not supported.',
    'HeaderName'
  ],
  UnsupportedQueryParameter: [
    400,
    'One of the query parameters specified in the request URI is not supported.',
    'QueryParameterName'
  ],
  UnsupportedHttpVerb: [405, 'The resource does not support the specified HTTP verb.'],
  // A fault of this simulator, never a verdict on the request.
  InternalError: [500, 'The server encountered an internal error. Please retry the request.']
} as const satisfies Record<string, readonly [number, string, string?]>

export type BlobErrorCode = keyof typeof CODES

/** A refusal in Azure's shape: the status, `x-ms-error-code` and an XML `<Error>` body. */
export class BlobError extends Error {
  readonly status: number

  constructor(
    readonly code: BlobErrorCode,
    /** Which check failed, or the header or query parameter at fault. */
    readonly detail?: string
  ) {
    super(CODES[code][1])
    this.status = CODES[code][0]
  }

  /** The XML body Azure sends (HEAD replies carry only the header). */
  toXml(requestId: string, now: number): string {
    const [, , element = 'Detail'] = CODES[this.code] as readonly [number, string, string?]
    const detail =
      this.detail === undefined ? '' : `<${element}>${escapeXml(this.detail)}</${element}>`
    return (
      '<?xml version="1.0" encoding="utf-8"?>' +
      `<Error><Code>${this.code}</Code><Message>${escapeXml(this.message)}\n` +
      `RequestId:${requestId}\nTime:${new Date(now).toISOString()}</Message>${detail}</Error>`
    )
  }
}

function escapeXml(text: string): string {
  return text.replace(/[<>&]/g, c => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&amp;'))
}
