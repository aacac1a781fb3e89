import { API_KEY_ENV, CLI_FLAGS, type CliFlag } from './flags.js'

const WIDTH = 100
const FLAG_COLUMN = 34

/** `clari-export --help`, generated from the inputs table. */
export function helpText(): string {
  const options = [
    ...CLI_FLAGS.flatMap(flagEntries),
    ...entry('-h, --help', 'Show this help and exit')
  ]
  return [
    'Usage: clari-export --forecast-id <id> --periods <list> [options]',
    '       clari-export tables [--tables ndjson|csv] [--output-dir <dir>] <payload.json>...',
    '',
    ...wrap(
      'Runs the Clari forecast export of the GitHub Action on this machine: one export job per fiscal quarter (one at a time, or --max-concurrent-jobs at once), each payload and manifest.json written to --output-dir, a summary table at the end. After an interruption, --resume finishes the run from the manifest.json in --output-dir instead of exporting again.',
      WIDTH
    ),
    '',
    'Options:',
    ...options,
    '',
    'Tables of payloads already on disk:',
    ...entry(
      'clari-export tables <payload.json>...',
      "Writes the five tables of each JSON payload (named <forecast-id>_<YYYY_QN>.json, as an export names it) to tables/<table>/ in the payload's own folder, or in --output-dir <dir>. --tables ndjson (default) or csv. Needs no API key; manifest.json is left as it is."
    ),
    '',
    'Environment:',
    ...entry(
      API_KEY_ENV,
      'Clari API token (required; never a flag, so it stays out of shell history)'
    ),
    '',
    'Exit status:',
    ...entry('0', 'every period exported (dry run: the run fits the quota left)'),
    ...entry('1', 'a period failed, an input is invalid, or the dry run does not fit the quota'),
    ...entry('130', 'interrupted with Ctrl-C, after cancelling the jobs in flight'),
    '',
    'Example:',
    `  read -rs ${API_KEY_ENV} && export ${API_KEY_ENV}`,
    '  clari-export --forecast-id net_arr --periods previous,current --fiscal-year-start-month 2',
    '  clari-export tables --tables csv clari-export/*.json',
    ''
  ].join('\n')
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
