/**
 * Writes the README's outputs table from src/action/outputs.ts, so the documentation cannot
 * drift from what the action sets. Run: npx tsx scripts/readme-outputs.ts
 */
import { pathToFileURL } from 'node:url'
import { OUTPUTS } from '../src/action/outputs.js'
import { README_PATH, tableCell, updateDocSection, withDocSection } from './doc-section.js'

export const REGENERATE_COMMAND = 'npx tsx scripts/readme-outputs.ts'

export function outputsTable(): string {
  const rows = OUTPUTS.map(o => `| \`${o.name}\` | ${tableCell(o.description)} |`)
  return ['| output | description |', '|---|---|', ...rows].join('\n')
}

/** The README with the text between the outputs markers replaced by the generated table. */
export function withOutputsTable(readme: string): string {
  return withDocSection(readme, 'outputs', outputsTable())
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await updateDocSection(README_PATH, 'outputs', outputsTable())
}
