import { spawn, type ChildProcess } from 'node:child_process'

const DEFAULT_TIMEOUT_MS = 30_000

export interface CliResult {
  /** null when the child was ended by a signal. */
  code: number | null
  stdout: string
  stderr: string
}

export interface CliRun {
  /** Output so far. */
  stdout(): string
  signal(name: NodeJS.Signals): void
  /** Resolves when the child exits; rejects when it overran its timeout (it is killed). */
  result: Promise<CliResult>
}

/** Each live child and a promise that settles when it has closed. */
const running = new Map<ChildProcess, Promise<void>>()

/** Runs `clari-export` (the bundle) with a clean environment plus `env`. */
export function startCli(
  entry: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }
): CliRun {
  // The key reaches the child only when a test passes it.
  const parentEnv = { ...process.env }
  delete parentEnv.CLARI_API_KEY
  return startProcess(process.execPath, [entry, ...args], {
    cwd: options.cwd,
    env: {
      ...parentEnv,
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
      ...options.env
    },
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  })
}

/** Kills whatever a test left running; for afterEach, so a failed test leaves nothing behind. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    [...running].map(([child, closed]) => {
      child.kill('SIGKILL')
      return closed
    })
  )
}

/** Starts `command`, collecting its output; stopAll ends it if the test does not wait for it. */
export function startProcess(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }
): CliRun {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  running.set(child, new Promise(resolve => child.once('close', () => resolve())))
  let stdout = ''
  let stderr = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new Error(
          `${command} ${args.join(' ')} overran ${options.timeoutMs} ms:\n${stdout}\n${stderr}`
        )
      )
    }, options.timeoutMs)
    child.once('error', error => {
      clearTimeout(timer)
      running.delete(child)
      reject(error)
    })
    child.once('close', code => {
      clearTimeout(timer)
      running.delete(child)
      resolve({ code, stdout, stderr })
    })
  })
  result.catch(() => {})
  return { stdout: () => stdout, signal: name => child.kill(name), result }
}
