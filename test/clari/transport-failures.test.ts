import { getEventListeners, once } from 'node:events'
import http from 'node:http'
import net, { type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { CancelledError } from '../../src/base/abort.js'
import { NetworkError } from '../../src/clari/errors.js'
import { Transport, type TransportRequest } from '../../src/clari/transport.js'
import { closedPortUrl } from '../helpers/closed-port.js'

/**
 * How a failed exchange reads to the retry rules: a NetworkError that names the operation, with
 * a code, and `sent` telling whether the server may have acted on the request; a cancelled run
 * fails with its own reason. Each server below fails in one way, on loopback.
 */

let server: http.Server | undefined
const sockets = new Set<Socket>()
let transport: Transport | undefined
afterEach(async () => {
  transport?.close()
  transport = undefined
  for (const socket of sockets) socket.destroy()
  sockets.clear()
  await new Promise(resolve => (server ? server.close(resolve) : resolve(undefined)))
  server = undefined
})

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler)
  server.on('connection', socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server!.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`
}

function send(url: string, more: Partial<TransportRequest> = {}) {
  transport = new Transport(() => 1_234)
  return transport.send({
    method: 'POST',
    operation: 'create export',
    url: new URL(url),
    headers: { apikey: 'k' },
    secretHeader: 'apikey',
    body: '{"a":1}',
    signal: new AbortController().signal,
    idleTimeoutMs: 5_000,
    ...more
  })
}

async function readBody(body: NodeJS.ReadableStream): Promise<string> {
  let text = ''
  for await (const chunk of body) text += String(chunk)
  return text
}

describe('Transport failures', () => {
  it('sends the body with its length, and stamps the answer with the time it arrived', async () => {
    let received: { length?: string; body: string } | undefined
    const url = await serve((req, res) => {
      let body = ''
      req.on('data', chunk => (body += String(chunk)))
      req.on('end', () => {
        received = { length: req.headers['content-length'], body }
        res.writeHead(201, { 'x-a': 'b' }).end('done')
      })
    })
    const res = await send(url, { body: '{"é":1}' })
    expect(received).toEqual({ length: '8', body: '{"é":1}' })
    expect(res).toMatchObject({ status: 201, receivedAt: 1_234, headers: { 'x-a': 'b' } })
    expect(await readBody(res.body)).toBe('done')
  })

  it('lets go of the run’s signal once an answer bounded in total is read', async () => {
    // A run makes thousands of requests on one signal: a listener kept per request would leak
    // (Node warns past 10), and each bound's timer would run on after its answer.
    const url = await serve((_req, res) => void res.writeHead(200).end('ok'))
    const run = new AbortController()
    const res = await send(url, { signal: run.signal, totalTimeoutMs: 5_000 })
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(1)
    expect(await readBody(res.body)).toBe('ok')
    if (!res.body.closed) await once(res.body, 'close')
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0)
  })

  it('names a silent server after the idle timeout; the request had gone out', async () => {
    const url = await serve(() => {})
    const failure = await send(url, { idleTimeoutMs: 100 }).catch(e => e)
    expect(failure).toBeInstanceOf(NetworkError)
    expect(failure).toMatchObject({
      message: 'create export: no data for 100 ms',
      code: 'ETIMEDOUT',
      sent: true
    })
  })

  it('bounds the whole exchange, body included, when asked to', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200)
      const drip = setInterval(() => res.write('x'), 20)
      res.on('close', () => clearInterval(drip))
    })
    const res = await send(url, { totalTimeoutMs: 300 })
    const failure = await readBody(res.body).catch(e => e)
    expect(failure).toBeInstanceOf(NetworkError)
    expect(failure).toMatchObject({
      message: 'create export: no complete answer within 300 ms',
      code: 'ETIMEDOUT',
      sent: true
    })
  })

  it('calls a connection refused not sent, whatever the socket had buffered', async () => {
    const failure = await send(await closedPortUrl('/x')).catch(e => e)
    expect(failure).toBeInstanceOf(NetworkError)
    expect(failure).toMatchObject({ code: 'ECONNREFUSED', sent: false })
    expect(failure.message).toMatch(/^create export: connect ECONNREFUSED 127\.0\.0\.2:\d+$/)
  })

  it('calls a TLS handshake the server broke off not sent: the request never left', async () => {
    // A server that hangs up on the client's hello: no certificate needed, nothing reaches it.
    const hangUp = net.createServer(socket => socket.once('data', () => socket.end()))
    await new Promise<void>(resolve => hangUp.listen(0, '127.0.0.1', resolve))
    try {
      const port = (hangUp.address() as AddressInfo).port
      const failure = await send(`https://127.0.0.1:${port}/x`).catch(e => e)
      expect(failure).toBeInstanceOf(NetworkError)
      expect(failure).toMatchObject({ code: 'ECONNRESET', sent: false })
      expect(failure.message).toMatch(/^create export: .*before secure TLS connection/)
    } finally {
      await new Promise(resolve => hangUp.close(resolve))
    }
  })

  it('calls a connection reset after the request went out sent', async () => {
    const url = await serve(req => req.on('end', () => req.socket.destroy()).resume())
    const failure = await send(url).catch(e => e)
    expect(failure).toBeInstanceOf(NetworkError)
    expect(failure).toMatchObject({ code: 'ECONNRESET', sent: true })
    expect(failure.message).toMatch(/^create export: /)
  })

  it('fails a body that breaks off with a typed error, and the socket is let go', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' })
      res.write('0123456789', () => setTimeout(() => res.socket?.destroy(), 20))
    })
    const res = await send(url)
    const failure = await readBody(res.body).catch(e => e)
    expect(failure).toBeInstanceOf(NetworkError)
    expect(failure).toMatchObject({
      message: 'create export: the response broke off before its end',
      code: 'ECONNRESET',
      sent: true
    })
  })

  it('abandons an answer whose body the caller destroys, closing its connection', async () => {
    let closed!: () => void
    const connectionClosed = new Promise<void>(resolve => (closed = resolve))
    const url = await serve((_req, res) => {
      res.writeHead(200)
      res.write('start')
      res.on('close', closed)
    })
    // No idle timeout within the test's time: only letting go of the answer closes it.
    const res = await send(url, { idleTimeoutMs: 600_000 })
    res.body.destroy()
    await connectionClosed
  })

  it('fails with the run’s own reason when the run is cancelled, sent or not', async () => {
    const url = await serve(() => {})
    const run = new AbortController()
    const pending = send(url, { signal: run.signal }).catch(e => e)
    setTimeout(() => run.abort(new CancelledError()), 50)
    expect(await pending).toBeInstanceOf(CancelledError)
  })
})
