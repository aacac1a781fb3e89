import { readdir, readFile, stat } from 'node:fs/promises'
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

/** Bytes of every file under `dir`, now; 0 once it is gone. */
export async function bytesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  let total = 0
  for (const entry of entries.filter(e => e.isFile())) {
    total += await stat(path.join(entry.parentPath, entry.name)).then(
      info => info.size,
      () => 0
    )
  }
  return total
}

/**
 * The highest value `sample` gives while the watch runs (sampled every `everyMs`), for what a
 * process holds at its worst: memory, or bytes on disk.
 */
export function watchPeak(
  sample: () => Promise<number | undefined>,
  everyMs = 100
): { stop(): Promise<number> } {
  let peak = 0
  let running = true
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, (await sample()) ?? 0)
      await new Promise(resolve => setTimeout(resolve, everyMs))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      return peak
    }
  }
}

/** The process's peak resident memory so far (VmHWM, Linux), in bytes; undefined once it ended. */
export async function peakMemory(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kib = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]
  return kib === undefined ? undefined : Number(kib) * 1024
}
