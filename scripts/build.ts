import { spawn } from 'node:child_process'
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { REPO_ROOT, sourceHash, SOURCE_HASH_FILE } from './source-hash.js'

/**
 * `npm run build`: dist/ anew, one ncc bundle per entry point, then the digest of the sources it
 * was built from (scripts/source-hash.ts). The end-to-end tests' set-up (test/helpers/bundles.ts)
 * bundles the same list into a temporary folder when dist/ is stale.
 */

/** Each entry point and its folder under dist/; the tables worker is looked up beside the others. */
export const BUNDLES = [
  { entry: 'src/index.ts', out: '.' },
  { entry: 'src/cli/index.ts', out: 'cli' },
  { entry: 'src/engine/tables/tables-worker.ts', out: 'tables-worker' }
] as const

const NCC = path.join(REPO_ROOT, 'node_modules', '.bin', 'ncc')
const BUILD_TIMEOUT_MS = 300_000

/** Every bundle into `root` laid out as dist/; `licenses` adds each one's licenses.txt. */
export async function buildBundles(root: string, { licenses = false } = {}): Promise<void> {
  const [first, ...rest] = BUNDLES
  // ncc first removes every .js file below its output folder: the one at the root goes first.
  await ncc(first.entry, path.join(root, first.out), licenses)
  await Promise.all(rest.map(b => ncc(b.entry, path.join(root, b.out), licenses)))
}

/** `ncc build` (type-checked, ESM) of one entry; its output is shown only when it fails. */
function ncc(entry: string, out: string, licenses: boolean): Promise<void> {
  const args = ['build', entry, '-o', out, '-q', ...(licenses ? ['--license', 'licenses.txt'] : [])]
  const child = spawn(NCC, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
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

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dist = path.join(REPO_ROOT, 'dist')
  await rm(dist, { recursive: true, force: true })
  await buildBundles(dist, { licenses: true })
  await writeFile(SOURCE_HASH_FILE, `${await sourceHash()}\n`)
  process.stdout.write(`Built ${BUNDLES.map(b => path.join('dist', b.out)).join(', ')}\n`)
}
