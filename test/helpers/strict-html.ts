/**
 * A strict reader of the HTML the job summary holds (and of what a Markdown renderer makes of
 * it). Where a browser forgives, it throws: an element left open, a closing tag that closes
 * nothing or the wrong element, an unquoted or repeated attribute, a `<` or `&` in text that
 * starts no tag or entity.
 */
export interface HtmlElement {
  tag: string
  attributes: Record<string, string>
  children: HtmlNode[]
}
export type HtmlNode = HtmlElement | string

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta'])
const TAG = /^<(\/?)([a-z][a-z0-9]*)((?:\s+[a-z-]+="[^"<]*")*)\s*(\/?)>/
const ATTRIBUTE = /([a-z-]+)="([^"]*)"/g
const ENTITY = /^&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i

export class HtmlSyntaxError extends Error {}

export function parseStrictHtml(html: string): HtmlNode[] {
  const root: HtmlElement = { tag: '#root', attributes: {}, children: [] }
  const open: HtmlElement[] = [root]
  let text = ''
  const flush = (): void => {
    if (text) open.at(-1)!.children.push(decodeEntities(text))
    text = ''
  }
  const fail = (at: number, problem: string): never => {
    throw new HtmlSyntaxError(`${problem} at ${at}: ${JSON.stringify(html.slice(at, at + 60))}`)
  }
  for (let i = 0; i < html.length;) {
    const rest = html.slice(i)
    if (rest.startsWith('<')) {
      const tag = TAG.exec(rest)
      if (!tag) fail(i, 'a "<" that starts no tag')
      const [whole, closing, name, attrs, selfClosing] = tag!
      flush()
      if (closing) {
        const current = open.at(-1)!
        if (current.tag !== name) fail(i, `</${name}> while <${current.tag}> is open`)
        open.pop()
      } else {
        const attributes: Record<string, string> = {}
        for (const [, key, value] of attrs!.matchAll(ATTRIBUTE)) {
          if (Object.hasOwn(attributes, key!)) fail(i, `attribute ${key} twice`)
          attributes[key!] = decodeEntities(value!)
        }
        const element: HtmlElement = { tag: name!, attributes, children: [] }
        open.at(-1)!.children.push(element)
        if (selfClosing && !VOID.has(name!)) fail(i, `<${name}/> is not a void element`)
        if (!VOID.has(name!)) open.push(element)
      }
      i += whole.length
      continue
    }
    if (rest.startsWith('&') && !ENTITY.test(rest)) fail(i, 'an "&" that starts no entity')
    text += html[i]
    i++
  }
  flush()
  if (open.length > 1) {
    throw new HtmlSyntaxError(
      `unclosed: ${open
        .slice(1)
        .map(e => `<${e.tag}>`)
        .join(' ')}`
    )
  }
  return root.children
}

/** Every element, at any depth, in document order. */
export function allElements(nodes: HtmlNode[]): HtmlElement[] {
  return nodes.flatMap(node =>
    typeof node === 'string' ? [] : [node, ...allElements(node.children)]
  )
}

export function textContent(node: HtmlNode | HtmlNode[]): string {
  if (Array.isArray(node)) return node.map(textContent).join('')
  return typeof node === 'string' ? node : textContent(node.children)
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/gi, (entity, body: string) => {
    if (/^#x/i.test(body)) return String.fromCodePoint(parseInt(body.slice(2), 16))
    if (body.startsWith('#')) return String.fromCodePoint(Number(body.slice(1)))
    return NAMED[body] ?? entity
  })
}
