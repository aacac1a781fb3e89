import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { text } from '../../src/action/html.js'
import { writePlanSummary, writeSummary } from '../../src/action/summary.js'
import type { Manifest, PeriodOutcome } from '../../src/engine/outcome.js'
import type { RunReport } from '../../src/engine/run/run-export.js'
import { renderedElements, renderGithubMarkdown } from '../helpers/github-markdown.js'
import { NO_PAYLOAD, periodOutcome } from '../helpers/period-outcome.js'
import { parseStrictHtml, textContent, type HtmlElement } from '../helpers/strict-html.js'

// core.summary appends to the file GITHUB_STEP_SUMMARY names (and remembers that name), as on
// a runner: one file for this test file, emptied before each test.
let dir: string
let summaryFile: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clari-summary-'))
  summaryFile = path.join(dir, 'step-summary.md')
  process.env.GITHUB_STEP_SUMMARY = summaryFile
})
beforeEach(async () => writeFile(summaryFile, ''))
afterAll(async () => {
  delete process.env.GITHUB_STEP_SUMMARY
  await rm(dir, { recursive: true, force: true })
})

async function fixture(name: string): Promise<RunReport> {
  const raw = JSON.parse(await readFile(new URL(`fixtures/${name}.json`, import.meta.url), 'utf8'))
  return report(raw.manifest, raw.requestCount)
}

function report(manifest: Manifest, requestCount: number): RunReport {
  return {
    manifest,
    manifestPath: '/work/clari-export/manifest.json',
    exported: manifest.exports.filter(o => o.status === 'DONE'),
    failed: manifest.exports.filter(o => o.status !== 'DONE'),
    requestCount
  }
}

async function render(
  r: RunReport,
  artifact?: Parameters<typeof writeSummary>[1]
): Promise<string> {
  await writeSummary(r, artifact)
  return readFile(summaryFile, 'utf8')
}

function mermaidBlock(summary: string): string[] {
  const match = /\n```mermaid\n([\s\S]*?)```\n/.exec(summary)
  expect(match, 'a ```mermaid block on its own lines').not.toBeNull()
  return match![1]!.trimEnd().split('\n')
}

const ms = (iso: string): number => Date.parse(iso)

describe('job summary', () => {
  it('shows totals, one row per period, a gantt timeline and the artifact (all DONE)', async () => {
    const r = await fixture('all-done')
    const summary = await render(r, {
      name: 'clari-net_arr-2026_Q2..2026_Q4-1',
      uploaded: {
        id: 42,
        name: 'clari-net_arr-2026_Q2..2026_Q4-1',
        url: 'https://github.com/o/r/actions/runs/1/artifacts/42'
      }
    })

    expect(summary).toContain('<h2>Clari forecast export: net_arr</h2>')
    expect(summary).toContain(
      '3 of 3 periods exported, 5.9 MiB, 27 requests to Clari, 1 throttle wait.'
    )
    expect(summary).toContain(
      '<tr><td>2026_Q3</td><td>✅ DONE</td><td><code>6073683781a6da229df71e01</code></td><td>2.4 MiB</td>'
    )
    const [q2] = r.manifest.exports
    const t = q2!.timeline
    expect(mermaidBlock(summary).slice(0, 7)).toEqual([
      'gantt',
      '  dateFormat x',
      '  axisFormat %H:%M:%S',
      '  section 2026_Q2',
      `    queued :${ms(t.createdAt!)}, ${ms(t.runningAt!)}`,
      `    running :active, ${ms(t.runningAt!)}, ${ms(t.doneAt!)}`,
      `    downloading :done, ${ms(t.doneAt!)}, ${ms(t.downloadedAt!)}`
    ])
    expect(summary).toContain(
      '<details><summary>Times (UTC)</summary><table><tr><th>Period</th><th>Queued</th><th>Running</th><th>Done</th><th>Downloaded</th></tr>' +
        '<tr><td>2026_Q2</td><td>06:17:02</td><td>06:17:22</td><td>06:20:36</td><td>06:20:38</td></tr>'
    )
    expect(summary).toContain(
      '<a href="https://github.com/o/r/actions/runs/1/artifacts/42">Artifact clari-net_arr-2026_Q2..2026_Q4-1</a>'
    )
    await expect(summary).toMatchFileSnapshot('__snapshots__/all-done.md')
  })

  it('marks a failed period red until the action gave up on it and leaves out periods that never got a job', async () => {
    const summary = await render(await fixture('one-failed'))

    expect(summary).toContain(
      '1 of 3 periods exported, 500 KiB, 19 requests to Clari, 2 throttle waits.'
    )
    const gantt = mermaidBlock(summary)
    const q3 = gantt.slice(gantt.indexOf('  section 2026_Q3') + 1)
    expect(q3).toEqual([
      expect.stringMatching(/^ {4}queued :\d{13}, \d{13}$/),
      expect.stringMatching(/^ {4}FAILED :crit, \d{13}, 1795846779226$/)
    ])
    // Q2 went from queued to DONE between two checks: never seen running.
    expect(gantt).toContainEqual(expect.stringMatching(/^ {4}in Clari :\d{13}, \d{13}$/))
    expect(gantt.join('\n')).not.toContain('2026_Q4')
    expect(summary).toContain('<tr><td>2026_Q4</td><td></td><td></td><td></td><td></td></tr>')
    expect(summary).toContain('not started: fail-fast after 2026_Q3 failed')
    await expect(summary).toMatchFileSnapshot('__snapshots__/one-failed.md')
  })

  it('has no timeline when no period got a job', async () => {
    const r = await fixture('one-failed')
    r.manifest.exports = r.manifest.exports.filter(o => !o.jobId)
    const summary = await render(report(r.manifest, 2))
    expect(summary).not.toContain('mermaid')
    expect(summary).not.toContain('Timeline')
    expect(summary).toContain('0 of 1 period exported')
  })

  it('escapes server text and stays far below the 1 MiB limit with 40 hostile periods', async () => {
    const base = (await fixture('one-failed')).manifest.exports[1]!
    const hostile = '</td></table><script>alert(1)</script>```mermaid\n<img src=x onerror=1>&amp;'
    const exports: PeriodOutcome[] = Array.from({ length: 40 }, (_, i) => ({
      ...base,
      period: `${2000 + i}_Q1`,
      jobId: `<b>${i}</b>`,
      // The client caps server text at 300 characters; this is the worst of those.
      error: (hostile + '<'.repeat(300)).slice(0, 300)
    }))
    const summary = await render(
      report(
        {
          tool: 'clari-forecast-export-action',
          manifestVersion: 2,
          forecastId: 'net_arr',
          runAttempt: 1,
          request: { exportFormat: 'JSON' },
          startedAt: '',
          finishedAt: '',
          exports
        },
        120
      ),
      { name: 'x', error: 'upload said <i>no</i>' }
    )

    expect(Buffer.byteLength(summary)).toBeLessThan(256 * 1024)
    expect(summary).not.toMatch(/<script|<img|<b>|<i>|<\/td><\/table><script/)
    expect(summary).toContain('&#60;/td&#62;&#60;/table&#62;&#60;script&#62;')
    expect(summary).toContain(
      'Artifact x: upload failed: <code>upload said &#60;i&#62;no&#60;/i&#62;</code>'
    )
    // Only our own fence: server text cannot open or close a code block.
    expect(summary.match(/```/g)).toHaveLength(2)
    expect(summary.split('\n').filter(line => line.startsWith('```'))).toEqual([
      '```mermaid',
      '```'
    ])
  })
})

