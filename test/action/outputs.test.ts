import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest'
import { parse } from 'yaml'
import { outputsTable } from '../../scripts/generate.js'
import { OUTPUTS, setOutput } from '../../src/action/outputs.js'

async function actionOutputs(): Promise<Record<string, unknown>> {
  const text = await readFile(new URL('../../action.yml', import.meta.url), 'utf8')
  return (parse(text) as { outputs: Record<string, unknown> }).outputs
}

describe('action.yml', () => {
  it('declares exactly the outputs of src/action/outputs.ts, in the same order', async () => {
    expect(Object.keys(await actionOutputs())).toEqual(OUTPUTS.map(o => o.name))
  })

  it.each(OUTPUTS.map(o => [o.name, o] as const))(
    '%s has the same description',
    async (name, output) => {
      expect((await actionOutputs())[name]).toEqual({ description: output.description })
    }
  )
})

// That README.md holds this table is checked with every generated file (test/scripts/generate.test.ts).
describe("README's outputs table", () => {
  it('has one row per output, with its description', () => {
    const rows = outputsTable().split('\n').slice(2)
    expect(rows).toHaveLength(OUTPUTS.length)
    expect(rows).toContain(
      '| `artifact-digest` | SHA-256 digest of the uploaded artifact (`sha256:<hex>`) |'
    )
  })
})

describe('setOutput', () => {
  let dir: string | undefined
  const saved = process.env.GITHUB_OUTPUT
  afterEach(async () => {
    if (saved === undefined) delete process.env.GITHUB_OUTPUT
    else process.env.GITHUB_OUTPUT = saved
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it('writes a declared output to GITHUB_OUTPUT as the runner reads it', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'outputs-'))
    process.env.GITHUB_OUTPUT = path.join(dir, 'github-output')
    await writeFile(process.env.GITHUB_OUTPUT, '')

    setOutput('exported', '["2026_Q1"]')
    setOutput('artifact-id', 42)

    const text = await readFile(process.env.GITHUB_OUTPUT, 'utf8')
    expect(text).toMatch(/^exported<<(ghadelimiter_[\w-]+)\n\["2026_Q1"\]\n\1\n/)
    expect(text).toMatch(/\nartifact-id<<(ghadelimiter_[\w-]+)\n42\n\1\n$/)
  })

  it('takes only the names action.yml declares', () => {
    expectTypeOf(setOutput).toBeCallableWith('job-ids', '{}')
    // @ts-expect-error: 'job-id' is not an output (a typo the compiler must catch).
    expectTypeOf(setOutput).toBeCallableWith('job-id', '{}')
  })
})
