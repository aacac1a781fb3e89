import { createHash } from 'node:crypto'
import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { threadId } from 'node:worker_threads'
import { OpenAPIBackend, type Document } from 'openapi-backend'
import { parse } from 'yaml'

/**
 * Clari's own OpenAPI document ("Clari API Reference" 5.0.0), the simulator's contract for every
 * request it receives. clari-revenue-api-openapi.yml beside this file is a verbatim copy of
 * /work/shared/reference/clari-revenue-api-openapi.yml, itself a verbatim public copy of
 * api-evangelist/clari → openapi/_original/clari-revenue-api-openapi.yml, the document
 * developer.clari.com renders (sha256 2b02c629…c4bb82c4e).
 *
 * Validated with openapi-backend (Ajv underneath; maintained, framework-agnostic, loads offline).
 * oas3-chow-chow was tried too: it cannot resolve the document's JSON-pointer $refs into other
 * operations' responses (e.g. #/paths/~1export~1activity/post/responses/400/…/oneOf/1).
 */
const DOCUMENT = new URL('./clari-revenue-api-openapi.yml', import.meta.url)
const BASE_PATH = '/v4'

/** The export API's operations (and what the action sends); the rest of the document is left as is. */
const EXPORT_OPERATIONS = [
  ['/export/forecast/{forecastId}', 'post'],
  ['/export/jobs/{jobId}', 'patch']
] as const

export interface SpecRequest {
  method: string
  /** Path and query as received, e.g. /v4/export/jobs/123 */
  path: string
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown
}

export interface ClariSpec {
  /**
   * What is wrong with a request the document describes; undefined when it conforms or the
   * document has no such operation (the simulator's routing answers those).
   */
  problems(request: SpecRequest): string | undefined
}

/** The document, prepared and compiled once per process (every simulator shares it). */
export function loadClariSpec(): Promise<ClariSpec> {
  return compiled
}

/** Clari's document with the work-arounds below, read anew. */
async function preparedDocument(): Promise<Document> {
  return prepare(await parsedDocument())
}

const YAML_VERSION = (createRequire(import.meta.url)('yaml/package.json') as { version: string })
  .version

/**
 * The YAML document parsed. Parsing it costs a third of a CPU second in each test worker that
 * loads it (two unit threads, up to eight process-test forks, each Stryker run); the parse is
 * kept as JSON in the temp folder, named by the digest of the text and the parser's version,
 * and the next process reads that instead (a hundredth of the CPU). Kept only when JSON
 * carries it exactly, so the document is the same whichever way it was read.
 */
async function parsedDocument(): Promise<Json> {
  const text = await readFile(DOCUMENT, 'utf8')
  const digest = createHash('sha256').update(`yaml ${YAML_VERSION}\n${text}`).digest('hex')
  const file = path.join(os.tmpdir(), `clari-openapi-${os.userInfo().uid}-${digest}.json`)
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Json
  } catch {
    // Not kept yet (or unreadable): parsed below, and kept for the next process.
  }
  const document = parse(text) as Json
  const json = JSON.stringify(document)
  if (isDeepStrictEqual(JSON.parse(json), document)) {
    // Written aside, then renamed: a process reading it meanwhile never sees half of it.
    const partial = `${file}.${process.pid}-${threadId}`
    try {
      await writeFile(partial, json)
      await rename(partial, file)
    } catch {
      await rm(partial, { force: true })
    }
  }
  return document
}

/**
 * Loads the prepared document the slow, strict way: it must be valid OpenAPI 3.0 and every
 * operation's validators must compile, or this rejects. The simulator loads it quickly instead
 * (every process test file would pay seconds of CPU for this); test/simulators/clari.test.ts
 * makes this check once per test run.
 */
export async function checkClariDocument(): Promise<void> {
  await new OpenAPIBackend({
    definition: await preparedDocument(),
    apiRoot: BASE_PATH,
    strict: true,
    ajvOpts: AJV_OPTIONS
  }).init()
}

// Formats such as uuid are not used by the export API; Ajv need not warn about them.
const AJV_OPTIONS = { logger: false, useDefaults: false } as const

