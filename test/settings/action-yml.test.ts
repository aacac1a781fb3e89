import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { SETTINGS } from '../../src/settings/definitions.js'

interface ActionInput {
  description: string
  required?: boolean
  default?: string
}

async function actionInputs(): Promise<Record<string, ActionInput>> {
  const text = await readFile(new URL('../../action.yml', import.meta.url), 'utf8')
  return (parse(text) as { inputs: Record<string, ActionInput> }).inputs
}

describe('action.yml', () => {
  it('declares exactly the inputs of src/settings/definitions.ts, in the same order', async () => {
    expect(Object.keys(await actionInputs())).toEqual(SETTINGS.map(s => s.name))
  })

  it.each(SETTINGS.map(s => [s.name, s] as const))(
    '%s has the same default, required flag and description',
    async (name, setting) => {
      const input = (await actionInputs())[name]!
      const fallback = 'default' in setting ? setting.default : undefined
      // The runner fills in defaults as strings: a YAML number or boolean would be a drift.
      expect(input).toEqual({
        description: setting.description,
        required: fallback === undefined,
        ...(fallback === undefined ? {} : { default: fallback })
      })
    }
  )
})
