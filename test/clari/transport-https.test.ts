import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net, { type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { NetworkError } from '../../src/clari/errors.js'
import { Transport } from '../../src/clari/transport.js'

/**
 * Redirects over TLS, and requests through a proxy's tunnel, on loopback. The certificate is a
 * test fixture, made once with `openssl req -x509 -newkey ec -pkeyopt
 * ec_paramgen_curve:prime256v1 -nodes -days 36500 -subj /CN=127.0.0.1 -addext
 * subjectAltName=IP:127.0.0.1`; it is committed rather than made in the set-up so the test needs
 * no openssl and spawns nothing. Nothing trusts it: the transport's agents take no CA of their
 * own and Node 20 reads extra CAs only at start, so this file turns certificate checks off for
 * its own process while it runs. What it checks is where the transport goes, not the certificate.
 */
const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/loopback-tls/${name}`, import.meta.url))

interface Seen {
  server: 'tls' | 'tls2' | 'plain'
  path: string
  apikey?: string
}
let seen: Seen[] = []
const servers: http.Server[] = []
const base = { tls: '', tls2: '', plain: '' }

/** `/to/<server>/<path>` answers 302 to that server; anything else answers 200. */
function handler(name: Seen['server']): http.RequestListener {
  return (req, res) => {
    const path = req.url ?? '/'
    seen.push({ server: name, path, apikey: req.headers.apikey as string | undefined })
    const hop = /^\/to\/(tls|tls2|plain)(\/.*)$/.exec(path)
    if (hop) {
      const target = hop[1] as Seen['server']
      return void res.writeHead(302, { location: `${base[target]}${hop[2]}` }).end()
    }
    res.writeHead(200).end(`ok ${name}`)
  }
}

async function listen(server: http.Server, name: Seen['server'], scheme: string): Promise<void> {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  base[name] = `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`
}

beforeAll(async () => {
  vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0')
  const tls = { key: fixture('key.pem'), cert: fixture('cert.pem') }
  await listen(https.createServer(tls, handler('tls')), 'tls', 'https')
  await listen(https.createServer(tls, handler('tls2')), 'tls2', 'https')
  await listen(http.createServer(handler('plain')), 'plain', 'http')
})
afterAll(async () => {
  vi.unstubAllEnvs()
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise(resolve => server.close(resolve))
  }
})

async function get(path: string, origin = base.tls): Promise<string> {
  seen = []
  const transport = new Transport()
  try {
    const res = await transport.send({
      method: 'GET',
      operation: 'download results',
      url: new URL(origin + path),
      headers: { apikey: 'secret-key' },
      secretHeader: 'apikey',
      signal: new AbortController().signal,
      idleTimeoutMs: 5_000,
      totalTimeoutMs: 5_000
    })
    let text = ''
    for await (const chunk of res.body) text += String(chunk)
    return text
  } finally {
    transport.close()
  }
}

describe('Transport over https', () => {
  it('follows a redirect to another https origin, without the key', async () => {
    expect(await get('/to/tls2/x')).toBe('ok tls2')
    expect(seen).toEqual([
      { server: 'tls', path: '/to/tls2/x', apikey: 'secret-key' },
      { server: 'tls2', path: '/x', apikey: undefined }
    ])
  })

  it('refuses a redirect from https to plain http, which would send the request in clear', async () => {
    const failure = await get('/to/plain/x').catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(NetworkError)
    expect(failure).toMatchObject({
      code: 'EREDIRECT',
      message: 'download results: refused a redirect from https to http',
      sent: true
    })
    expect(seen.map(s => s.server)).toEqual(['tls'])
  })
})

/**
 * A forward proxy on loopback, as a runner behind one sets `https_proxy` and `http_proxy`: it
 * tunnels each CONNECT to the loopback port asked for. The API's name (`clari.test`) is never
 * resolved: the client hands it to the proxy, which ignores it. A loopback name would bypass the
 * proxy (@actions/http-client never proxies one).
 */
describe('Transport through a proxy', () => {
  let tunnels: string[] = []
  /** One for each tunnel: settles when the client ends its side of it (or resets it). */
  let clientEnds: Promise<void>[] = []
  // A tunnel the client leaves open fails its test; the proxy's close does not end it: ended here.
  const sockets: net.Socket[] = []
  afterAll(() => sockets.forEach(socket => socket.destroy()))
  beforeAll(async () => {
    const proxy = http.createServer()
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '')
      clientEnds.push(
        new Promise(resolve => {
          client.once('end', resolve)
          client.once('error', () => resolve())
        })
      )
      const port = Number(new URL(`http://${req.url}`).port)
      const upstream = net.connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(client).pipe(upstream)
      })
      // A pipe stops reading its source once the destination closes: once the server has hung
      // up, read on, or the client's end of the tunnel would go unseen.
      upstream.on('close', () => client.resume())
      sockets.push(client, upstream)
      const end = () => (upstream.destroy(), client.destroy())
      upstream.on('error', end)
      client.on('error', end)
    })
    await new Promise<void>(resolve => proxy.listen(0, '127.0.0.1', resolve))
    servers.push(proxy)
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
    vi.stubEnv('https_proxy', proxyUrl)
    vi.stubEnv('http_proxy', proxyUrl)
  })

  // Behind a proxy, a tunnel left open would keep the runner's process, and the step, waiting.
  it.each([
    ['https', 'tls'],
    ['plain http', 'plain']
  ] as const)(
    'reaches an API over %s through a tunnel, ended once closed',
    async (_scheme, name) => {
      tunnels = []
      clientEnds = []
      const origin = base[name].replace('127.0.0.1', 'clari.test')
      expect(await get('/x', origin)).toBe(`ok ${name}`)
      expect(tunnels).toEqual([origin.replace(/^https?:\/\//, '')])
      expect(seen).toEqual([{ server: name, path: '/x', apikey: 'secret-key' }])
      await Promise.all(clientEnds)
    }
  )
})
