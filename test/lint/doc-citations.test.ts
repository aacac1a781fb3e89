import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CODE_FOLDERS = ['src', 'test', 'bench', 'scripts']
const CODE_FILE = /\.(ts|js)$/
/** A citation of a page of docs/, with the heading it points at if any. */
const CITATION = /docs\/([\w-]+\.md)(?:#([\w-]+))?/g
/** The pages of docs/. */
const PAGES = ['architecture', 'clari-api', 'performance', 'reliability', 'retry-policy']
/** A page cited without its folder (the form that dangled before docs/ existed). */
const BARE_PAGE = new RegExp(
  `(?<![\\w/-])(${[...PAGES, 'github-actions', 'design'].join('|')})\\.md`
)
/** A link to a heading of the README. */
const README_LINK = /\]\(README\.md#([\w-]+)\)/g
/** A citation by section number, which breaks silently when sections move. */
const BY_SECTION = /\.md\s*§/

/**
 * The anchors GitHub gives a Markdown page's headings: lower case, punctuation dropped, spaces
 * as hyphens, a repeated heading numbered; headings inside code fences do not count.
 */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced
    const heading = fenced ? null : /^#{1,6}\s+(.*)$/.exec(line)
    if (!heading) continue
    const slug = heading[1]!
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, '')
      .replace(/ /g, '-')
    const repeats = seen.get(slug) ?? 0
    seen.set(slug, repeats + 1)
    anchors.add(repeats === 0 ? slug : `${slug}-${repeats}`)
  }
  return anchors
}

async function codeFiles(): Promise<string[]> {
  const nested = await Promise.all(
    CODE_FOLDERS.map(async folder => {
      const entries = await readdir(path.join(ROOT, folder), { recursive: true })
      return entries.filter(f => CODE_FILE.test(f)).map(f => path.join(folder, f))
    })
  )
  const top = (await readdir(ROOT)).filter(f => CODE_FILE.test(f))
  return [...top, ...nested.flat()]
}

const pages = new Map<string, Set<string>>()
async function anchorsOf(page: string): Promise<Set<string> | undefined> {
  if (!pages.has(page)) {
    const text = await readFile(path.join(ROOT, 'docs', page), 'utf8').catch(() => undefined)
    if (text === undefined) return undefined
    pages.set(page, headingAnchors(text))
  }
  return pages.get(page)
}

/** Every citation in `text` that names a missing page or heading, as "page#anchor". */
async function danglingCitations(text: string): Promise<string[]> {
  const dangling: string[] = []
  for (const [, page, anchor] of text.matchAll(CITATION)) {
    const anchors = await anchorsOf(page!)
    if (!anchors || (anchor !== undefined && !anchors.has(anchor))) {
      dangling.push(`${page}${anchor ? `#${anchor}` : ''}`)
    }
  }
  return dangling
}

describe('headingAnchors', () => {
  it.each([
    ['# Retry policy', 'retry-policy'],
    ['## Layer 1: per-call retries', 'layer-1-per-call-retries'],
    ['### Failures, fail-fast and run-wide stops', 'failures-fail-fast-and-run-wide-stops'],
    ['### Reading `Retry-After`', 'reading-retry-after'],
    ['## The API (v4) as used', 'the-api-v4-as-used']
  ])('%s → #%s', (heading, anchor) => {
    expect([...headingAnchors(heading)]).toEqual([anchor])
  })

  it('numbers repeated headings and skips code fences', () => {
    const text = ['## Sources', '```md', '## Not a heading', '```', '## Sources'].join('\n')
    expect([...headingAnchors(text)]).toEqual(['sources', 'sources-1'])
  })
})

describe('documents cited by the code', () => {
  it('every page and heading of docs/ cited in src, test, bench and scripts exists', async () => {
    const dangling: string[] = []
    for (const file of await codeFiles()) {
      const text = await readFile(path.join(ROOT, file), 'utf8')
      for (const citation of await danglingCitations(text)) dangling.push(`${file}: ${citation}`)
    }
    expect(dangling).toEqual([])
  })

  it('cites pages by their path in docs/, never by a bare name or a section number', async () => {
    const offending: string[] = []
    for (const file of await codeFiles()) {
      const lines = (await readFile(path.join(ROOT, file), 'utf8')).split('\n')
      lines.forEach((line, i) => {
        if (BARE_PAGE.test(line) || BY_SECTION.test(line)) offending.push(`${file}:${i + 1}`)
      })
    }
    expect(offending).toEqual([])
  })

  it('every link between the docs and the README, and within each, lands on a heading', async () => {
    const docs = (await readdir(path.join(ROOT, 'docs'))).filter(f => f.endsWith('.md'))
    expect(docs).toEqual(expect.arrayContaining(PAGES.map(page => `${page}.md`)))
    const readmeAnchors = headingAnchors(await readFile(path.join(ROOT, 'README.md'), 'utf8'))
    const dangling: string[] = []
    for (const file of ['README.md', ...docs.map(d => `docs/${d}`)]) {
      const text = await readFile(path.join(ROOT, file), 'utf8')
      const local = path.dirname(file) === 'docs'
      // Links inside docs/ are relative (`<page>.md#…`, `#…`, `../README.md#…`): make them
      // paths from the root; the README's own `#…` links point into the README.
      const links = local
        ? text
            .replace(/\]\(([\w-]+\.md)/g, '](docs/$1')
            .replace(/\]\(#/g, `](docs/${path.basename(file)}#`)
            .replace(/\]\(\.\.\/README\.md/g, '](README.md')
        : text.replace(/\]\(#/g, '](README.md#')
      for (const citation of await danglingCitations(links)) dangling.push(`${file}: ${citation}`)
      for (const [, anchor] of links.matchAll(README_LINK)) {
        if (!readmeAnchors.has(anchor!)) dangling.push(`${file}: README.md#${anchor}`)
      }
    }
    expect(dangling).toEqual([])
  })
})
