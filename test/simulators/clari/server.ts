import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ClariApi, type ApiRequest } from './api.js'
import { discard, resetSocket, send, sendPartial, sendTrickle, type Wire } from './delivery.js'
import { FaultBook } from './faults.js'
import { emptyResponse, jsonResponse } from './responses.js'
import { matchRoute } from './routes.js'
import { loadClariSpec, type ClariSpec } from './spec.js'
import type {
  ClariSimulator,
  ClariSimulatorOptions,
  Fault,
  FaultRule,
  RecordedRequest,
  SimJob
} from './types.js'

const INVALID_JSON = Buffer.from('{"jobId":"6073683781a6da229df71e00","status":"DO')

interface Incoming {
  api: ApiRequest
  record: RecordedRequest
  path: string
}

class ClariSimulatorServer implements ClariSimulator {
  url = ''
  otherOrigin = ''
  readonly apiKey: string
  readonly requests: RecordedRequest[] = []
  otherOriginSawApiKey = false
  connections = 0
  private readonly api: ClariApi
  private readonly faults: FaultBook
  private readonly now: () => number
  private readonly dateHeader: boolean
  private readonly main = createServer((req, res) => this.serve(req, res, 'main'))
  private readonly other = createServer((req, res) => this.serve(req, res, 'other'))
  private readonly closing = new AbortController()
  private closed?: Promise<void>

  constructor(options: ClariSimulatorOptions, spec: ClariSpec) {
    const clock = options.clock ?? { now: () => Date.now() }
    this.now = clock.wallNow ? () => clock.wallNow!() : () => clock.now()
    this.apiKey = options.apiKey ?? 'sim-key'
    this.dateHeader = options.dateHeader ?? true
    const seed = options.seed ?? 1
    this.api = new ClariApi({ ...options, apiKey: this.apiKey, seed }, this.now, spec)
    this.faults = new FaultBook(options.faults ?? [], seed)
  }

  get jobs(): SimJob[] {
    return this.api.org.jobs
  }

  async listen(port = 0): Promise<void> {
    this.main.on('connection', () => this.connections++)
    this.url = `http://127.0.0.1:${await listen(this.main, port)}/v4`
    this.otherOrigin = `http://127.0.0.1:${await listen(this.other)}`
  }

  addFault(rule: FaultRule): void {
    this.faults.add(rule)
  }

  occupySlots(n: number, forMs: number): void {
    const ids = Array.from({ length: n }, () => this.api.newJobId())
    this.api.org.occupy(ids, this.now() + forMs)
  }

  setMonthlyQuotaLeft(n: number): void {
    this.api.org.setQuotaLeft(n)
  }

  listJobElsewhere(job: Record<string, unknown>): void {
    this.api.listedElsewhere.push({
      jobId: this.api.newJobId(),
      module: 'FORECAST',
      status: 'DONE',
      startTime: this.now(),
      fileType: 'JSON',
      ...job
    })
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing.abort()
      await Promise.all([this.main, this.other].map(closeServer))
    })()
    return this.closed
  }

  private serve(req: IncomingMessage, res: ServerResponse, origin: 'main' | 'other'): void {
    this.handle(req, res, origin).catch((error: unknown) => {
      // A simulator bug must fail the test loudly, not look like a network fault.
      if (res.headersSent) return void res.destroy()
      res.writeHead(500, { 'Content-Type': 'text/plain' })
      res.end(`clari simulator error: ${error instanceof Error ? error.stack : String(error)}`)
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse, origin: 'main' | 'other') {
    const incoming = await this.receive(req, origin)
    const wire: Wire = {
      res,
      date: this.dateHeader ? new Date(this.now()).toUTCString() : undefined,
      onStatus: status => (incoming.record.status = status),
      signal: this.closing.signal
    }
    if (origin === 'other') {
      if (req.headers.apikey !== undefined) this.otherOriginSawApiKey = true
      return send(wire, this.api.respond(incoming.api, { apply: true }))
    }
    const { endpoint } = incoming.api.route
    const fault = this.faults.pick({ endpoint, period: incoming.record.period })
    incoming.record.fault = fault?.kind
    return this.deliver(fault, incoming, wire)
  }

  private async deliver(fault: Fault | undefined, incoming: Incoming, wire: Wire) {
    const respond = (apply: boolean, statusOverride?: string) =>
      this.api.respond(incoming.api, { apply, statusOverride })
    switch (fault?.kind) {
      case undefined:
        return send(wire, respond(true))
      case 'http':
        return send(wire, httpFault(fault))
      case 'clari-error':
        return send(
          wire,
          this.api.clariError(fault.status, fault.code, fault.message, fault.namespace)
        )
      case 'invalid-json':
        return send(wire, {
          status: 200,
          headers: { 'Content-Type': 'application/json' },
          body: INVALID_JSON
        })
      case 'status-value':
        return send(wire, respond(true, fault.status))
      case 'redirect-other-origin':
        return send(wire, emptyResponse(302, { Location: `${this.otherOrigin}${incoming.path}` }))
      case 'trickle':
        return sendTrickle(wire, respond(true), fault.chunkBytes, fault.intervalMs)
      case 'reset-mid-body':
        return sendPartial(wire, respond(fault.process ?? false), 'reset')
      case 'short-body':
        return sendPartial(wire, respond(fault.process ?? false), 'short')
      case 'reset-before-response':
      case 'hang':
        if (fault.process) discard(respond(true))
        if (fault.kind === 'reset-before-response') resetSocket(wire)
        return
    }
  }

  private async receive(req: IncomingMessage, origin: 'main' | 'other'): Promise<Incoming> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const { body, bodyIsJson } = parseBody(text)
    const path = req.url ?? '/'
    const method = req.method ?? 'GET'
    const route = matchRoute(method, new URL(path, 'http://sim').pathname)
    const job = route.jobId === undefined ? undefined : this.api.org.find(route.jobId)
    const requested = (body as { timePeriod?: unknown } | undefined)?.timePeriod
    const period =
      route.endpoint === 'create'
        ? typeof requested === 'string'
          ? requested
          : undefined
        : job?.period
    const record: RecordedRequest = {
      method,
      path,
      endpoint: route.endpoint,
      jobId: route.jobId,
      period,
      headers: req.headers,
      body,
      at: this.now(),
      origin
    }
    this.requests.push(record)
    const api: ApiRequest = {
      method,
      path,
      route,
      headers: req.headers,
      body,
      bodyIsJson,
      trusted: origin === 'other'
    }
    return { api, record, path }
  }
}

function parseBody(text: string): { body: unknown; bodyIsJson: boolean } {
  if (text === '') return { body: undefined, bodyIsJson: false }
  try {
    return { body: JSON.parse(text) as unknown, bodyIsJson: true }
  } catch {
    return { body: text, bodyIsJson: false }
  }
}

function httpFault(fault: Extract<Fault, { kind: 'http' }>) {
  const { status, headers = {}, body } = fault
  if (body === undefined) return emptyResponse(status, headers)
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    return { status, headers, body: Buffer.from(body) }
  }
  return jsonResponse(status, body, headers)
}

function listen(server: Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))
  })
}

function closeServer(server: Server): Promise<void> {
  return new Promise(resolve => {
    server.close(() => resolve())
    server.closeAllConnections()
  })
}

export async function startClariSimulator(
  options: ClariSimulatorOptions = {}
): Promise<ClariSimulator> {
  const sim = new ClariSimulatorServer(options, await loadClariSpec())
  await sim.listen(options.port)
  return sim
}
