import { micromark } from 'micromark'
import { gfm, gfmHtml } from 'micromark-extension-gfm'
import { allElements, parseStrictHtml, type HtmlElement } from './strict-html.js'

/**
 * Markdown to HTML as GitHub reads a job summary: CommonMark with GitHub's extensions (tables,
 * autolinks of bare URLs and `www.`, strikethrough) by micromark, which follows cmark-gfm; raw
 * HTML passes through, as the summary allows it.
 */
export function renderGithubMarkdown(markdown: string): string {
  return micromark(markdown, {
    allowDangerousHtml: true,
    extensions: [gfm()],
    htmlExtensions: [gfmHtml()]
  })
}

/** The rendered page's elements, read strictly (every element closed). */
export function renderedElements(markdown: string): HtmlElement[] {
  return allElements(parseStrictHtml(renderGithubMarkdown(markdown)))
}
