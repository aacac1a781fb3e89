import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { expect } from 'vitest'
import type { ExportEvent } from '../../src/engine/events.js'
import type { RunReport } from '../../src/engine/run/run-export.js'
import { TEST_API_KEY, type Harness } from '../helpers/engine-harness.js'
import { sha256 } from '../simulators/clari/index.js'

/** Longest error text the engine may hand to a log line or the manifest. */
export const MAX_ERROR_CHARS = 700

/**
 * What must hold after every run, whatever went wrong: finished periods are on disk exactly as
 * Clari served them and listed in the manifest, no period got two jobs, no half-written file is
 * left, and the key is in nothing the run produced.
 */
export async function expectNothingLostOrLeaked(
  h: Harness,
  report: RunReport,
  events: readonly ExportEvent[]
): Promise<void> {
  const onDisk = JSON.parse(await readFile(report.manifestPath, 'utf8')) as unknown
  expect(onDisk).toEqual(report.manifest)

  const done = report.manifest.exports.filter(o => o.status === 'DONE')
  for (const outcome of done) {
    const bytes = await readFile(path.join(h.dir, outcome.file!))
    const job = h.sim.jobs.find(j => j.jobId === outcome.jobId)
    expect(job, `job ${outcome.jobId} of ${outcome.period}`).toBeDefined()
    expect(outcome.sha256).toBe(sha256(bytes))
    expect(outcome.sha256).toBe(job!.payloadSha256)
    expect(outcome.bytes).toBe(bytes.length)
  }
  expect((await readdir(h.dir)).sort()).toEqual(['manifest.json', ...done.map(o => o.file!)].sort())

  for (const outcome of report.manifest.exports) {
    const jobs = h.sim.jobs.filter(j => j.period === outcome.period)
    expect(jobs.length, `jobs created for ${outcome.period}`).toBeLessThanOrEqual(1)
    if (outcome.status === 'DONE') expect(outcome.jobId).toBe(jobs[0]!.jobId)
  }

  for (const name of await readdir(h.dir)) {
    expectNoKeyPart(await readFile(path.join(h.dir, name), 'utf8'))
  }
  expectCleanText(JSON.stringify(events))
  expectCleanText(JSON.stringify(report))
  for (const text of allStrings([events, report.manifest])) expectCleanText(text)
  for (const outcome of report.manifest.exports) {
    expect((outcome.error ?? '').length).toBeLessThanOrEqual(MAX_ERROR_CHARS)
  }
}

// Every run of 8 characters of the key: none may show anywhere, not only the whole key.
const KEY_PARTS = Array.from({ length: TEST_API_KEY.length - 7 }, (_, i) =>
  TEST_API_KEY.slice(i, i + 8)
)

function expectNoKeyPart(text: string): void {
  expect(KEY_PARTS.filter(part => text.includes(part))).toEqual([])
}

const ESCAPE = '\u001b'
const WORKFLOW_COMMAND = /(^|[\r\n])::/

/** No part of the key, no terminal escape, no line a runner would read as a workflow command. */
export function expectCleanText(text: string): void {
  // The same checks without expect() first: three expect() calls for each string of each run
  // were a sixteenth of the fault matrix's CPU. A text that fails them meets the expectations.
  const clean =
    !KEY_PARTS.some(part => text.includes(part)) &&
    !text.includes(ESCAPE) &&
    !WORKFLOW_COMMAND.test(text)
  if (clean) return
  expectNoKeyPart(text)
  expect(text).not.toContain(ESCAPE)
  expect(text).not.toMatch(WORKFLOW_COMMAND)
}

function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(allStrings)
  if (value && typeof value === 'object') return Object.values(value).flatMap(allStrings)
  return []
}
