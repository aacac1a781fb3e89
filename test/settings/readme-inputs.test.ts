import { describe, expect, it } from 'vitest'
import { withDocSection } from '../../scripts/doc-section.js'
import { inputsTable } from '../../scripts/generate.js'
import { SETTINGS } from '../../src/settings/definitions.js'

// That README.md holds this table is checked with every generated file (test/scripts/generate.test.ts).
describe("README's inputs table", () => {
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
    expect(withDocSection(readme, 'inputs', inputsTable(), 'README.md')).toBe(
      `intro\n<!-- inputs:start -->\n${inputsTable()}\n<!-- inputs:end -->\noutro\n`
    )
    expect(() => withDocSection('no markers', 'inputs', '', 'README.md')).toThrow(
      /README.md lacks the <!-- inputs:start -->/
    )
  })
})
