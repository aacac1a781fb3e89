import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { buildBundles } from '../../scripts/build.js'
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
    await buildBundles(out)
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
