/**
 * Writes the README's inputs table from src/settings/definitions.ts, so the documentation
 * cannot drift from what the action reads. Run: npx tsx scripts/readme-inputs.ts
 */
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { SETTINGS } from '../src/settings/definitions.js'

export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url))
export const REGENERATE_COMMAND = 'npx tsx scripts/readme-inputs.ts'
const START = '<!-- inputs:start -->'
const END = '<!-- inputs:end -->'

export function inputsTable(): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|')
  const rows = SETTINGS.map(s => {
    const fallback = 'default' in s ? s.default : undefined
    const shown =
      fallback === undefined ? '**required**' : fallback === '' ? '*empty*' : `\`${fallback}\``
    return `| \`${s.name}\` | ${shown} | ${cell(s.description)} |`
  })
  return ['| input | default | description |', '|---|---|---|', ...rows].join('\n')
}

/** The README with the text between the inputs markers replaced by the generated table. */
export function withInputsTable(readme: string): string {
  const start = readme.indexOf(START)
  const end = readme.indexOf(END)
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`)
  return `${readme.slice(0, start + START.length)}\n${inputsTable()}\n${readme.slice(end)}`
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const readme = await readFile(README_PATH, 'utf8')
  await writeFile(README_PATH, withInputsTable(readme))
  console.log(`Updated the inputs table in ${README_PATH}`)
}
