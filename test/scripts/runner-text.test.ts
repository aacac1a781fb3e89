import { describe, expect, it } from 'vitest'
import { parseDemoArgs, UsageError } from '../../scripts/demo/args.js'
import { createLogRenderer } from '../../scripts/demo/log-renderer.js'
import {
  displayWidth,
  summaryTables,
  summaryToText,
  textTable
} from '../../scripts/demo/summary-text.js'
import { parseWorkflowCommand } from '../../scripts/demo/workflow-commands.js'
import { element, table, text } from '../../src/action/html.js'
import { parseGithubOutput } from '../helpers/run-bundle.js'

// The runner-facing text the e2e tests and the demo read: GITHUB_OUTPUT, workflow commands,
// the summary HTML. Each reader is checked against what @actions/core really writes.

describe('parseGithubOutput', () => {
  it.each([
    ['a heredoc value', 'ids<<ghadelimiter_1\n{"a":1}\nghadelimiter_1\n', { ids: '{"a":1}' }],
    ['a multi-line value', 'm<<EOF\nline 1\nline 2\nEOF\n', { m: 'line 1\nline 2' }],
    ['an empty value', 'e<<EOF\n\nEOF\n', { e: '' }],
    ['name=value lines', 'a=1\nb=x=y\n', { a: '1', b: 'x=y' }],
    ['a later value winning', 'a=1\na<<D\n2\nD\n', { a: '2' }],
    ['nothing', '', {}]
  ])('reads %s', (_, text, expected) => {
    expect(parseGithubOutput(text)).toEqual(expected)
  })

  it('rejects a heredoc without its closing delimiter', () => {
    expect(() => parseGithubOutput('a<<D\nvalue\n')).toThrow(/'a' has no closing D/)
  })
})

describe('parseWorkflowCommand', () => {
  it.each([
    ['plain log text', 'Created export job 42', undefined],
    ['a line that only looks like one', ':: not a command', undefined],
    [
      'a group',
      '::group::Period 2026_Q1',
      { name: 'group', properties: {}, message: 'Period 2026_Q1' }
    ],
    ['an end of group', '::endgroup::', { name: 'endgroup', properties: {}, message: '' }],
    [
      'an escaped multi-line error',
      '::error::2 problems:%0Aa 100%25 loss%0D',
      { name: 'error', properties: {}, message: '2 problems:\na 100% loss\r' }
    ],
    [
      'properties',
      '::warning file=a%3Ab.ts,line=3,title=x%2Cy::careful',
      {
        name: 'warning',
        properties: { file: 'a:b.ts', line: '3', title: 'x,y' },
        message: 'careful'
      }
    ]
  ])('parses %s', (_, line, expected) => {
    expect(parseWorkflowCommand(line)).toEqual(expected)
  })
})

describe('createLogRenderer', () => {
  const render = (lines: string[], verbose = false): string[] => {
    const out: string[] = []
    const renderLine = createLogRenderer({ write: l => out.push(l), color: false, verbose })
    lines.forEach(renderLine)
    return out
  }
  const log = [
    '::add-mask::s3cret',
    '::group::Period 2026_Q1 (1 of 1)',
    'Created export job 42 with s3cret',
    '::debug::status STARTED',
    '::endgroup::',
    '::warning::slow',
    '::error::2 problems:%0Aone%0Atwo'
  ]

  it('shows groups as indented blocks, masks secrets, labels annotations, hides debug', () => {
    expect(render(log)).toEqual([
      '▸ Period 2026_Q1 (1 of 1)',
      '  Created export job 42 with ***',
      'warning: slow',
      'error: 2 problems:',
      'one',
      'two'
    ])
  })

  it('shows debug lines when verbose', () => {
    expect(render(log, true)).toContain('  debug: status STARTED')
  })
})

