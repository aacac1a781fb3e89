import { createServer } from 'node:net'

const CLOSED_HOST = '127.0.0.2'

/**
 * A loopback URL nothing listens on: a port the system handed out and took back, on 127.0.0.2.
 * Every test server binds 127.0.0.1, so none can take the port back meanwhile: on 127.0.0.1 a
 * process test running beside one of ours once did (its GitHub simulator answered 404).
 */
export async function closedPortUrl(path = ''): Promise<string> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, CLOSED_HOST, resolve))
  const { port } = server.address() as { port: number }
  await new Promise(resolve => server.close(resolve))
  return `http://${CLOSED_HOST}:${port}${path}`
}
