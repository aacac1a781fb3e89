import { spawn, type ChildProcess } from 'node:child_process'
import { createConnection, createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'

export interface AzuriteHandle {
  /** Account endpoint, e.g. http://127.0.0.1:PORT/devstoreaccount1 */
  blobUrl: string
  port: number
  pid: number
  stop(): Promise<void>
}

// Resolved from this file, not process.cwd(), so tests and the demo can run from any folder.
const repoRootUrl = new URL('../../../', import.meta.url)
const repoRoot = fileURLToPath(repoRootUrl)
const azuriteMain = fileURLToPath(
  new URL('node_modules/azurite/dist/src/blob/main.js', repoRootUrl)
)

const HOST = '127.0.0.1'
const READY_TIMEOUT_MS = 15_000
const KILL_GRACE_MS = 3_000
const START_ATTEMPTS = 3

/** Starts an in-memory Azurite blob service on a free loopback port. */
export async function startAzurite(): Promise<AzuriteHandle> {
  let lastError: unknown
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnPort(await findFreePort())
    } catch (error) {
      lastError = error
      // Another process may grab the port between our probe and Azurite's bind; only then retry.
      if (!(error instanceof Error && error.message.includes('EADDRINUSE'))) throw error
    }
  }
  throw lastError
}

async function startOnPort(port: number): Promise<AzuriteHandle> {
  const child = spawn(
    process.execPath,
    [
      azuriteMain,
      '--blobHost',
      HOST,
      '--blobPort',
      String(port),
      '--inMemoryPersistence',
      // Telemetry is on by default and calls out to Application Insights.
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
      '--silent'
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] }
  )
  let output = ''
  const collect = (chunk: Buffer): void => {
    output += chunk.toString()
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)

  const exited = waitForExit(child)
  // A crashed test run must not leave Azurite holding its port.
  const killOnExit = (): void => {
    child.kill('SIGKILL')
  }
  process.on('exit', killOnExit)

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
      await exited
      clearTimeout(timer)
    }
    process.off('exit', killOnExit)
  }

  try {
    await waitUntilListening(port, child, () => output)
  } catch (error) {
    await stop()
    throw error
  }
  if (child.pid === undefined) throw new Error('Azurite started without a pid')
  return { blobUrl: `http://${HOST}:${port}/devstoreaccount1`, port, pid: child.pid, stop }
}

function waitForExit(child: ChildProcess): Promise<void> {
  return new Promise(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once('exit', () => resolve())
  })
}

async function waitUntilListening(
  port: number,
  child: ChildProcess,
  output: () => string
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  let spawnError: Error | undefined
  child.once('error', error => {
    spawnError = error
  })
  while (Date.now() < deadline) {
    if (spawnError) throw new Error(`Azurite failed to spawn: ${spawnError.message}`)
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `Azurite exited (code ${child.exitCode}, signal ${child.signalCode}) before listening on ${port}:\n${output()}`
      )
    }
    if (await canConnect(port)) return
    await sleep(50)
  }
  throw new Error(
    `Azurite did not listen on ${HOST}:${port} within ${READY_TIMEOUT_MS} ms:\n${output()}`
  )
}

function canConnect(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const socket = createConnection({ host: HOST, port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const address = server.address()
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port)
        else reject(new Error('Could not determine a free port'))
      })
    })
  })
}
