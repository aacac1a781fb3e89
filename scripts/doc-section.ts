/**
 * Generated parts of README.md and of the pages in docs/ sit between `<!-- name:start -->` and
 * `<!-- name:end -->`; scripts/generate.ts writes them.
 */

/**
 * `text`, the page `file` (named in the error when the markers are missing), with the text
 * between the markers of section `name` replaced by `body`.
 */
export function withDocSection(text: string, name: string, body: string, file: string): string {
  const startMarker = `<!-- ${name}:start -->`
  const endMarker = `<!-- ${name}:end -->`
  const start = text.indexOf(startMarker)
  const end = text.indexOf(endMarker)
  if (start < 0 || end < start) {
    throw new Error(`${file} lacks the ${startMarker} … ${endMarker} markers`)
  }
  return `${text.slice(0, start + startMarker.length)}\n${body}\n${text.slice(end)}`
}

/** Text for a Markdown table cell: a bare `|` would end the cell. */
export function tableCell(text: string): string {
  return text.replaceAll('|', '\\|')
}
