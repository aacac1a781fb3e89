import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

/**
 * Generated parts of README.md and of the pages in docs/ sit between `<!-- name:start -->` and
 * `<!-- name:end -->`.
 */
export const README_PATH = path.join(ROOT, 'README.md')

/** `text`, the page at `file`, with the text between the markers of section `name` replaced by `body`. */
export function withDocSection(
  text: string,
  name: string,
  body: string,
  file: string = README_PATH
): string {
  const startMarker = `<!-- ${name}:start -->`
  const endMarker = `<!-- ${name}:end -->`
  const start = text.indexOf(startMarker)
  const end = text.indexOf(endMarker)
  if (start < 0 || end < start) {
    throw new Error(`${path.relative(ROOT, file)} lacks the ${startMarker} … ${endMarker} markers`)
  }
  return `${text.slice(0, start + startMarker.length)}\n${body}\n${text.slice(end)}`
}

/** Rewrites section `name` of the page at `file` with `body` (what the generator scripts run). */
export async function updateDocSection(file: string, name: string, body: string): Promise<void> {
  const text = await readFile(file, 'utf8')
  await writeFile(file, withDocSection(text, name, body, file))
  console.log(`Updated the ${name} section of ${file}`)
}

/** Text for a Markdown table cell: a bare `|` would end the cell. */
export function tableCell(text: string): string {
  return text.replaceAll('|', '\\|')
}
