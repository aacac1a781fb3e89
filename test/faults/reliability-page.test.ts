import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { REGENERATE, RELIABILITY_PAGE, renderMatrix, withMatrix } from './render-matrix.js'

describe("docs/reliability.md's fault matrix", () => {
  it('is the table rendered from the fault matrix the tests run', async () => {
    const page = await readFile(RELIABILITY_PAGE, 'utf8')
    expect(
      withMatrix(page, renderMatrix()) === page,
      `docs/reliability.md's fault matrix differs from test/faults/matrix.ts; run: ${REGENERATE}`
    ).toBe(true)
  })
})