describe('summaryToText', () => {
  // Built as the action builds its summary (html.ts): every element closed, text inert.
  const html = [
    element('h2', text('Clari forecast export: net_arr')),
    element('p', text('1 of 2 periods exported.')),
    table([
      ['Period', 'Status', 'Error'],
      ['2026_Q1', '✅ DONE', ''],
      [
        '2026_Q2',
        '❌ FAILED',
        `job ${element('code', '7')} ${text("ended FAILED on Clari's side <x>")}`
      ]
    ]),
    element(
      'p',
      element('a', text('Artifact a'), {
        href: 'https://github.com/o/r/actions/runs/1/artifacts/2'
      })
    ),
    '```mermaid\ngantt\n  dateFormat x\n  section 2026_Q1\n    queued :0, 4000\n    running :active, 4000, 8000\n  section 2026_Q2\n    queued :4000, 6000\n    FAILED :crit, 6000, 12000\n```'
  ].join('\n\n')

  it('reads the table cells, empty ones included', () => {
    expect(summaryTables(html)).toEqual([
      [
        ['Period', 'Status', 'Error'],
        ['2026_Q1', '✅ DONE', ''],
        ['2026_Q2', '❌ FAILED', "job 7 ended FAILED on Clari's side <x>"]
      ]
    ])
  })

  it('renders heading, text, an aligned table, the link and the timeline as plain text', () => {
    expect(summaryToText(html)).toBe(
      [
        'Clari forecast export: net_arr',
        '──────────────────────────────',
        '',
        '1 of 2 periods exported.',
        '',
        'Period   Status     Error',
        `───────  ─────────  ${'─'.repeat("job 7 ended FAILED on Clari's side <x>".length)}`,
        '2026_Q1  ✅ DONE',
        "2026_Q2  ❌ FAILED  job 7 ended FAILED on Clari's side <x>",
        '',
        'Artifact a: https://github.com/o/r/actions/runs/1/artifacts/2',
        '',
        // 12 s over 48 columns: 4 per second.
        '         00:00:00 UTC to 00:00:12 (12 s)',
        `2026_Q1  ${'░'.repeat(16)}${'█'.repeat(16)}`,
        `2026_Q2  ${' '.repeat(16)}${'░'.repeat(8)}${'×'.repeat(24)}`,
        '░ queued  ▒ in Clari  █ running  ▓ downloading  × failed'
      ].join('\n')
    )
  })
})

describe('displayWidth', () => {
  it.each([
    ['', 0],
    ['DONE', 4],
    ['✅', 2],
    ['⏱️', 2],
    ['⏹️ CANCELLED', 12],
    ['é', 1]
  ])('%j takes %i columns', (text, width) => {
    expect(displayWidth(text)).toBe(width)
  })
})

describe('textTable', () => {
  it('pads columns to the widest cell and rules off the header', () => {
    expect(textTable([['a', 'bb'], ['ccc', ''], ['d']])).toBe(
      ['a    bb', '───  ──', 'ccc', 'd'].join('\n')
    )
  })
})

describe('parseDemoArgs', () => {
  it.each([
    [[], { scenario: 'happy', verbose: false, node24: false, help: false }],
    [
      ['--scenario', 'failure'],
      { scenario: 'failure', verbose: false, node24: false, help: false }
    ],
    [
      ['--scenario=failure', '--verbose'],
      { scenario: 'failure', verbose: true, node24: false, help: false }
    ],
    [['--node24', '-h'], { scenario: 'happy', verbose: false, node24: true, help: true }]
  ])('reads %j', (argv, expected) => {
    expect(parseDemoArgs(argv)).toEqual(expected)
  })

  it.each([
    [['--scenario', 'chaos'], /--scenario must be one of happy, failure/],
    [['--frobnicate'], /--frobnicate/],
    [['--scenario'], /--scenario/]
  ])('rejects %j', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(UsageError)
    expect(() => parseDemoArgs(argv)).toThrow(message)
  })
})
