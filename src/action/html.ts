/**
 * The job summary's HTML. GitHub reads the summary as Markdown, so text must be inert twice:
 * as HTML, and as Markdown in case it is ever read outside an HTML block. Every element closes.
 */

// HTML's specials, and what Markdown would make a link, image, code span, emphasis, table cell,
// escape or e-mail autolink of. An `_` inside a word starts no emphasis (net_arr stays legible).
const SPECIAL = /[&<>"'`\\[\]*~|@]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu

/** Text as inert HTML and Markdown, on one line: server text can start nothing. */
export function text(value: string): string {
  return (
    value
      .replace(/[\s\p{Cc}]+/gu, ' ')
      .replace(SPECIAL, c => `&#${c.charCodeAt(0)};`)
      // GFM links a bare URL (`https://…`) and `www.` followed by a domain on their own.
      .replace(/:\/\//g, '&#58;//')
      .replace(/\b(www)\./gi, '$1&#46;')
  )
}

/** `<tag attributes>content</tag>`: content is HTML already (use `text` for text). */
export function element(
  tag: string,
  content: string,
  attributes: Record<string, string> = {}
): string {
  const attrs = Object.entries(attributes)
    .map(([name, value]) => ` ${name}="${value.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)}"`)
    .join('')
  return `<${tag}${attrs}>${content}</${tag}>`
}

/** A table: the first row as header cells; every cell HTML already. */
export function table(rows: readonly (readonly string[])[]): string {
  const [header = [], ...body] = rows
  const row = (cells: readonly string[], tag: 'th' | 'td'): string =>
    element('tr', cells.map(cell => element(tag, cell)).join(''))
  return element('table', [row(header, 'th'), ...body.map(cells => row(cells, 'td'))].join(''))
}