/** The summary's HTML parts (the blocks between blank lines, but for the Mermaid fence). */
function htmlBlocks(summary: string): string[] {
  return summary
    .trim()
    .split(/\n\n+/)
    .filter(block => !block.startsWith('```'))
}

describe('the summary is well-formed HTML', () => {
  it.each(['all-done', 'one-failed'])(
    'every element of %s closes, written and as GitHub renders it',
    async name => {
      const summary = await render(await fixture(name), {
        name: 'x',
        uploaded: { id: 1, name: 'x', url: 'https://github.com/o/r/actions/runs/1/artifacts/1' }
      })
      // one-failed has empty cells: the toolkit's own table wrote them as an unclosed `<td>`.
      for (const block of htmlBlocks(summary)) expect(() => parseStrictHtml(block)).not.toThrow()
      expect(() => renderedElements(summary)).not.toThrow()
      expect(renderedElements(summary).filter(e => e.tag === 'pre')).toHaveLength(1)
    }
  )

  it('a dry run writes the plan, the quota left and the slots free', async () => {
    await writePlanSummary({
      forecastId: 'net_arr',
      periods: ['2026_Q1', '2026_Q2'],
      limits: {
        monthlyQuota: 1000,
        availableMonthlyQuota: 1,
        concurrentLimit: 3,
        availableConcurrentLimit: 2
      },
      concurrency: 2,
      waves: 1,
      problem: "the run needs 2 export jobs but Clari's quota has 1 left (of 1000 per 30 days)"
    })
    const summary = await readFile(summaryFile, 'utf8')
    const elements = renderedElements(summary)
    const texts = elements.filter(e => e.tag === 'p').map(e => textContent(e))
    expect(elements[0]).toMatchObject({ tag: 'h2' })
    expect(textContent(elements[0]!)).toBe('Clari forecast export: net_arr (dry run)')
    expect(texts).toEqual([
      'Plan: export net_arr for 2026_Q1, 2026_Q2 (2 export jobs; dry run: no job created)',
      'Clari export quota left: 1 of 1000 per 30 days; concurrency slots free: 2 of 3',
      'Would export 2 periods at once: 1 wave of jobs',
      "⚠️ Dry run: the run needs 2 export jobs but Clari's quota has 1 left (of 1000 per 30 days)"
    ])
  })
})

