/**
 * `npm run generate`: writes every file derived from a table in the code, one entry below per
 * file, then rebuilds dist/ (`npm run build`). Edit the table, never the generated text:
 * test/scripts/generate.test.ts fails while an entry differs from its file, and .ci/run builds
 * dist/ and fails when that changes anything.
 *
 *   npm run generate                   the files below, then dist/
 *   npm run generate -- --no-build     the files below only
 */
import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { parseDocument, Scalar } from 'yaml'
import { OUTPUTS } from '../src/action/outputs.js'
import {
  ENDPOINTS,
  LOOPED,
  RETRY_RULES,
  type ClariRule,
  type Endpoint
} from '../src/clari/retry-rules.js'
import { DEFAULT_RETRY_LIMITS } from '../src/retry/retry.js'
import { SETTINGS } from '../src/settings/definitions.js'
import { renderMatrix } from '../test/faults/render-matrix.js'
import { tableCell, withDocSection } from './doc-section.js'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface GeneratedFile {
  /** Relative to the repository root. */
  file: string
  /** Where its generated parts come from. */
  from: string
  /** The file's text made from its current text: the hand-written parts are kept as they are. */
  render(current: string): string | Promise<string>
}

export const GENERATED: readonly GeneratedFile[] = [
  {
    file: 'action.yml',
    from: 'src/settings/definitions.ts (inputs) and src/action/outputs.ts (outputs)',
    render: actionYml
  },
  {
    file: 'README.md',
    from: 'src/settings/definitions.ts (inputs) and src/action/outputs.ts (outputs)',
    render: text =>
      withDocSection(
        withDocSection(text, 'inputs', inputsTable(), 'README.md'),
        'outputs',
        outputsTable(),
        'README.md'
      )
  },
  {
    file: 'docs/reliability.md',
    from: 'test/faults/matrix.ts',
    render: text => withDocSection(text, 'reliability', renderMatrix(), 'docs/reliability.md')
  },
  {
    file: 'docs/retry-policy.md',
    from: 'src/clari/retry-rules.ts',
    render: text => withDocSection(text, 'retry-rules', retryRulesTable(), 'docs/retry-policy.md')
  }
]

/**
 * action.yml with its inputs and outputs written from the tables; its name, description,
 * branding and runs are kept as written there. Descriptions are single-quoted, as Prettier
 * formats them, and defaults always are: the runner hands inputs over as strings.
 */
async function actionYml(current: string): Promise<string> {
  const doc = parseDocument(current)
  const quoted = (value: string): Scalar =>
    Object.assign(new Scalar(value), { type: 'QUOTE_SINGLE' })
  const inputs = SETTINGS.map(setting => {
    const fallback = 'default' in setting ? setting.default : undefined
    const input = { description: quoted(setting.description), required: fallback === undefined }
    return [setting.name, fallback === undefined ? input : { ...input, default: quoted(fallback) }]
  })
  doc.set('inputs', doc.createNode(Object.fromEntries(inputs)))
  const outputs = OUTPUTS.map(output => [output.name, { description: output.description }])
  doc.set('outputs', doc.createNode(Object.fromEntries(outputs)))
  const file = path.join(ROOT, 'action.yml')
  const options = await prettier.resolveConfig(file)
  return prettier.format(doc.toString({ lineWidth: 0 }), { ...options, filepath: file })
}

/** The README's inputs table: name, default (or required), description. */
export function inputsTable(): string {
  const rows = SETTINGS.map(s => {
    const fallback = 'default' in s ? s.default : undefined
    const shown =
      fallback === undefined ? '**required**' : fallback === '' ? '*empty*' : `\`${fallback}\``
    return `| \`${s.name}\` | ${shown} | ${tableCell(s.description)} |`
  })
  return ['| input | default | description |', '|---|---|---|', ...rows].join('\n')
}

/** The README's outputs table. */
export function outputsTable(): string {
  const rows = OUTPUTS.map(o => `| \`${o.name}\` | ${tableCell(o.description)} |`)
  return ['| output | description |', '|---|---|', ...rows].join('\n')
}

/**
 * The table of retry rules: one line per answer and rule, the endpoints that share it together,
 * listed by status with a Clari code before its bare 400.
 */
export function retryRulesTable(): string {
  const { maxAttempts, maxThrottleMs } = DEFAULT_RETRY_LIMITS
  // Object.entries lists number-like keys first, whatever the table's order.
  const rank = (answer: string): number =>
    (parseInt(answer) || 1_000) + (answer.includes(' ') ? 0 : 0.5)
  const answers = Object.entries(RETRY_RULES).sort(([a], [b]) => rank(a) - rank(b))
  const lines = [
    '| Answer | Requests | Verdict | Within one call | Within a poll loop |',
    '|---|---|---|---|---|'
  ]
  for (const [answer, rules] of answers) {
    const groups = new Map<string, Endpoint[]>()
    for (const endpoint of ENDPOINTS) {
      const key = JSON.stringify(rules[endpoint])
      groups.set(key, [...(groups.get(key) ?? []), endpoint])
    }
    for (const endpoints of groups.values()) {
      const rule: ClariRule = rules[endpoints[0]!]
      const looped = endpoints.some(e => LOOPED.includes(e))
      const named = endpoints.length === ENDPOINTS.length ? 'all' : endpoints.join(', ')
      let call = '—'
      let loop = '—'
      if (rule.verdict === 'retry') {
        call =
          rule.perCall === undefined
            ? `${maxAttempts} attempts`
            : `${rule.perCall} retries, within the ${maxAttempts} attempts`
        if (looped) {
          loop =
            rule.perLoop === undefined
              ? 'missed checks until `job-timeout`'
              : `${rule.perLoop} missed checks, then the period fails`
        }
      } else if (rule.verdict === 'throttle') {
        call = `waits as asked, using no attempt; ${maxThrottleMs / 60_000} min of waits at most`
        if (looped) loop = 'missed checks until `job-timeout`'
      }
      lines.push(`| ${answer} | ${named} | ${rule.verdict} | ${call} | ${loop} |`)
    }
  }
  return lines.join('\n')
}

/** Writes every entry whose file differs from what it renders; returns the files written. */
export async function generate(): Promise<string[]> {
  const written: string[] = []
  for (const entry of GENERATED) {
    const file = path.join(ROOT, entry.file)
    const current = await readFile(file, 'utf8')
    const next = await entry.render(current)
    if (next === current) continue
    await writeFile(file, next)
    written.push(entry.file)
  }
  return written
}

function npmRun(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', script], { cwd: ROOT, stdio: 'inherit' })
    child.on('error', reject)
    child.on('exit', code =>
      code === 0 ? resolve() : reject(new Error(`npm run ${script} exited with ${code}`))
    )
  })
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const written = await generate()
  for (const entry of GENERATED) {
    console.log(`${written.includes(entry.file) ? 'updated  ' : 'unchanged'} ${entry.file}`)
  }
  if (!process.argv.includes('--no-build')) await npmRun('build')
}
