import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { GENERATED, ROOT } from '../../scripts/generate.js'

const read = (file: string): Promise<string> => readFile(path.join(ROOT, file), 'utf8')

describe('npm run generate', () => {
  it.each(GENERATED.map(entry => [entry.file, entry] as const))(
    '%s is current',
    async (file, entry) => {
      const current = await read(file)
      expect(
        (await entry.render(current)) === current,
        `${file} differs from ${entry.from}: run npm run generate`
      ).toBe(true)
    }
  )

  it("keeps action.yml's hand-written parts and writes only its inputs and outputs", async () => {
    const entry = GENERATED.find(e => e.file === 'action.yml')!
    const current = await read('action.yml')
    const edited = current
      .replace(/^name: .*$/m, 'name: Renamed')
      .replace(/^inputs:\n/m, 'inputs:\n  stray:\n    description: a hand-made input\n')
    const action = parse(await entry.render(edited)) as Record<string, unknown>
    expect(action).toEqual({ ...(parse(current) as object), name: 'Renamed' })
  })
})
