import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import {
  actionFiles,
  formatFinding,
  validateAction,
  validateFile,
  validateWorkflow
} from '../../scripts/validate-actions.js'

const ACTION_YML = await readFile(new URL('../../action.yml', import.meta.url), 'utf8')

describe('validate-actions (npm run lint)', () => {
  it('finds nothing wrong with action.yml and the workflows', async () => {
    const files = await actionFiles()
    expect(files).toContain('action.yml')
    expect(files).toContain('.github/workflows/ci.yml')
    const findings = (await Promise.all(files.map(validateFile))).flat()
    expect(findings.map(formatFinding)).toEqual([])
  })

  it('rejects an action.yml with an unknown runtime or a misspelt key, by line', () => {
    const broken = ACTION_YML.replace('using: node24', 'using: node99').replace(
      /(\n {2}manifest:\n {4})description:/,
      '$1descripton:'
    )
    const findings = validateAction('action.yml', broken)
    const line = (text: string): number => broken.split('\n').findIndex(l => l.includes(text)) + 1
    expect(findings).toEqual([
      expect.objectContaining({
        line: line('descripton:'),
        message: "Unexpected value 'descripton'"
      }),
      expect.objectContaining({ line: line('node99'), message: "Unexpected value 'node99'" })
    ])
  })

  it('rejects a workflow with an unknown trigger, context or property', async () => {
    const workflow = [
      'on: pushh',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo ${{ github.evnt }}',
      '      - run: echo ${{ githubb.sha }}',
      ''
    ].join('\n')
    const findings = await validateWorkflow('.github/workflows/broken.yml', workflow)
    const seen = findings.map(f => [f.by, f.line])
    expect(seen).toContainEqual(['workflow-parser', 1])
    expect(seen).toContainEqual(['workflow-parser', 7])
    expect(seen).toContainEqual(['actionlint', 6])
    expect(formatFinding(findings.find(f => f.by === 'actionlint' && f.line === 6)!)).toMatch(
      /^\.github\/workflows\/broken\.yml:6:\d+: property "evnt" is not defined .*\[expression\] \(actionlint\)$/
    )
  })
})
