import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { README, REGENERATE, renderMatrix, withSection } from './render-matrix.js'

describe("README's reliability section", () => {
  it('is the table rendered from the fault matrix the tests run', async () => {
    const readme = await readFile(README, 'utf8')
    expect(
      withSection(readme, renderMatrix()) === readme,
      `README.md's reliability section differs from test/faults/matrix.ts; run: ${REGENERATE}`
    ).toBe(true)
  })
})
