import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const FIXTURES = path.join(ROOT, 'test/lint/fixtures')
// The repository's own config; `ignore: false` so that the fixtures (ignored by `npm run lint`,
// since they break the rules on purpose) are linted here.
const eslint = new ESLint({ cwd: ROOT, ignore: false })
// The same without no-cycle, which would parse every module the code under test reaches: the
// room rules need only the imports' paths, and the cycle has its own test.
const eslintWithoutCycles = new ESLint({
  cwd: ROOT,
  ignore: false,
  overrideConfig: { rules: { 'import-x/no-cycle': 'off' } }
})

// madge, as `npm run lint:cycles` runs it (the package ships no types: this much is used).
const madge = createRequire(import.meta.url)('madge') as (
  dir: string,
  config: { fileExtensions: string[]; tsConfig: string }
) => Promise<{ circular(): string[][] }>

interface Problem {
  rule: string | null
  message: string
}

/** The problems ESLint reports for `code` as if it were the file at `file` (from the root). */
async function lintAs(file: string, code: string): Promise<Problem[]> {
  const [result] = await eslintWithoutCycles.lintText(code, { filePath: path.join(ROOT, file) })
  return result!.messages.map(m => ({ rule: m.ruleId, message: m.message }))
}

describe('lint keeps the rooms', () => {
  it('rejects the fixture where src/retry imports src/engine', async () => {
    const code = await readFile(path.join(FIXTURES, 'retry-imports-engine.ts'), 'utf8')
    expect(await lintAs('src/retry/retry-imports-engine.ts', code)).toEqual([
      {
        rule: 'import-x/no-restricted-paths',
        message: expect.stringContaining('src/retry may import only src/base')
      }
    ])
  })

  it('lets the same code stand in the engine, which may import itself', async () => {
    const code = await readFile(path.join(FIXTURES, 'retry-imports-engine.ts'), 'utf8')
    expect(
      await lintAs('src/engine/run/imports-run-export.ts', code.replace('../engine/run/', './'))
    ).toEqual([])
  })

  it.each([
    // [file, import, broken rule or null when allowed]
    ['src/index.ts', '../src/action/run.js', null],
    ['src/index.ts', '../src/engine/run/run-export.js', 'import-x/no-restricted-paths'],
    ['src/action/x.ts', '../engine/run/run-export.js', null],
    ['src/action/x.ts', '../engine/index.js', null],
    ['src/action/x.ts', '../settings/parse-settings.js', null],
    ['src/action/x.ts', '../retry/retry.js', 'import-x/no-restricted-paths'],
    ['src/action/x.ts', '../base/abort.js', null],
    ['src/action/x.ts', '../clari/untrusted-text.js', 'import-x/no-restricted-paths'],
    ['src/action/x.ts', '../cli/main.js', 'import-x/no-restricted-paths'],
    ['src/cli/x.ts', '../clari/types.js', 'import-x/no-restricted-paths'],
    ['src/cli/x.ts', '../action/run.js', 'import-x/no-restricted-paths'],
    ['src/settings/x.ts', '../periods/index.js', null],
    ['src/settings/x.ts', '../clari/types.js', 'import-x/no-restricted-paths'],
    ['src/settings/x.ts', '../action/run.js', 'import-x/no-restricted-paths'],
    ['src/engine/x.ts', '../clari/client.js', null],
    ['src/engine/x.ts', './manifest.js', null],
    ['src/engine/x.ts', './run/run-export.js', 'import-x/no-restricted-paths'],
    ['src/engine/x.ts', './checks/csv-check.js', 'import-x/no-restricted-paths'],
    ['src/engine/run/x.ts', '../job/export-period.js', null],
    ['src/engine/run/x.ts', '../reruns/resume.js', null],
    ['src/engine/run/x.ts', '../outcome.js', null],
    ['src/engine/job/x.ts', '../run/scheduler.js', 'import-x/no-restricted-paths'],
    ['src/engine/job/x.ts', '../reruns/resume.js', 'import-x/no-restricted-paths'],
    ['src/engine/job/x.ts', '../tables/write-tables.js', null],
    ['src/engine/job/x.ts', '../checks/payload-file.js', null],
    ['src/engine/reruns/x.ts', '../run/run-export.js', 'import-x/no-restricted-paths'],
    ['src/engine/reruns/x.ts', '../job/export-period.js', 'import-x/no-restricted-paths'],
    ['src/engine/reruns/x.ts', '../manifest.js', null],
    ['src/engine/tables/x.ts', '../checks/json-tokenizer.js', null],
    ['src/engine/tables/x.ts', '../job/download.js', 'import-x/no-restricted-paths'],
    ['src/engine/checks/x.ts', '../tables/write-tables.js', 'import-x/no-restricted-paths'],
    ['src/engine/checks/x.ts', '../errors.js', null],
    ['src/engine/checks/x.ts', '../../clari/types.js', null],
    ['src/engine/x.ts', '../settings/definitions.js', 'import-x/no-restricted-paths'],
    ['src/clari/x.ts', '../retry/retry.js', null],
    ['src/clari/x.ts', '../engine/errors.js', 'import-x/no-restricted-paths'],
    ['src/retry/x.ts', '../periods/index.js', 'import-x/no-restricted-paths'],
    ['src/periods/x.ts', '../retry/backoff.js', 'import-x/no-restricted-paths'],
    ['src/retry/x.ts', '../base/clock.js', null],
    ['src/base/x.ts', '../retry/backoff.js', 'import-x/no-restricted-paths'],
    ['src/base/x.ts', '../engine/errors.js', 'import-x/no-restricted-paths'],
    ['src/action/x.ts', '@actions/core', null],
    ['src/clari/x.ts', '@actions/http-client', null],
    ['src/clari/x.ts', '@actions/core', 'no-restricted-imports'],
    ['src/engine/x.ts', '@actions/core', 'no-restricted-imports'],
    ['src/cli/x.ts', '@actions/github', 'no-restricted-imports']
  ])('%s importing %s: %s', async (file, specifier, rule) => {
    const problems = await lintAs(file, `import * as m from '${specifier}'\n\nexport default m\n`)
    expect(problems.map(p => p.rule)).toEqual(rule ? [rule] : [])
  })

  it('rejects an import cycle', async () => {
    const results = await eslint.lintFiles([path.join(FIXTURES, 'cycle')])
    const problems = results.flatMap(r =>
      r.messages.map(m => [path.basename(r.filePath), m.ruleId, m.message])
    )
    expect(problems).toEqual([
      ['first.ts', 'import-x/no-cycle', expect.stringContaining('Dependency cycle')],
      ['second.ts', 'import-x/no-cycle', expect.stringContaining('Dependency cycle')]
    ])
  })

  it('rejects an import cycle of types only, which no-cycle lets pass', async () => {
    const dir = path.join(FIXTURES, 'type-cycle')
    const results = await eslint.lintFiles([dir])
    expect(results.flatMap(r => r.messages)).toEqual([])
    const graph = await madge(dir, {
      fileExtensions: ['ts'],
      tsConfig: path.join(ROOT, 'tsconfig.json')
    })
    expect(graph.circular()).toEqual([['first.ts', 'second.ts']])
  })
})

describe('lint keeps outputs to the table', () => {
  it.each([
    [
      "import * as core from '@actions/core'\ncore.setOutput('x', 'y')\n",
      'no-restricted-properties'
    ],
    ["import { setOutput } from '@actions/core'\nsetOutput('x', 'y')\n", 'no-restricted-syntax']
  ])('rejects a direct core.setOutput in src/action: %s', async (code, rule) => {
    expect((await lintAs('src/action/x.ts', code)).map(p => p.rule)).toEqual([rule])
  })

  it('lets src/action/outputs.ts itself call it', async () => {
    const code = "import * as core from '@actions/core'\ncore.setOutput('x', 'y')\n"
    expect(await lintAs('src/action/outputs.ts', code)).toEqual([])
  })
})
