import { parseArgs, type ParseArgsConfig } from 'node:util'
import { errorMessage } from '../base/error-message.js'
import { TABLE_FORMATS, type TableFormat } from '../engine/table-layout.js'
import type { SettingName } from '../settings/definitions.js'
import { closestName } from './did-you-mean.js'
import { ACTION_ONLY_INPUTS, API_KEY_ENV, CLI_FLAGS } from './flags.js'

/** The commands clari-export has: each has its own --help. */
export type Subcommand = 'export' | 'tables'

export type CliCommand =
  | { kind: 'help'; command: Subcommand }
  /** No arguments at all: the short usage. */
  | { kind: 'usage' }
  | { kind: 'version' }
  | { kind: 'run'; inputs: Partial<Record<SettingName, string>> }
  | TablesCommand

/** `clari-export tables <folder | payload.json>…`: tables of exports already on disk. */
export interface TablesCommand {
  kind: 'tables'
  format: TableFormat
  /** Where `tables/` goes; default: each payload's own folder. */
  outputDir?: string
  csvFormulaGuard: boolean
  /** Export folders (their manifest.json lists the payloads) and payload files. */
  paths: string[]
}

/** A command line that cannot be run; the message says what to type instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

const TERSE_ERRORS = ['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL']

const helpHint = (command: Subcommand): string =>
  `Run clari-export ${command === 'export' ? '' : `${command} `}--help to see every flag.`

/** Turns argv into raw input strings, exactly as a workflow would pass them to the action. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  if (argv.length === 0) return { kind: 'usage' }
  if (argv[0] === 'tables') return parseTablesArgs(argv.slice(1))
  // Checked before parsing so that no error message can ever repeat the key's value.
  if (argv.some(arg => arg === '--api-key' || arg.startsWith('--api-key='))) {
    throw new UsageError(
      `--api-key is not accepted: a key on the command line stays in your shell history. Set the ${API_KEY_ENV} environment variable instead.`
    )
  }
  const actionFlag = ACTION_ONLY_INPUTS.find(name =>
    argv.some(arg => arg === `--${name}` || arg.startsWith(`--${name}=`))
  )
  if (actionFlag) {
    throw new UsageError(
      `--${actionFlag} applies only to the GitHub Action, which works with workflow artifacts; clari-export writes the files to --output-dir. ${helpHint('export')}`
    )
  }
  const { values } = parse('export', { args: [...argv], options: OPTIONS, strict: true })
  if (values.help) return { kind: 'help', command: 'export' }
  if (values.version) return { kind: 'version' }

  const inputs: Partial<Record<SettingName, string>> = {}
  for (const flag of CLI_FLAGS) {
    const value = values[flag.name]
    if (!flag.boolean) {
      // Repeating --periods adds entries, like a newline-separated list in a workflow.
      if (value !== undefined) inputs[flag.name] = [value].flat().join('\n')
      continue
    }
    const negated = values[`no-${flag.name}`] === true
    if (value === true && negated) {
      throw new UsageError(`--${flag.name} and --no-${flag.name} contradict each other`)
    }
    if (value === true) inputs[flag.name] = 'true'
    if (negated) inputs[flag.name] = 'false'
  }
  return { kind: 'run', inputs }
}

function parseTablesArgs(argv: readonly string[]): CliCommand {
  const { values, positionals } = parse('tables', {
    args: [...argv],
    options: {
      tables: { type: 'string' },
      'output-dir': { type: 'string' },
      'no-csv-formula-guard': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' }
    },
    allowPositionals: true,
    strict: true
  })
  if (values.help) return { kind: 'help', command: 'tables' }
  const given = String(values.tables ?? 'ndjson')
  const format = TABLE_FORMATS.find(f => f === given.toLowerCase())
  if (!format) {
    throw new UsageError(
      `clari-export tables --tables takes ${TABLE_FORMATS.join(', ')}, not "${given}"`
    )
  }
  if (positionals.length === 0) {
    throw new UsageError(
      'clari-export tables needs an export folder or payload files to convert, e.g. clari-export tables clari-export'
    )
  }
  const outputDir = values['output-dir'] === undefined ? undefined : String(values['output-dir'])
  const csvFormulaGuard = values['no-csv-formula-guard'] !== true
  return { kind: 'tables', format, outputDir, csvFormulaGuard, paths: positionals }
}

type Parsed = {
  values: Record<string, string | string[] | boolean | undefined>
  positionals: string[]
}

/** parseArgs, whose errors name the subcommand's help and, for a mistyped flag, the closest one. */
function parse(command: Subcommand, config: ParseArgsConfig): Parsed {
  try {
    return parseArgs(config) as Parsed
  } catch (error) {
    const message = errorMessage(error)
    const code = (error as { code?: string }).code ?? ''
    // Node's hint for these is about positional arguments ("place it after --"), which only
    // a command that takes them (tables) keeps; a mistyped flag gets a suggestion instead.
    const terse = TERSE_ERRORS.includes(code) && !config.allowPositionals
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && /'(-[^']*)'/.exec(message)?.[1]
    const text = terse || unknown ? message.split(/\.\s/)[0]! : message
    const flags = Object.keys(config.options ?? {}).map(name => `--${name}`)
    const suggestion = unknown ? closestName(unknown.split('=')[0]!, flags) : undefined
    const didYouMean = suggestion ? ` Did you mean ${suggestion}?` : ''
    throw new UsageError(
      `${text.replace(/\s*\n\s*/g, ' ').replace(/\.$/, '')}.${didYouMean} ${helpHint(command)}`
    )
  }
}

const OPTIONS = buildOptions()

function buildOptions(): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' }
  }
  for (const flag of CLI_FLAGS) {
    if (!flag.boolean) {
      options[flag.name] = { type: 'string', multiple: flag.name === 'periods' }
      continue
    }
    options[flag.name] = { type: 'boolean' }
    if (flag.default !== 'false') options[`no-${flag.name}`] = { type: 'boolean' }
  }
  return options
}
