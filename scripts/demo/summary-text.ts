/**
 * Turns the job summary (the HTML the action writes to GITHUB_STEP_SUMMARY) into plain text for
 * a terminal: tables as columns, the Mermaid timeline as bars. It handles what the action's
 * summary holds, not arbitrary HTML.
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
    // GitHub draws the chart; a terminal gets one bar per period.
    .replace(/```mermaid\n([\s\S]*?)```/g, (_, source: string) => ganttText(source))
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

function tableRows(tableHtml: string): string[][] {
  return [...tableHtml.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(row =>
    [...(row[1] ?? '').matchAll(/<t[hd]>([\s\S]*?)<\/t[hd]>/g)].map(m => inlineText(m[1] ?? ''))
  )
}

// One character per phase of the summary's gantt chart, as the legend under the bars says.
const PHASE_MARK: Record<string, string> = {
  queued: '░',
  'in Clari': '▒',
  running: '█',
  downloading: '▓'
}
const FAILED_MARK = '×'
const BAR_WIDTH = 48

/**
 * The summary's Mermaid gantt chart (`dateFormat x`: times in ms) as text: one bar per period on
 * a shared time axis.
 */
export function ganttText(source: string): string {
  const sections: { name: string; bars: { phase: string; from: number; to: number }[] }[] = []
  for (const line of source.split('\n')) {
    const section = /^\s*section (.+)$/.exec(line)
    if (section) sections.push({ name: section[1]!, bars: [] })
    const bar = /^\s+(.+?) :(?:[a-z]+, )*(\d+), (\d+)$/.exec(line)
    if (bar && sections.length > 0) {
      sections.at(-1)!.bars.push({ phase: bar[1]!, from: Number(bar[2]), to: Number(bar[3]) })
    }
  }
  const bars = sections.flatMap(s => s.bars)
  if (bars.length === 0) return ''
  const start = Math.min(...bars.map(b => b.from))
  const end = Math.max(...bars.map(b => b.to))
  const at = (t: number): number => ((t - start) / Math.max(1, end - start)) * BAR_WIDTH
  const label = Math.max(...sections.map(s => s.name.length))
  const rows = sections.map(s => {
    const cells = Array.from({ length: BAR_WIDTH }, () => ' ')
    for (const b of s.bars) {
      // From the column the phase starts in to the one it ends in, at least one wide.
      const first = Math.min(BAR_WIDTH - 1, Math.floor(at(b.from)))
      const last = Math.max(first + 1, Math.ceil(at(b.to)))
      cells.fill(PHASE_MARK[b.phase] ?? FAILED_MARK, first, last)
    }
    return `${s.name.padEnd(label)}  ${cells.join('').trimEnd()}`
  })
  const time = (t: number): string => new Date(t).toISOString().slice(11, 19)
  const seconds = Math.round((end - start) / 1000)
  const legend = Object.entries(PHASE_MARK).map(([phase, mark]) => `${mark} ${phase}`)
  return [
    `${' '.repeat(label)}  ${time(start)} UTC to ${time(end)} (${seconds} s)`,
    ...rows,
    [...legend, `${FAILED_MARK} failed`].join('  ')
  ].join('\n')
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
