import { createHash } from 'node:crypto'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * A digest of everything `npm run build` bundles from: src/, the dependency lock and the build
 * settings. The build records it in dist/source-hash.txt, so the end-to-end tests can tell for
 * certain whether the committed bundle was built from the sources they are meant to test.
 *   npx tsx scripts/source-hash.ts           prints the digest of the working tree
 *   npx tsx scripts/source-hash.ts --write   records it (the last step of npm run build)
 */
export const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url))
export const SOURCE_HASH_FILE = path.join(REPO_ROOT, 'dist', 'source-hash.txt')
const INPUTS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json']

export async function sourceHash(root = REPO_ROOT): Promise<string> {
  const hash = createHash('sha256')
  for (const file of (await Promise.all(INPUTS.map(input => filesOf(root, input)))).flat().sort()) {
    const bytes = await readFile(path.join(root, file))
    hash.update(`${file}\0${bytes.length}\0`).update(bytes)
  }
  return hash.digest('hex')
}

/** The digest dist/ was built from, or undefined when it records none. */
export async function recordedSourceHash(): Promise<string | undefined> {
  const text = await readFile(SOURCE_HASH_FILE, 'utf8').catch(() => undefined)
  return text?.trim() || undefined
}

async function filesOf(root: string, input: string): Promise<string[]> {
  const entries = await readdir(path.join(root, input), {
    recursive: true,
    withFileTypes: true
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOTDIR') return undefined
    throw error
  })
  if (!entries) return [input]
  return entries
    .filter(entry => entry.isFile())
    .map(entry =>
      path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/')
    )
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const digest = await sourceHash()
  if (process.argv.includes('--write')) await writeFile(SOURCE_HASH_FILE, `${digest}\n`)
  else process.stdout.write(`${digest}\n`)
}