async function compile(): Promise<ClariSpec> {
  const api = new OpenAPIBackend({
    definition: await preparedDocument(),
    apiRoot: BASE_PATH,
    // Quick: the document is not validated here (checkClariDocument is, once per test run), and
    // a validator is compiled when its operation is first met: the simulator meets a handful of
    // the document's operations, and compiling all of them cost each process test file seconds.
    // Nor are its schemas checked against JSON Schema's meta-schema as they compile (Ajv would
    // compile that meta-schema anew for each validator's own Ajv: most of their CPU); the strict
    // load does that too.
    quick: true,
    ajvOpts: { ...AJV_OPTIONS, validateSchema: false }
  })
  await api.init()
  // openapi-backend flattens the document's operations anew, twice, for every request it
  // matches (a tenth of the CPU of the fault matrix); the document never changes after init,
  // so its operations are flattened once.
  const operations = api.router.getOperations()
  api.router.getOperations = () => operations
  // Matching then still tries every path template's pattern on each request; the operation
  // depends on the method and path alone, and a job's status is asked for again and again.
  const matched = new Map<string, ReturnType<typeof api.matchOperation>>()
  const match = (req: Parameters<typeof api.matchOperation>[0]) => {
    const key = `${req.method} ${req.path}`
    if (!matched.has(key)) {
      if (matched.size >= 10_000) matched.clear()
      matched.set(key, api.matchOperation(req))
    }
    return matched.get(key)
  }
  return {
    problems(request) {
      const req = {
        method: request.method.toLowerCase(),
        path: request.path,
        headers: request.headers as Record<string, string | string[]>,
        body: request.body
      }
      const operation = match(req)
      if (!operation) return undefined
      const result = api.validateRequest(req, operation)
      if (result.valid) return undefined
      return (result.errors ?? [])
        .map(
          (e: { instancePath: string; message?: string }) =>
            `${e.instancePath.replace(/^\/requestBody/, '') || 'the body'} ${e.message}`
        )
        .join('; ')
    }
  }
}

/**
 * Works around the places where the document contradicts itself or OpenAPI 3.0, so that it
 * loads and judges requests the way Clari's answers do:
 * - The results and cancel operations declare their jobId parameter as a `$ref` with `name` and
 *   `description` beside it; OpenAPI 3.0 forbids siblings of `$ref` (the document fails
 *   validation); the dereference at the end keeps only the target, which the siblings repeat.
 * - `externalFcwExport` is the operationId of both the create POST and `GET /export/jobs`;
 *   operation ids must be unique, so the job list's becomes `listExportJobs`.
 * - Defaults of the wrong type (`default: null` on strings, the prose
 *   `default: forecast *AND* forecast_updated` on an array) are removed: a validator that
 *   applies defaults would otherwise write them into the request it checks.
 * - The request bodies list their fields but allow any other; Clari answers a malformed body
 *   with 400 `bad_request`, so unknown fields are refused here, and a misspelled field in the
 *   action fails the tests instead of passing silently.
 * - The create operation's 400 answer is a `oneOf` of alternatives with the same shape, so no
 *   real error body can match exactly one of them; only requests are validated here, never the
 *   simulator's answers, so it needs no change.
 * - Every `$ref` is replaced by what it points at: openapi-backend's quick load dereferences
 *   with a resolver that does not decode JSON-pointer escapes (`~1`, `%7B`), and the document
 *   points into other operations (`#/paths/~1export~1activity/post/…`).
 */
function prepare(document: Json): Document {
  const list = document.paths?.['/export/jobs']?.get
  if (list) list.operationId = 'listExportJobs'
  removeDefaults(document)
  for (const [path, method] of EXPORT_OPERATIONS) {
    const operation = document.paths?.[path]?.[method]
    const body = operation?.requestBody
    const schema = isRecord(body) ? body.content?.['application/json']?.schema : undefined
    if (isRecord(schema)) schema.additionalProperties = false
  }
  return dereference(document, document) as Document
}

const CYCLE = Symbol('cycle')

/** `node` with every `$ref` (a local JSON pointer) replaced by its target, itself dereferenced. */
function dereference(node: unknown, root: Json, seen = new Map<string, unknown>()): unknown {
  if (Array.isArray(node)) return node.map(item => dereference(item, root, seen))
  if (!isRecord(node)) return node
  if (typeof node.$ref === 'string') {
    const ref = node.$ref
    if (!seen.has(ref)) {
      // The document has no cycles; one would leave this mark and be refused below.
      seen.set(ref, CYCLE)
      seen.set(ref, dereference(pointedAt(root, ref), root, seen))
    }
    const target = seen.get(ref)
    if (target === CYCLE) throw new Error(`A reference cycle through ${ref}`)
    return target
  }
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, dereference(value, root, seen)])
  )
}

function pointedAt(root: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`Not a local reference: ${ref}`)
  let at: unknown = root
  for (const token of ref.slice(2).split('/')) {
    const key = decodeURIComponent(token).replaceAll('~1', '/').replaceAll('~0', '~')
    if (!isRecord(at) && !Array.isArray(at)) throw new Error(`No target: ${ref}`)
    at = (at as Json)[key]
  }
  if (at === undefined) throw new Error(`No target: ${ref}`)
  return at
}

function removeDefaults(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(removeDefaults)
  if (!isRecord(node)) return
  if ('type' in node || 'enum' in node || 'items' in node) delete node.default
  Object.values(node).forEach(removeDefaults)
}

// The parsed YAML, before it is known to be a valid document.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

// Compiling takes seconds of CPU on a busy machine. It is done while this module loads, that is
// while a test file is imported, which no time limit counts, instead of inside the first test
// that starts a simulator (last in the module: compile() uses everything above).
const compiled = compile()
await compiled.catch(() => {}) // a failure surfaces where loadClariSpec is awaited
