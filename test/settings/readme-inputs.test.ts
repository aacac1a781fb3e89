import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import {
  inputsTable,
  README_PATH,
  REGENERATE_COMMAND,
  withInputsTable
} from '../../scripts/readme-inputs.js'
import { SETTINGS } from '../../src/settings/definitions.js'

describe("README's inputs table", () => {
  it('is the one generated from src/settings/definitions.ts', async () => {
    const readme = await readFile(README_PATH, 'utf8')
    expect(
      withInputsTable(readme) === readme,
      `README.md's inputs table differs from src/settings/definitions.ts: run '${REGENERATE_COMMAND}'`
    ).toBe(true)
  })

  it('has one row per input with its default, or marks it required', () => {
    const rows = inputsTable().split('\n').slice(2)
    expect(rows).toHaveLength(SETTINGS.length)
    expect(rows).toContain(
      '| `api-key` | **required** | Clari API token (sent as header `apikey`); use a secret |'
    )
    expect(rows).toContain(
      '| `currency` | *empty* | ISO currency code, e.g. USD; empty = not sent |'
    )
    expect(rows).toContain(
      '| `artifact-name` | `clari-forecast-{forecast}` | Artifact name; placeholders {forecast}, {period} (first..last), {run-attempt} |'
    )
  })

  it('replaces only what lies between the markers', () => {
    const readme = 'intro\n<!-- inputs:start -->\nold table\n<!-- inputs:end -->\noutro\n'
    expect(withInputsTable(readme)).toBe(
      `intro\n<!-- inputs:start -->\n${inputsTable()}\n<!-- inputs:end -->\noutro\n`
    )
    expect(() => withInputsTable('no markers')).toThrow(/lacks the <!-- inputs:start -->/)
  })
})
