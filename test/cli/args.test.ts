import { describe, expect, it } from 'vitest'
import { parseCliArgs, UsageError } from '../../src/cli/args.js'

describe('parseCliArgs', () => {
  it.each([
    {
      argv: ['--forecast-id', 'net_arr', '--periods', 'current,previous'],
      inputs: { 'forecast-id': 'net_arr', periods: 'current,previous' }
    },
    {
      argv: ['--forecast-id=net_arr', '--periods=2026_Q1'],
      inputs: { 'forecast-id': 'net_arr', periods: '2026_Q1' }
    },
    // Repeated --periods add entries, as a newline-separated list does in a workflow.
    {
      argv: ['--periods', '2026_Q1', '--periods', 'current-3..current'],
      inputs: { periods: '2026_Q1\ncurrent-3..current' }
    },
    // Values are passed on raw: parseSettings validates them exactly as it does the action's.
    { argv: ['--poll-interval', 'soon'], inputs: { 'poll-interval': 'soon' } },
    { argv: ['--currency', ''], inputs: { currency: '' } },
    { argv: ['--dry-run'], inputs: { 'dry-run': 'true' } },
    {
      argv: ['--include-historical', '--fail-fast'],
      inputs: { 'include-historical': 'true', 'fail-fast': 'true' }
    },
    { argv: ['--no-cancel-on-timeout'], inputs: { 'cancel-on-timeout': 'false' } },
    { argv: ['--cancel-on-timeout'], inputs: { 'cancel-on-timeout': 'true' } },
    // A terminal has no re-runs: --resume is a plain switch, off unless given.
    { argv: ['--resume'], inputs: { resume: 'true' } },
    {
      argv: [
        '--fiscal-year-start-month',
        '2',
        '--fiscal-year-label',
        'start',
        '--timezone',
        'Europe/Berlin'
      ],
      inputs: {
        'fiscal-year-start-month': '2',
        'fiscal-year-label': 'start',
        timezone: 'Europe/Berlin'
      }
    },
    { argv: ['--output-dir', 'exports/q'], inputs: { 'output-dir': 'exports/q' } }
  ])('$argv → $inputs', ({ argv, inputs }) => {
    expect(parseCliArgs(argv)).toEqual({ kind: 'run', inputs })
  })

  it.each([[['--help']], [['-h']], [['--forecast-id', 'x', '--help']]])(
    '%j asks for help',
    argv => {
      expect(parseCliArgs(argv)).toEqual({ kind: 'help', command: 'export' })
    }
  )

  it('no arguments ask for the usage, --version for the version', () => {
    expect(parseCliArgs([])).toEqual({ kind: 'usage' })
    expect(parseCliArgs(['--version'])).toEqual({ kind: 'version' })
  })

  it.each([
    { argv: ['--api-key', 'secret-value'], message: /^--api-key is not accepted: .*CLARI_API_KEY/ },
    { argv: ['--api-key=secret-value'], message: /^--api-key is not accepted: .*CLARI_API_KEY/ },
    {
      argv: ['--upload', 'false'],
      message: /^--upload applies only to the GitHub Action.*writes the files to --output-dir\./
    },
    { argv: ['--artifact-name=x'], message: /^--artifact-name applies only to the GitHub Action/ },
    { argv: ['--retention-days', '3'], message: /^--retention-days applies only/ },
    { argv: ['--compression-level', '0'], message: /^--compression-level applies only/ },
    { argv: ['--overwrite'], message: /^--overwrite applies only/ },
    { argv: ['--github-token', 'secret-value'], message: /^--github-token applies only/ },
    { argv: ['--resume=auto'], message: /^Option '--resume' does not take an argument/ },
    {
      argv: ['--forecast'],
      message: /^Unknown option '--forecast'\. Did you mean --forecast-id\? Run clari-export --help/
    },
    {
      argv: ['--period', '2026_Q1'],
      message: /^Unknown option '--period'\. Did you mean --periods\? Run clari-export --help/
    },
    { argv: ['--verison'], message: /^Unknown option '--verison'\. Did you mean --version\?/ },
    {
      argv: ['--perods=2026_Q1'],
      message: /^Unknown option '--perods'\. Did you mean --periods\?/
    },
    // Four flags begin so: no guess.
    { argv: ['--max'], message: /^Unknown option '--max'\. Run clari-export --help/ },
    { argv: ['--no-resume'], message: /^Unknown option '--no-resume'\. Run clari-export --help/ },
    { argv: ['2026_Q1'], message: /^Unexpected argument '2026_Q1'\. Run clari-export --help/ },
    {
      argv: ['--forecast-id', '--periods', 'x'],
      message: /^Option '--forecast-id' argument is ambiguous.*'--forecast-id=-XYZ'\. Run/
    },
    { argv: ['--forecast-id'], message: /^Option '--forecast-id <value>' argument missing/ },
    { argv: ['--dry-run=false'], message: /^Option '--dry-run' does not take an argument/ },
    {
      argv: ['--cancel-on-timeout', '--no-cancel-on-timeout'],
      message: /^--cancel-on-timeout and --no-cancel-on-timeout contradict each other$/
    },
    { argv: ['--no-dry-run'], message: /^Unknown option '--no-dry-run'/ }
  ])('$argv is refused: $message', ({ argv, message }) => {
    let error: unknown
    try {
      parseCliArgs(argv)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UsageError)
    expect((error as Error).message).toMatch(message)
    // Messages are printed: they must never repeat a key passed by mistake.
    expect((error as Error).message).not.toContain('secret-value')
  })
})

describe('parseCliArgs: clari-export tables', () => {
  it.each([
    {
      argv: ['tables', 'clari-export'],
      command: { kind: 'tables', format: 'ndjson', csvFormulaGuard: true, paths: ['clari-export'] }
    },
    {
      argv: [
        'tables',
        '--tables',
        'CSV',
        '--output-dir',
        'wh',
        '--no-csv-formula-guard',
        'a_2026_Q1.json',
        'b_2026_Q2.json'
      ],
      command: {
        kind: 'tables',
        format: 'csv',
        outputDir: 'wh',
        csvFormulaGuard: false,
        paths: ['a_2026_Q1.json', 'b_2026_Q2.json']
      }
    },
    {
      argv: ['tables', '--tables', 'parquet', 'out'],
      command: { kind: 'tables', format: 'parquet', csvFormulaGuard: true, paths: ['out'] }
    },
    // Its own help, not the export's.
    { argv: ['tables', '--help'], command: { kind: 'help', command: 'tables' } },
    { argv: ['tables', '-h', 'x'], command: { kind: 'help', command: 'tables' } }
  ])('$argv', ({ argv, command }) => {
    const parsed = parseCliArgs(argv)
    expect(parsed).toEqual(
      command.kind === 'tables' ? { outputDir: undefined, ...command } : command
    )
  })

  it.each([
    {
      argv: ['tables'],
      message: /^clari-export tables needs an export folder or payload files to convert/
    },
    {
      argv: ['tables', '--tables', 'none', 'x.json'],
      message: /^clari-export tables --tables takes ndjson, csv, parquet, not "none"$/
    },
    { argv: ['tables', '--periods', 'x', 'a.json'], message: /^Unknown option '--periods'/ },
    {
      argv: ['tables', '--table', 'csv', 'a.json'],
      message: /^Unknown option '--table'\. Did you mean --tables\? Run clari-export tables --help/
    }
  ])('$argv is refused: $message', ({ argv, message }) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError)
    expect(() => parseCliArgs(argv)).toThrow(message)
  })
})
