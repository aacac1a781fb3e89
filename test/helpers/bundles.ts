import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { recordedSourceHash, REPO_ROOT, sourceHash } from '../../scripts/source-hash.js'

/**
 * The bundles the end-to-end tests run: the action (dist/index.js) and the CLI (dist/cli), both
 * with the tables worker beside them (dist/tables-worker, found by its place).
 */
export interface BundlePaths {
  action: string
  cli: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    bundles: BundlePaths
  }
}

const NCC = path.join(REPO_ROOT, 'node_modules', '.bin', 'ncc')
const BUILD_TIMEOUT_MS = 300_000

/**
 * Global set-up of the bundle tests: they must test the current source, never a stale dist/.
 * When dist/ records the digest of exactly these sources (npm run build writes it), dist/ is
 * that source, bundled; otherwise every entry point is bundled once into a temporary folder laid
 * out as dist/ is, for this test run, shared by every bundle test file, and removed afterwards.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const [current, recorded] = await Promise.all([sourceHash(), recordedSourceHash()])
  if (current === recorded) {
    const dist = path.join(REPO_ROOT, 'dist')
    project.provide('bundles', {
      action: path.join(dist, 'index.js'),
      cli: path.join(dist, 'cli', 'index.js')
    })
    return
  }
  const out = await mkdtemp(path.join(os.tmpdir(), 'clari-bundles-'))
  process.stdout.write(
    `dist/ was not built from the current sources: bundling them into ${out} for this test run\n`
  )
  try {
    // ncc first removes every .js file below its output folder: the action's goes first.
    await ncc('src/index.ts', out)
    await Promise.all([
      ncc('src/cli/index.ts', path.join(out, 'cli')),
      ncc('src/engine/tables/tables-worker.ts', path.join(out, 'tables-worker'))
    ])
  } catch (error) {
    await rm(out, { recursive: true, force: true })
    throw error
  }
  project.provide('bundles', {
    action: path.join(out, 'index.js'),
    cli: path.join(out, 'cli', 'index.js')
  })
  return () => rm(out, { recursive: true, force: true })
}

/** `ncc build` as npm run build does it (type-checked, ESM), into `out`. */
function ncc(entry: string, out: string): Promise<void> {
  const child = spawn(NCC, ['build', entry, '-o', out, '-q'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS)
    child.once('error', reject)
    child.once('close', code => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`ncc build ${entry} failed (exit ${code}):\n${output}`))
    })
  })
}
