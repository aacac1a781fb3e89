import { parseArgs, type ParseArgsConfig } from 'node:util'
import { errorMessage } from '../engine/index.js'
import type { SettingName } from '../settings/definitions.js'
import { ACTION_ONLY_INPUTS, API_KEY_ENV, CLI_FLAGS } from './flags.js'

export type CliCommand =
  { kind: 'help' } | { kind: 'run'; inputs: Partial<Record<SettingName, string>> }

/** A command line that cannot be run; the message says what to type instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}

const TERSE_ERRORS = ['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL']
const HELP_HINT = 'Run clari-export --help to see every flag.'

/** Turns argv into raw input strings, exactly as a workflow would pass them to the action. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
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
      `--${actionFlag} applies only to the GitHub Action, which works with workflow artifacts; clari-export writes the files to --output-dir. ${HELP_HINT}`
    )
  }
  let values: Record<string, string | string[] | boolean | undefined>
  try {
    values = parseArgs({ args: [...argv], options: OPTIONS, strict: true }).values as typeof values
  } catch (error) {
    const message = errorMessage(error)
    // Node's hint for these is about positional arguments, which this command has none of.
    const code = (error as { code?: string }).code ?? ''
    const text = TERSE_ERRORS.includes(code) ? message.split(/\.\s/)[0]! : message
    throw new UsageError(`${text.replace(/\s*\n\s*/g, ' ').replace(/\.$/, '')}. ${HELP_HINT}`)
  }
  if (values.help) return { kind: 'help' }

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

const OPTIONS = buildOptions()

function buildOptions(): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean', short: 'h' }
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
