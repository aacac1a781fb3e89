import packageJson from '../../package.json' with { type: 'json' }
import type { Subcommand } from './args.js'
import { API_KEY_ENV, CLI_FLAGS, type CliFlag } from './flags.js'

const WIDTH = 100
const FLAG_COLUMN = 34

const EXPORT_USAGE = 'clari-export --forecast-id <id> --periods <list> [options]'
const TABLES_USAGE =
  'clari-export tables [--tables ndjson|csv] [--output-dir <dir>] <payload.json>...'

const EXAMPLES = [
  `  read -rs ${API_KEY_ENV} && export ${API_KEY_ENV}`,
  '  clari-export --forecast-id net_arr --periods previous,current --fiscal-year-start-month 2'
]

/** Each command's `--help`: the generic part (usage, options, exit status) is built here. */
const HELP: Record<Subcommand, () => string> = {
  export: () =>
    lines([
      `Usage: ${EXPORT_USAGE}`,
      `       ${TABLES_USAGE}`,
      '',
      ...wrap(
        'Exports Clari forecast data on this machine, as the GitHub Action does: one export job per fiscal quarter (one at a time, or --max-concurrent-jobs at once), each payload and manifest.json written to --output-dir, a summary table at the end. After an interruption, the same command with --resume finishes the run instead of exporting again.',
        WIDTH
      ),
      '',
      'Options:',
      ...CLI_FLAGS.flatMap(flagEntries),
      ...entry('-h, --help', 'Show this help and exit'),
      ...entry('--version', 'Show the version and exit'),
      '',
      'Commands:',
      ...entry('tables', 'Tables of payloads already on disk (clari-export tables --help)'),
      '',
      'Environment:',
      ...entry(
        API_KEY_ENV,
        'Clari API token (required; never a flag, so it stays out of shell history)'
      ),
      '',
      'Exit status:',
      ...entry('0', 'every period exported (dry run: the run fits the quota left)'),
      ...entry(
        '1',
        'a period failed, an input is invalid, the dry run does not fit the quota, or no arguments'
      ),
      ...entry('130', 'interrupted with Ctrl-C, after cancelling the jobs in flight'),
      '',
      'Example:',
      ...EXAMPLES,
      '  clari-export tables --tables csv clari-export/*.json'
    ]),
  tables: () =>
    lines([
      `Usage: ${TABLES_USAGE}`,
      '',
      ...wrap(
        "Writes the five tables of each JSON payload (named <forecast-id>_<YYYY_QN>.json, as an export names it) to tables/<table>/ in the payload's own folder. Needs no API key and makes no request; manifest.json is left as it is.",
        WIDTH
      ),
      '',
      'Options:',
      ...entry('--tables <format>', 'ndjson (default) or csv'),
      ...entry('--output-dir <dir>', "Where tables/ goes instead of each payload's folder"),
      ...entry('-h, --help', 'Show this help and exit'),
      '',
      'Example:',
      '  clari-export tables --tables csv clari-export/*.json'
    ])
}

/** `clari-export <command> --help`. */
export function helpText(command: Subcommand): string {
  return HELP[command]()
}

/** `clari-export` with no arguments: what it does, how to start, where the rest is. */
export function usageText(): string {
  return lines([
    `Usage: ${EXPORT_USAGE}`,
    `       ${TABLES_USAGE}`,
    '',
    'Exports Clari forecast data per fiscal quarter to a folder, with a manifest.',
    '',
    'Example:',
    ...EXAMPLES,
    '',
    'clari-export --help lists every flag; clari-export tables --help the tables command.'
  ])
}

/** `clari-export --version`: the version package.json had when the bundle was built. */
export function versionText(): string {
  return `clari-export ${packageJson.version}\n`
}

function lines(text: string[]): string {
  return `${text.join('\n')}\n`
}

function flagEntries(flag: CliFlag): string[] {
  const note =
    flag.default === undefined
      ? ' (required)'
      : flag.default === '' || flag.boolean
        ? ''
        : ` (default: ${flag.default})`
  if (!flag.boolean) return entry(`--${flag.name} <value>`, flag.description + note)
  if (flag.default === 'false') return entry(`--${flag.name}`, flag.description)
  return [
    ...entry(`--${flag.name}`, flag.description + (flag.default === 'true' ? ' (default)' : '')),
    ...entry(`--no-${flag.name}`, `Turn off --${flag.name}`)
  ]
}

function entry(label: string, description: string): string[] {
  const [first = '', ...rest] = wrap(description, WIDTH - FLAG_COLUMN)
  const head = `  ${label}`
  const lines =
    head.length < FLAG_COLUMN
      ? [head.padEnd(FLAG_COLUMN) + first]
      : [head, ' '.repeat(FLAG_COLUMN) + first]
  return [...lines, ...rest.map(line => ' '.repeat(FLAG_COLUMN) + line)]
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line ? `${line} ${word}` : word
    }
  }
  if (line) lines.push(line)
  return lines
}
