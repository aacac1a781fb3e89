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
  for (const [where, text] of await outputChannels(result, key)) {
    expect(text, `key leaked into ${where}`).not.toContain(key)
  }
}

/** Not even a part of the key: no run of `size` of its characters is anywhere a user can see. */
export async function expectNoKeyFragment(
  result: BundleResult,
  key: string,
  size: number
): Promise<void> {
  const fragments = Array.from({ length: key.length - size + 1 }, (_, i) => key.slice(i, i + size))
  for (const [where, text] of await outputChannels(result, key)) {
    const leaked = fragments.filter(fragment => text.includes(fragment))
    expect(leaked, `parts of the key leaked into ${where}`).toEqual([])
  }
}

async function outputChannels(result: BundleResult, key: string): Promise<[string, string][]> {
  const lines = result.stdout.split('\n')
  expect(lines[0], 'the key is masked before anything is printed').toBe(`::add-mask::${key}`)
  const log = lines.filter(line => !line.startsWith('::add-mask::')).join('\n')
  return [
    ['stdout', log],
    ['stderr', result.stderr],
    ['GITHUB_OUTPUT', result.outputFile],
    ['GITHUB_STEP_SUMMARY', result.summary],
    ...[...(await readFolder(result.workspace))].map(([name, bytes]): [string, string] => [
      `workspace file ${name}`,
      bytes.toString('latin1')
    ])
  ]
}
