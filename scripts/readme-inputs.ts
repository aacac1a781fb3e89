/**
 * Writes the README's inputs table from src/settings/definitions.ts, so the documentation
 * cannot drift from what the action reads. Run: npx tsx scripts/readme-inputs.ts
 */
import { pathToFileURL } from 'node:url'
import { SETTINGS } from '../src/settings/definitions.js'
import { README_PATH, tableCell, updateDocSection, withDocSection } from './doc-section.js'

export { README_PATH }
export const REGENERATE_COMMAND = 'npx tsx scripts/readme-inputs.ts'

export function inputsTable(): string {
  const rows = SETTINGS.map(s => {
    const fallback = 'default' in s ? s.default : undefined
    const shown =
      fallback === undefined ? '**required**' : fallback === '' ? '*empty*' : `\`${fallback}\``
    return `| \`${s.name}\` | ${shown} | ${tableCell(s.description)} |`
  })
  return ['| input | default | description |', '|---|---|---|', ...rows].join('\n')
}

/** The README with the text between the inputs markers replaced by the generated table. */
export function withInputsTable(readme: string): string {
  return withDocSection(readme, 'inputs', inputsTable())
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await updateDocSection(README_PATH, 'inputs', inputsTable())
}
