/**
 * Turns the job summary (the HTML @actions/core writes to GITHUB_STEP_SUMMARY) into plain text
 * for a terminal. It handles what core.summary emits, not arbitrary HTML.
 */
export function summaryToText(html: string): string {
  // Tables are rendered apart, so text decoded inside a cell is never taken for a tag.
  return html
    .split(/(<table>[\s\S]*?<\/table>)/)
    .map(part =>
      part.startsWith('<table>') ? `\n${textTable(tableRows(part))}\n` : flowText(part)
    )
    .join('')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

// Tags go first and entities are decoded once, last, so decoded text is never read as markup.
function flowText(html: string): string {
  const text = html
    // A diagram's source says nothing in a terminal; GitHub draws it in the web summary.
    .replace(/```mermaid\n[\s\S]*?```/g, '(a chart: GitHub draws it in the job summary)')
    .replace(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/g, (_, _level, title: string) => {
      const plain = title.replace(/<[^>]+>/g, '')
      return `${plain}\n${'─'.repeat(displayWidth(decodeEntities(plain)))}\n`
    })
    .replace(/<a [^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g, '$2: $1')
    .replace(/<br\s*\/?>/g, '\n')
    .replace(/<hr\s*\/?>/g, `\n${'─'.repeat(40)}\n`)
    .replace(/<li[^>]*>/g, '\n• ')
  return decodeEntities(text.replace(/<[^>]+>/g, ''))
}

/** Every table in the summary as rows of cell texts (header row included). */
export function summaryTables(html: string): string[][][] {
  return [...html.matchAll(/<table>([\s\S]*?)<\/table>/g)].map(m => tableRows(m[1] ?? ''))
}

/** Columns padded to the widest cell; a rule under the first row. */
export function textTable(rows: string[][]): string {
  const columns = Math.max(0, ...rows.map(r => r.length))
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(0, ...rows.map(r => displayWidth(r[c] ?? '')))
  )
  const line = (cells: string[]): string =>
    widths
      .map((width, c) => {
        const cell = cells[c] ?? ''
        return cell + ' '.repeat(width - displayWidth(cell))
      })
      .join('  ')
      .trimEnd()
  const [header, ...body] = rows
  if (!header) return ''
  return [line(header), line(widths.map(w => '─'.repeat(w))), ...body.map(line)].join('\n')
}

// Zero-width joiner and the text/emoji variation selectors.
const ZERO_WIDTH = new Set(['\u200d', '\ufe0e', '\ufe0f'])

/** Terminal columns: emoji (presentation, or followed by VS16) take two, joiners none. */
export function displayWidth(text: string): number {
  let width = 0
  const chars = [...text]
  chars.forEach((char, i) => {
    if (ZERO_WIDTH.has(char) || /\p{Mn}/u.test(char)) return
    const wide = /\p{Emoji_Presentation}/u.test(char) || chars[i + 1] === '\ufe0f'
    width += wide ? 2 : 1
  })
  return width
}

// core.summary leaves an empty cell unclosed (`<td>`), so a cell ends at the next cell or row tag.
function tableRows(tableHtml: string): string[][] {
  return tableHtml
    .split(/<tr[^>]*>/)
    .slice(1)
    .map(row =>
      [...row.matchAll(/<t[hd][^>]*>([\s\S]*?)(?=<\/?t[hdr][\s>]|$)/g)].map(m =>
        inlineText(m[1] ?? '')
      )
    )
}

function inlineText(html: string): string {
  return decodeEntities(html.replace(/<[^>]+>/g, ''))
    .replace(/\s+/g, ' ')
    .trim()
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' '
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X'))
      return String.fromCodePoint(parseInt(body.slice(2), 16))
    if (body.startsWith('#')) return String.fromCodePoint(Number(body.slice(1)))
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity
  })
}
