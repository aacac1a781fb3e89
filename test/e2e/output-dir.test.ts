import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TEST_API_KEY } from '../helpers/test-api-key.js'
import { disposeBundles, nodeRuntimes, runBundle } from '../helpers/run-bundle.js'
import { startClariSimulator, type ClariSimulator } from '../simulators/clari/index.js'
import { readFolder } from './bundle-checks.js'

const [runtime] = await nodeRuntimes()

/** output-dir as the runner gives it to the bundle: the workspace is its base, and its fence. */
describe(`output-dir stays inside the workspace (dist/index.js under ${runtime!.label})`, () => {
  let sim: ClariSimulator
  let base = ''
  beforeAll(async () => {
    sim = await startClariSimulator({ apiKey: TEST_API_KEY, plan: { durationMs: 300 } })
    base = await mkdtemp(path.join(os.tmpdir(), 'clari-fence-'))
  })
  afterAll(async () => {
    await sim?.close()
    await rm(base, { recursive: true, force: true })
  })
  afterEach(disposeBundles)

  /** A run in a workspace of its own under `base`, with `files` in it first. */
  async function runIn(inputs: Record<string, string>, files: Record<string, string> = {}) {
    const workspace = await mkdtemp(path.join(base, 'workspace-'))
    for (const [name, text] of Object.entries(files)) {
      await writeFile(path.join(workspace, name), text)
    }
    const before = sim.requests.length
    const result = await runBundle({
      runtime: runtime!,
      workspace,
      inputs: {
        'api-key': TEST_API_KEY,
        'forecast-id': 'net_arr',
        periods: '2026_Q1',
        'api-url': sim.url,
        upload: 'false',
        'poll-interval': '1',
        ...inputs
      }
    })
    return { result, workspace, requests: sim.requests.length - before }
  }

  it.each<[string, () => string]>([
    ['../ out of it', () => '../outside'],
    ['an absolute path elsewhere', () => path.join(base, 'elsewhere')]
  ])(
    'refuses output-dir as %s before any request, naming the input and the way out',
    async (_, outputDir) => {
      const { result, requests } = await runIn({ 'output-dir': outputDir() })
      expect(result.exitCode).toBe(1)
      expect(requests).toBe(0)
      expect(result.stdout).toMatch(
        /::error::Input 'output-dir' is ".*", outside the workspace ".*"\. Accepted: a folder inside the workspace, such as clari-export; or set allow-output-outside-workspace: true\./
      )
    }
  )

  it("refuses output-dir . when the workspace holds the repository's own manifest.json, and leaves it as it was", async () => {
    const own = '{"name": "my-browser-extension", "manifest_version": 3}'
    const { result, workspace, requests } = await runIn(
      { 'output-dir': '.' },
      { 'manifest.json': own, 'README.md': '# repo' }
    )
    expect(result.exitCode).toBe(1)
    expect(requests).toBe(0)
    expect(result.stdout).toContain(
      `::error::Input 'output-dir' is the workspace root, which holds "README.md", not written by this action`
    )
    expect(await readFile(path.join(workspace, 'manifest.json'), 'utf8')).toBe(own)
  })

  it('exports outside the workspace with allow-output-outside-workspace: true', async () => {
    const outside = path.join(base, 'outside')
    await mkdir(outside, { recursive: true })
    const { result } = await runIn({
      'output-dir': outside,
      'allow-output-outside-workspace': 'true'
    })
    expect(result.exitCode).toBe(0)
    expect([...(await readFolder(outside)).keys()]).toEqual([
      'manifest.json',
      'net_arr_2026_Q1.json'
    ])
  })
})
