import net from 'node:net'

/** A loopback forwarder to an HTTP server that sees each client end its connection. */
export interface ClientEnds {
  /** `target` with the forwarder's port. */
  url: string
  /** One for each connection: settles when the client closes (or resets) its side. */
  ends: Promise<void>[]
  close(): Promise<void>
}

/**
 * Forwards every connection to `target`, but not the server's hang-ups (its idle keep-alive
 * timeout), so a connection ends only when the client ends it.
 */
export async function watchClientEnds(target: string): Promise<ClientEnds> {
  const { hostname, port } = new URL(target)
  const sockets = new Set<net.Socket>()
  const ends: Promise<void>[] = []
  const server = net.createServer(client => {
    const upstream = net.connect(Number(port), hostname)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
    ends.push(new Promise(resolve => client.once('close', () => resolve())))
    client.pipe(upstream)
    upstream.pipe(client, { end: false })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = new URL(target)
  url.port = String((server.address() as net.AddressInfo).port)
  return {
    url: url.href.replace(/\/$/, ''),
    ends,
    close: () =>
      new Promise(resolve => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      })
  }
}
