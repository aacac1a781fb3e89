import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { InputError } from '../../src/settings/input-error.js'
import { checkOutputDir } from '../../src/settings/output-dir.js'

let base = ''
let workspace = ''
beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'clari-output-dir-'))
  workspace = path.join(base, 'workspace')
  await mkdir(workspace)
})
afterEach(async () => {
  await rm(base, { recursive: true, force: true })
})

const check = (outputDir: string, allowOutside = false) =>
  checkOutputDir(path.resolve(workspace, outputDir), workspace, {
    allowOutside,
    forecastId: 'net_arr'
  })

async function refusal(outputDir: string, allowOutside = false): Promise<InputError> {
  const error: unknown = await check(outputDir, allowOutside).then(
    () => undefined,
    (e: unknown) => e
  )
  if (!(error instanceof InputError))
    throw new Error(`expected an InputError, got ${String(error)}`)
  return error
}

describe('checkOutputDir: output-dir stays inside the workspace', () => {
  it.each(['clari-export', 'exports/clari', './a/../b', path.join('deep', 'not', 'yet', 'made')])(
    'accepts %s',
    async dir => {
      await expect(check(dir)).resolves.toBeUndefined()
    }
  )

  it.each(['../outside', '..', '/tmp/clari', 'a/../../x'])(
    'refuses %s, naming the input and the way out',
    async dir => {
      const error = await refusal(dir)
      expect(error.input).toBe('output-dir')
      expect(error.message).toMatch(/outside the workspace/)
      expect(error.accepted).toMatch(/allow-output-outside-workspace: true/)
    }
  )

  it('refuses a folder inside the workspace that is a symlink out of it', async () => {
    await mkdir(path.join(base, 'elsewhere'))
    await symlink(path.join(base, 'elsewhere'), path.join(workspace, 'out'))
    expect((await refusal('out/clari')).message).toMatch(/outside the workspace/)
  })

  it('accepts a folder outside with allow-output-outside-workspace: true', async () => {
    await expect(check('../outside', true)).resolves.toBeUndefined()
  })

  it('accepts the workspace root while it is empty, or holds only what the action writes', async () => {
    await expect(check('.')).resolves.toBeUndefined()
    await writeFile(
      path.join(workspace, 'manifest.json'),
      JSON.stringify({ tool: 'clari-forecast-export-action' })
    )
    await writeFile(path.join(workspace, 'net_arr_2026_Q1.json'), '{}')
    await mkdir(path.join(workspace, 'tables'))
    await writeFile(path.join(workspace, '.manifest.json.0123456789ab.partial'), '')
    await expect(check('.')).resolves.toBeUndefined()
  })

  it.each([
    ['a manifest.json of its own', 'manifest.json', '{"name": "my-extension"}'],
    ['a checkout', '.git', ''],
    ['a payload of another forecast', 'pipeline_2026_Q1.json', '{}']
  ])(
    'refuses the workspace root holding %s, even when outside is allowed',
    async (_, name, text) => {
      await writeFile(path.join(workspace, name), text)
      const error = await refusal('.', true)
      expect(error.message).toContain(`is the workspace root, which holds "${name}"`)
      expect(error.accepted).toBe('a folder of its own, such as clari-export')
    }
  )
})
