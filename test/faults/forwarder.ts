import net from 'node:net'

/**
 * A loopback port where nothing listens yet (connections are refused) and which, once `open()`
 * is called, forwards every connection to `target`: an API that is down, then comes back.
 */
export interface LateForwarder {
  /** `target`'s URL with the forwarder's port. */
  url: string
  open(): void
  close(): Promise<void>
}

export async function reserveLateForwarder(target: URL): Promise<LateForwarder> {
  const port = await freePort()
  const sockets = new Set<net.Socket>()
  const server = net.createServer(client => {
    const upstream = net.connect(Number(target.port), target.hostname)
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => {})
    }
    client.pipe(upstream).pipe(client)
  })
  const url = new URL(target.href)
  url.port = String(port)
  let opened = false
  return {
    url: url.href.replace(/\/$/, ''),
    open() {
      if (opened) return
      opened = true
      server.listen(port, '127.0.0.1')
    },
    close: () =>
      new Promise(resolve => {
        for (const s of sockets) s.destroy()
        if (!server.listening) return resolve()
        server.close(() => resolve())
      })
  }
}

/** A port that was free a moment ago (the kernel does not hand it out again at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })
}