// What a hostile service might say: a tracking pixel, a phishing link, bare URLs GitHub would
// link, markup, a code span and a fence, table pipes, emphasis, an entity, lines.
const HOSTILE = [
  '![pixel](https://attacker.example/p.png) [Re-authenticate here](https://attacker.example/login)',
  'https://attacker.example/x www.attacker.example mail@attacker.example <https://attacker.example>',
  '<script>alert(1)</script><img src=x onerror=1><a href="https://attacker.example">a</a>',
  '`code` ``` | a | b | *em* _em_ ~~s~~ &amp; [ref]: https://attacker.example',
  'line one\n\n# heading\n- item\r\n> quote'
].join(' ')
const ALLOWED_TAGS = new Set(['h2', 'h3', 'p', 'table', 'tr', 'th', 'td', 'code', 'pre'])
const ALLOWED_TAGS_WITH_TIMES = new Set([...ALLOWED_TAGS, 'details', 'summary'])

describe('every text from a service is inert in the summary', () => {
  // Every field of the report that the summary shows: each one hostile at once.
  function hostileReport(): RunReport {
    const outcome = (period: string, extra: Partial<PeriodOutcome>): PeriodOutcome =>
      periodOutcome(period, { status: 'FAILED', jobId: undefined, ...NO_PAYLOAD, ...extra })
    return report(
      {
        tool: 'clari-forecast-export-action',
        manifestVersion: 2,
        forecastId: `net_arr ${HOSTILE}`,
        runAttempt: 2,
        request: { exportFormat: 'JSON' },
        startedAt: '',
        finishedAt: '',
        exports: [
          // Clari's error text, a job id, the period itself.
          outcome(`2026_Q1 ${HOSTILE}`, { jobId: HOSTILE, error: HOSTILE }),
          outcome('2026_Q2', {
            status: 'DONE',
            file: HOSTILE,
            bytes: 10,
            reusedFromAttempt: 1,
            errorCode: HOSTILE,
            errorId: HOSTILE
          })
        ]
      },
      3
    )
  }

  it.each([
    { name: 'an upload that failed', artifact: { name: HOSTILE, error: HOSTILE } },
    {
      name: 'an artifact without a url',
      artifact: { name: HOSTILE, uploaded: { id: 7, name: HOSTILE } }
    },
    {
      name: 'an uploaded artifact',
      artifact: {
        name: HOSTILE,
        uploaded: { id: 7, name: HOSTILE, url: 'https://github.com/o/r/actions/runs/1/artifacts/7' }
      }
    }
  ])('no link, image or markup of its own: $name', async ({ artifact }) => {
    const summary = await render(hostileReport(), artifact)
    const elements = renderedElements(summary)

    const tags = new Set(elements.map(e => e.tag))
    const links = elements.filter(e => e.tag === 'a')
    const own = artifact.uploaded && 'url' in artifact.uploaded ? [artifact.uploaded.url] : []
    expect(links.map(a => a.attributes.href)).toEqual(own)
    expect([...tags].filter(tag => tag !== 'a' && !ALLOWED_TAGS.has(tag))).toEqual([])
    // The text is shown as it came, on one line: read, not run.
    const flat = HOSTILE.replace(/\s+/g, ' ')
    const cells = elements.filter(e => e.tag === 'td').map(e => textContent(e))
    expect(cells).toContain(`❌ FAILED`)
    expect(cells).toContain(flat)
    expect(textContent(elements.find(e => e.tag === 'h2')!)).toBe(
      `Clari forecast export: net_arr ${flat}`
    )
    const last = elements.filter(e => e.tag === 'p').at(-1)!
    expect(textContent(last)).toContain(`Artifact ${flat}`)
    if (artifact.error) expect(textContent(last)).toContain(flat + flat.slice(0, 0))
  })

  it('is inert as Markdown on its own too, outside any HTML block', () => {
    const rendered = renderGithubMarkdown(`Error: ${text(HOSTILE)}`)
    const [paragraph, ...more] = parseStrictHtml(rendered.trim())
    expect(more).toEqual([])
    expect((paragraph as HtmlElement).tag).toBe('p')
    // Only text in it: no link, image, code, emphasis or markup, and every character kept.
    expect((paragraph as HtmlElement).children).toEqual([`Error: ${HOSTILE.replace(/\s+/g, ' ')}`])
  })

  it('keeps the timeline and its times table inert too', async () => {
    const r = hostileReport()
    r.manifest.exports[0]!.timeline = {
      createdAt: '2026-11-28T06:17:02.114Z',
      endedAt: '2026-11-28T06:18:02.114Z'
    }
    const summary = await render(r)
    const tags = new Set(renderedElements(summary).map(e => e.tag))
    expect([...tags].filter(tag => !ALLOWED_TAGS_WITH_TIMES.has(tag))).toEqual([])
    expect(summary.split('\n').filter(line => line.startsWith('```'))).toEqual([
      '```mermaid',
      '```'
    ])
  })
})
