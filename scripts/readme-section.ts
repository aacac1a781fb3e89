import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

/** Generated parts of the README sit between `<!-- name:start -->` and `<!-- name:end -->`. */
export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url))

/** The README with the text between the markers of section `name` replaced by `body`. */
export function withReadmeSection(readme: string, name: string, body: string): string {
  const startMarker = `<!-- ${name}:start -->`
  const endMarker = `<!-- ${name}:end -->`
  const start = readme.indexOf(startMarker)
  const end = readme.indexOf(endMarker)
  if (start < 0 || end < start) {
    throw new Error(`README.md lacks the ${startMarker} … ${endMarker} markers`)
  }
  return `${readme.slice(0, start + startMarker.length)}\n${body}\n${readme.slice(end)}`
}

/** Rewrites section `name` of README.md with `body` (what the generator scripts run). */
export async function updateReadmeSection(name: string, body: string): Promise<void> {
  const readme = await readFile(README_PATH, 'utf8')
  await writeFile(README_PATH, withReadmeSection(readme, name, body))
  console.log(`Updated the ${name} section of ${README_PATH}`)
}

/** Text for a Markdown table cell: a bare `|` would end the cell. */
export function tableCell(text: string): string {
  return text.replaceAll('|', '\\|')
}
