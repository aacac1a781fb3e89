import type { IncomingMessage, ServerResponse } from 'node:http'

/**
 * What GitHub's results service (ACTIONS_RESULTS_URL) serves, as Twirp JSON: every call is
 * `POST /twirp/<service>/<method>` with a JSON object, answered with a JSON object in proto3
 * JSON (snake_case fields, int64 as decimal strings, defaults left out) or a `{code, msg}` error.
 */
export type JsonObject = Record<string, unknown>

export interface RecordedCall {
  method: string
  body: unknown
}

/** One Twirp service: its full name (`github.actions.results.api.v1.ArtifactService`) and methods. */
export interface TwirpService<Caller> {
  name: string
  methods: Record<string, (body: JsonObject, caller: Caller) => Promise<JsonObject>>
  /** Each call's method and body, in arrival order. */
  calls: RecordedCall[]
}

/** A Twirp error; the toolkit's clients read only `msg`, and retry anything that is not JSON. */
export class TwirpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    msg: string
  ) {
    super(msg)
  }
}

export interface Reply {
  status: number
  body: JsonObject
}

/** The service and method a request names, or undefined when it is no Twirp route. */
export function twirpRoute(
  url: string | undefined
): { service: string; method: string } | undefined {
  const match = /^\/twirp\/([^/?]+)\/([^/?]+)$/.exec(url ?? '')
  return match ? { service: match[1]!, method: match[2]! } : undefined
}

export function errorReply(error: unknown): Reply {
  if (error instanceof TwirpError) {
    return { status: error.status, body: { code: error.code, msg: error.message } }
  }
  // A simulator fault (e.g. the blob store is down); the clients retry 5xx for ~30 s.
  return { status: 500, body: { code: 'internal', msg: String(error) } }
}

export function sendJson(res: ServerResponse, reply: Reply): void {
  const payload = JSON.stringify(reply.body)
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload)
  })
  res.end(payload)
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export async function readJsonObject(req: IncomingMessage): Promise<JsonObject> {
  let parsed: unknown
  try {
    parsed = JSON.parse((await readBody(req)).toString('utf8'))
  } catch {
    throw new TwirpError(400, 'malformed', 'request body is not JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TwirpError(400, 'malformed', 'request body is not a JSON object')
  }
  return parsed as JsonObject
}

/** Reads a string field; protobuf wrappers (StringValue, Int64Value) may arrive as `{value}`. */
export function optionalString(body: JsonObject, field: string): string | undefined {
  const raw = body[field]
  const value =
    typeof raw === 'object' && raw !== null && 'value' in raw
      ? (raw as { value: unknown }).value
      : raw
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number') return String(value)
  throw new TwirpError(400, 'invalid_argument', `${field} must be a string`)
}

export function requiredString(body: JsonObject, field: string): string {
  const value = optionalString(body, field)
  if (!value) throw new TwirpError(400, 'invalid_argument', `${field} is required`)
  return value
}

/** int64 travels as a decimal string in proto3 JSON (a parser also takes a JSON number). */
export function requiredInt64(body: JsonObject, field: string): number {
  const value = requiredString(body, field)
  if (!/^\d+$/.test(value)) {
    throw new TwirpError(400, 'invalid_argument', `${field} must be a decimal integer`)
  }
  return Number(value)
}

/** A repeated string field: absent reads as empty, as proto3 leaves defaults out. */
export function stringList(body: JsonObject, field: string): string[] {
  const value = body[field]
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every(item => typeof item === 'string')) {
    throw new TwirpError(400, 'invalid_argument', `${field} must be a list of strings`)
  }
  return value as string[]
}
