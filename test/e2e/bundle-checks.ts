import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { expect } from 'vitest'
import type { BundleResult } from '../helpers/run-bundle.js'

/** Every file under `dir` (recursively), keyed by its path relative to `dir`; empty if missing. */
export async function readFolder(dir: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return []
      throw error
    }
  )
  const files = new Map<string, Buffer>()
  for (const entry of entries.filter(e => e.isFile())) {
    const full = path.join(entry.parentPath, entry.name)
    files.set(path.relative(dir, full), await readFile(full))
  }
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)))
}

/**
 * The key must be nowhere a user or a later job can see: the log, GITHUB_OUTPUT, the summary,
 * or any file the action left in the workspace. The one exception is the `::add-mask::` command,
 * which the runner consumes (it never reaches the log), and which must come before any output.
 */
export async function expectKeyNowhere(result: BundleResult, key: string): Promise<void> {
  const lines = result.stdout.split('\n')
  expect(lines[0], 'the key is masked before anything is printed').toBe(`::add-mask::${key}`)
  const log = lines.filter(line => !line.startsWith('::add-mask::')).join('\n')
  const places: [string, string][] = [
    ['stdout', log],
    ['stderr', result.stderr],
    ['GITHUB_OUTPUT', result.outputFile],
    ['GITHUB_STEP_SUMMARY', result.summary],
    ...[...(await readFolder(result.workspace))].map(([name, bytes]): [string, string] => [
      `workspace file ${name}`,
      bytes.toString('latin1')
    ])
  ]
  for (const [where, text] of places) expect(text, `key leaked into ${where}`).not.toContain(key)
}
