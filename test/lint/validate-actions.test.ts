import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { startProcess, stopAll, type CliResult } from '../cli/cli-process.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

let dir: string | undefined
afterEach(async () => {
  await stopAll()
  if (dir) await rm(dir, { recursive: true, force: true })
  dir = undefined
})

/** Runs the validators as `npm run lint:actions` does, on `files` (default: the repo's). */
function validate(files: string[] = []): Promise<CliResult> {
  const args = ['--liftoff-only', '--import', 'tsx', 'scripts/validate-actions.ts', ...files]
  return startProcess(process.execPath, args, {
    cwd: ROOT,
    env: process.env,
    timeoutMs: 60_000
  }).result
}

describe('scripts/validate-actions.ts (npm run lint:actions)', () => {
  it("passes the repository's action.yml and workflows", async () => {
    const result = await validate()
    expect(result.stderr).toBe('')
    expect(result.stdout).toMatch(
      /^Validated action\.yml, \.github\/workflows\/ci\.yml, .*: no problems\n$/
    )
    expect(result.code).toBe(0)
  })

  it('fails, naming file, line and validator, on a broken action.yml and a broken workflow', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'validate-actions-'))
    const action = (await readFile(path.join(ROOT, 'action.yml'), 'utf8'))
      .replace('using: node24', 'using: node99')
      .replace(/(\n {2}manifest:\n {4})description:/, '$1descripton:')
    const workflow = [
      'on: pushh',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          fetch-dept: 0',
      '      - run: echo ${{ githubb.sha }}',
      ''
    ].join('\n')
    await mkdir(path.join(dir, '.github', 'workflows'), { recursive: true })
    const actionFile = path.join(dir, 'action.yml')
    const workflowFile = path.join(dir, '.github', 'workflows', 'broken.yml')
    await writeFile(actionFile, action)
    await writeFile(workflowFile, workflow)
    const lineOf = (text: string, needle: string): number =>
      text.split('\n').findIndex(l => l.includes(needle)) + 1

    const result = await validate([actionFile, workflowFile])

    expect(result.code).toBe(1)
    const lines = result.stderr.trimEnd().split('\n')
    expect(lines).toEqual(
      expect.arrayContaining([
        `${actionFile}:${lineOf(action, 'descripton:')}:5: Unexpected value 'descripton' (workflow-parser)`,
        `${actionFile}:${lineOf(action, 'node99')}:10: Unexpected value 'node99' (workflow-parser)`,
        `${workflowFile}:1:5: Unexpected value 'pushh' (workflow-parser)`,
        expect.stringMatching(
          new RegExp(
            `^${workflowFile}:8:11: input "fetch-dept" is not defined in action "actions/checkout@v4".* \\(actionlint\\)$`
          )
        ),
        expect.stringMatching(
          new RegExp(`^${workflowFile}:9:\\d+: .*githubb.* \\(workflow-parser\\)$`)
        )
      ])
    )
  })
})
