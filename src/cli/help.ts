import packageJson from '../../package.json' with { type: 'json' }
import type { Subcommand } from './args.js'
import { API_KEY_ENV, CLI_FLAGS, type CliFlag } from './flags.js'

const WIDTH = 100
const FLAG_COLUMN = 34

const EXPORT_USAGE = 'clari-export --forecast-id <id> --periods <list> [options]'
const TABLES_USAGE = 'clari-export tables [options] <export-folder | payload.json>...'

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
      ...entry('tables', 'Tables of exports already on disk (clari-export tables --help)'),
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
      '  clari-export tables --tables parquet clari-export'
    ]),
  tables: () =>
    lines([
      `Usage: ${TABLES_USAGE}`,
      '',
      ...wrap(
        "Writes the five warehouse tables (entries, users, fields, time_periods, time_frames) of JSON payloads an export already wrote, as the action's tables input does, to tables/<table>/snapshot_date=<YYYY-MM-DD>/<forecast-id>_<period>_<job-id>.<format>. Every row carries the payload's snapshot (snapshotAt, jobId), read from the manifest.json the export wrote beside the payloads: given a folder, every payload its manifest lists as DONE is converted; given files, manifest.json is skipped and each payload must be listed in the manifest.json of its own folder. Needs no API key and makes no request; manifest.json is left as it is.",
        WIDTH
      ),
      '',
      'Options:',
      ...entry('--tables <format>', 'ndjson (default), csv or parquet'),
      ...entry('--output-dir <dir>', "Where tables/ goes instead of each payload's folder"),
      ...entry(
        '--no-csv-formula-guard',
        "CSV: keep cells that start with =, +, -, @, a tab or a carriage return as they are (by default they get a leading ')"
      ),
      ...entry('-h, --help', 'Show this help and exit'),
      '',
      'Exit status:',
      ...entry('0', 'every payload converted'),
      ...entry('1', 'a folder or payload could not be converted (each one is named)'),
      ...entry('130', 'interrupted with Ctrl-C'),
      '',
      'Examples:',
      '  clari-export tables clari-export',
      '  clari-export tables --tables csv --output-dir warehouse clari-export/*.json'
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
