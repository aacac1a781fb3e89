import http from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NetworkError } from '../../src/clari/errors.js'
import { Transport, type TransportRequest } from '../../src/clari/transport.js'

interface Seen {
  origin: 'a' | 'b'
  path: string
  apikey?: string
}

/** Two origins on loopback; `/to/<origin>/<status>/<path>` redirects there, anything else answers 200. */
let seen: Seen[] = []
const servers: http.Server[] = []
const base: Record<'a' | 'b', string> = { a: '', b: '' }

function handler(origin: 'a' | 'b'): http.RequestListener {
  return (req, res) => {
    const path = req.url ?? '/'
    seen.push({ origin, path, apikey: req.headers.apikey as string | undefined })
    const hop = /^\/to\/(a|b|relative)\/(\d{3})(\/.*)$/.exec(path)
    if (hop) {
      const [, target, status, rest] = hop as unknown as [string, string, string, string]
      const location = target === 'relative' ? rest : `${base[target as 'a' | 'b']}${rest}`
      res.writeHead(Number(status), { location }).end()
      return
    }
    if (path.startsWith('/loop')) return void res.writeHead(302, { location: '/loop' }).end()
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`ok ${origin}`)
  }
}

beforeAll(async () => {
  for (const origin of ['a', 'b'] as const) {
    const server = http.createServer(handler(origin))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    servers.push(server)
    base[origin] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }
})
afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
})

async function send(path: string, method: TransportRequest['method'] = 'GET') {
  seen = []
  const transport = new Transport()
  try {
    const res = await transport.send({
      method,
      operation: 'job status',
      url: new URL(base.a + path),
      headers: { apikey: 'secret-key' },
      secretHeader: 'apikey',
      body: method === 'GET' ? undefined : '{}',
      signal: new AbortController().signal,
      idleTimeoutMs: 5_000,
      totalTimeoutMs: 5_000
    })
    let text = ''
    for await (const chunk of res.body) text += String(chunk)
    return { status: res.status, text }
  } finally {
    transport.close()
  }
}

describe('Transport redirects', () => {
  it.each([
    ['a 302 within the origin', '/to/a/302/x', 'ok a', ['secret-key', 'secret-key']],
    ['a relative 307', '/to/relative/307/x', 'ok a', ['secret-key', 'secret-key']],
    ['a 301 to another origin', '/to/b/301/x', 'ok b', ['secret-key', undefined]],
    ['a 308 to another origin', '/to/b/308/x', 'ok b', ['secret-key', undefined]],
    [
      'a 303 to another origin and back',
      '/to/b/303/to/a/302/x',
      'ok a',
      ['secret-key', undefined, undefined]
    ]
  ])(
    'follows %s for a GET, sending the key only to the API origin',
    async (_n, path, text, keys) => {
      const result = await send(path)
      expect(result).toEqual({ status: 200, text })
      expect(seen.map(s => s.apikey)).toEqual(keys)
    }
  )

  it.each(['POST', 'PATCH'] as const)('does not follow a redirect for a %s', async method => {
    const result = await send('/to/b/307/x', method)
    expect(result.status).toBe(307)
    expect(seen.map(s => s.origin)).toEqual(['a'])
  })

  it('stops after 5 redirects', async () => {
    const failure = await send('/loop').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(NetworkError)
    expect(failure).toMatchObject({
      code: 'EREDIRECT',
      message: 'job status: too many redirects',
      sent: true
    })
    expect(seen).toHaveLength(6)
  })
})

describe('Transport connections', () => {
  it('keeps one connection for requests in a row, and close() ends it at once', async () => {
    const transport = new Transport()
    const sockets: Socket[] = []
    // A server that never times out an idle connection: only the client can end it here.
    const server = http.createServer((req, res) => {
      sockets.push(req.socket)
      res.end('ok')
    })
    server.keepAliveTimeout = 0
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`)
    try {
      for (let i = 0; i < 2; i++) {
        const res = await transport.send({
          method: 'GET',
          operation: 'job status',
          url,
          headers: {},
          secretHeader: 'apikey',
          signal: new AbortController().signal,
          idleTimeoutMs: 5_000
        })
        for await (const chunk of res.body) void chunk
      }
      expect(sockets).toHaveLength(2)
      expect(sockets[1]).toBe(sockets[0])
      const ended = new Promise(resolve => sockets[0]!.once('close', resolve))
      transport.close()
      await ended
    } finally {
      transport.close()
      server.closeAllConnections()
      await new Promise(resolve => server.close(resolve))
    }
  })
})
