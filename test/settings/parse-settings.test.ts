import { describe, expect, it } from 'vitest'
import { SETTINGS, type SettingName } from '../../src/settings/definitions.js'
import { InputError } from '../../src/settings/input-error.js'
import { parseSettings, type RunSettings } from '../../src/settings/parse-settings.js'

type Inputs = Partial<Record<SettingName, string>>

const REQUIRED: Inputs = { 'api-key': 'ck_test_123', 'forecast-id': 'net_arr', periods: '2026_Q1' }
const NOW = new Date('2026-05-15T12:00:00Z')

/** Inputs as the runner hands them over: unset ones read as empty strings. */
function parse(inputs: Inputs, now = NOW): RunSettings {
  const all: Inputs = { ...REQUIRED, ...inputs }
  return parseSettings(name => all[name] ?? '', { workspace: '/ws', now, runAttempt: 3 })
}

const PERIOD_FORMS =
  '"2026_Q1", "2025_Q3..2026_Q2", "current", "previous", "next", "current-N", "current+N", "current-3..current"'

describe('parseSettings: the defaults', () => {
  it('turns the required inputs alone into a complete run', () => {
    expect(parse({})).toEqual({
      config: {
        clari: {
          apiUrl: 'https://api.clari.com/v4',
          apiKey: 'ck_test_123',
          requestTimeoutMs: 30_000,
          maxRetryAfterMs: 300_000
        },
        forecastId: 'net_arr',
        periods: ['2026_Q1'],
        request: {},
        exportFormat: 'JSON',
        tables: 'none',
        outputDir: '/ws/clari-export',
        timing: {
          pollIntervalMs: 5_000,
          maxPollIntervalMs: 30_000,
          jobTimeoutMs: 30 * 60_000
        },
        cancelOnTimeout: true,
        failFast: false,
        concurrency: 1,
        history: 'all',
        maxPayloadBytes: 2 * 1024 ** 3,
        allowTruncated: false,
        csvFormulaGuard: true
      },
      upload: {
        enabled: true,
        name: 'clari-forecast-net_arr-attempt-3',
        earlierAttemptNames: ['clari-forecast-net_arr', 'clari-forecast-net_arr'],
        retentionDays: undefined,
        compressionLevel: 6,
        overwrite: false
      },
      resume: { mode: 'auto', githubToken: '', reuseWithinMs: 0 },
      allowOutputOutsideWorkspace: false,
      dryRun: false
    })
  })

  it.each(SETTINGS.filter(s => 'default' in s).map(s => s.name))(
    'reads a blank-only %s (a dispatch input left empty) as its default',
    name => {
      expect(parse({ [name]: '  \n ' })).toEqual(parse({}))
    }
  )
})

interface ParseCase {
  name: string
  inputs: Inputs
  now?: string
  expected: object
}

describe('parseSettings: every input', () => {
  // A new input in definitions.ts needs its cases here, and nothing else in this file.
  const cases: ParseCase[] = [
    {
      name: 'api-key is trimmed',
      inputs: { 'api-key': '  tok_1  ' },
      expected: { config: { clari: { apiKey: 'tok_1' } } }
    },
    {
      name: 'forecast-id',
      inputs: { 'forecast-id': 'deal.owner-2_x' },
      expected: { config: { forecastId: 'deal.owner-2_x' } }
    },
    {
      name: 'periods in the order given, duplicates removed',
      inputs: { periods: 'current, previous\ncurrent,2025_Q3..2025_Q4' },
      expected: { config: { periods: ['2026_Q2', '2026_Q1', '2025_Q3', '2025_Q4'] } }
    },
    {
      name: 'fiscal-year-start-month (label: end)',
      inputs: { periods: 'current', 'fiscal-year-start-month': '2' },
      expected: { config: { periods: ['2027_Q2'] } }
    },
    {
      name: 'fiscal-year-label start',
      inputs: { periods: 'current', 'fiscal-year-start-month': '2', 'fiscal-year-label': 'START' },
      expected: { config: { periods: ['2026_Q2'] } }
    },
    {
      name: 'timezone decides what "current" means',
      inputs: { periods: 'current', timezone: 'Asia/Tokyo' },
      now: '2026-03-31T23:30:00Z',
      expected: { config: { periods: ['2026_Q2'] } }
    },
    {
      name: 'timezone UTC at the same instant',
      inputs: { periods: 'current' },
      now: '2026-03-31T23:30:00Z',
      expected: { config: { periods: ['2026_Q1'] } }
    },
    {
      name: 'types-to-export, any case and spacing',
      inputs: { 'types-to-export': ' forecast, QUOTA ,adjustment' },
      expected: { config: { request: { typesToExport: ['forecast', 'quota', 'adjustment'] } } }
    },
    {
      name: 'types-to-export of separators only',
      inputs: { 'types-to-export': ', ,' },
      expected: { config: { request: {} } }
    },
    {
      name: 'currency',
      inputs: { currency: 'eur' },
      expected: { config: { request: { currency: 'EUR' } } }
    },
    {
      name: 'scope-id',
      inputs: { 'scope-id': '1905::MGR' },
      expected: { config: { request: { scopeId: '1905::MGR' } } }
    },
    {
      name: 'include-historical true',
      inputs: { 'include-historical': 'True' },
      expected: { config: { request: { includeHistorical: true } } }
    },
    {
      name: 'include-historical false',
      inputs: { 'include-historical': 'FALSE' },
      expected: { config: { request: {} } }
    },
    {
      name: 'export-format CSV',
      inputs: { 'export-format': 'csv' },
      expected: { config: { exportFormat: 'CSV', request: { exportFormat: 'CSV' } } }
    },
    {
      name: 'tables ndjson',
      inputs: { tables: 'ndjson' },
      expected: { config: { tables: 'ndjson' } }
    },
    { name: 'tables CSV', inputs: { tables: 'CSV' }, expected: { config: { tables: 'csv' } } },
    {
      name: 'tables parquet',
      inputs: { tables: 'Parquet' },
      expected: { config: { tables: 'parquet' } }
    },
    {
      name: 'tables none with export-format CSV',
      inputs: { tables: 'None', 'export-format': 'CSV' },
      expected: { config: { tables: 'none', exportFormat: 'CSV' } }
    },
    {
      name: 'export-schedule',
      inputs: { 'export-schedule': 'once' },
      expected: { config: { request: { schedule: 'ONCE' } } }
    },
    {
      name: 'export-schedule NONE is not sent',
      inputs: { 'export-schedule': 'none' },
      expected: { config: { request: {} } }
    },
    {
      name: 'output-dir relative',
      inputs: { 'output-dir': 'out/q' },
      expected: { config: { outputDir: '/ws/out/q' } }
    },
    {
      name: 'output-dir absolute',
      inputs: { 'output-dir': '/data/x' },
      expected: { config: { outputDir: '/data/x' } }
    },
    { name: 'upload', inputs: { upload: 'false' }, expected: { upload: { enabled: false } } },
    {
      name: 'artifact-name placeholders, one period',
      inputs: { 'artifact-name': 'clari-{forecast}-{period}-{run-attempt}' },
      expected: {
        upload: {
          name: 'clari-net_arr-2026_Q1-3-attempt-3',
          earlierAttemptNames: ['clari-net_arr-2026_Q1-1', 'clari-net_arr-2026_Q1-2']
        }
      }
    },
    {
      name: 'artifact-name with each placeholder twice',
      inputs: {
        'artifact-name': '{forecast}-{period}-{run-attempt}.{forecast}-{period}-{run-attempt}'
      },
      expected: {
        upload: {
          name: 'net_arr-2026_Q1-3.net_arr-2026_Q1-3-attempt-3',
          earlierAttemptNames: [
            'net_arr-2026_Q1-1.net_arr-2026_Q1-1',
            'net_arr-2026_Q1-2.net_arr-2026_Q1-2'
          ]
        }
      }
    },
    {
      name: 'artifact-name {period} for several is first..last',
      inputs: { 'artifact-name': 'x-{period}', periods: '2025_Q4..2026_Q2' },
      expected: { upload: { name: 'x-2025_Q4..2026_Q2-attempt-3' } }
    },
    {
      name: 'retention-days',
      inputs: { 'retention-days': '90' },
      expected: { upload: { retentionDays: 90 } }
    },
    {
      name: 'retention-days 0',
      inputs: { 'retention-days': '0' },
      expected: { upload: { retentionDays: undefined } }
    },
    {
      name: 'compression-level',
      inputs: { 'compression-level': '0' },
      expected: { upload: { compressionLevel: 0 } }
    },
    { name: 'overwrite', inputs: { overwrite: 'true' }, expected: { upload: { overwrite: true } } },
    {
      name: 'allow-output-outside-workspace',
      inputs: { 'allow-output-outside-workspace': 'true', 'output-dir': '../out' },
      expected: { allowOutputOutsideWorkspace: true, config: { outputDir: '/out' } }
    },
    { name: 'resume auto', inputs: { resume: 'AUTO' }, expected: { resume: { mode: 'auto' } } },
    { name: 'resume true', inputs: { resume: 'true' }, expected: { resume: { mode: 'on' } } },
    { name: 'resume false', inputs: { resume: 'False' }, expected: { resume: { mode: 'off' } } },
    {
      name: 'reuse-within hours',
      inputs: { 'reuse-within': '6h' },
      expected: { resume: { reuseWithinMs: 6 * 3_600_000 } }
    },
    {
      name: 'reuse-within minutes',
      inputs: { 'reuse-within': '90 M' },
      expected: { resume: { reuseWithinMs: 90 * 60_000 } }
    },
    {
      name: 'reuse-within 30 days',
      inputs: { 'reuse-within': '30d' },
      expected: { resume: { reuseWithinMs: 30 * 86_400_000 } }
    },
    {
      name: 'reuse-within off',
      inputs: { 'reuse-within': '0' },
      expected: { resume: { reuseWithinMs: 0 } }
    },
    {
      name: 'github-token is trimmed',
      inputs: { 'github-token': ' ghs_abc \n' },
      expected: { resume: { githubToken: 'ghs_abc' } }
    },
    {
      name: 'poll-interval in seconds, fractions allowed',
      inputs: { 'poll-interval': '2.5' },
      expected: { config: { timing: { pollIntervalMs: 2_500 } } }
    },
    {
      name: 'max-poll-interval',
      inputs: { 'max-poll-interval': '600' },
      expected: { config: { timing: { maxPollIntervalMs: 600_000 } } }
    },
    {
      name: 'max-poll-interval equal to poll-interval',
      inputs: { 'poll-interval': '7', 'max-poll-interval': '7' },
      expected: { config: { timing: { pollIntervalMs: 7_000, maxPollIntervalMs: 7_000 } } }
    },
    {
      name: 'job-timeout in minutes',
      inputs: { 'job-timeout': '0.5' },
      expected: { config: { timing: { jobTimeoutMs: 30_000 } } }
    },
    {
      name: 'request-timeout',
      inputs: { 'request-timeout': '10' },
      expected: { config: { clari: { requestTimeoutMs: 10_000 } } }
    },
    {
      name: 'max-retry-after',
      inputs: { 'max-retry-after': '60' },
      expected: { config: { clari: { maxRetryAfterMs: 60_000 } } }
    },
    {
      name: 'cancel-on-timeout',
      inputs: { 'cancel-on-timeout': 'false' },
      expected: { config: { cancelOnTimeout: false } }
    },
    {
      name: 'fail-fast',
      inputs: { 'fail-fast': 'true' },
      expected: { config: { failFast: true } }
    },
    {
      name: 'max-concurrent-jobs, a number',
      inputs: { 'max-concurrent-jobs': '3' },
      expected: { config: { concurrency: 3 } }
    },
    {
      name: 'max-concurrent-jobs, auto in any case',
      inputs: { 'max-concurrent-jobs': 'Auto' },
      expected: { config: { concurrency: 'auto' } }
    },
    ...(['runs', 'None', 'ALL'] as const).map(value => ({
      name: `history ${value}`,
      inputs: { history: value },
      expected: { config: { history: value.toLowerCase() } }
    })),
    {
      name: 'api-url, trailing slash dropped',
      inputs: { 'api-url': 'https://eu.api.clari.com/v4/' },
      expected: { config: { clari: { apiUrl: 'https://eu.api.clari.com/v4' } } }
    },
    {
      name: 'api-url over http on loopback (tests, a local proxy)',
      inputs: { 'api-url': 'http://127.0.0.1:8080/v4' },
      expected: { config: { clari: { apiUrl: 'http://127.0.0.1:8080/v4' } } }
    },
    {
      name: 'api-url http://localhost',
      inputs: { 'api-url': 'http://localhost:9/v4' },
      expected: { config: { clari: { apiUrl: 'http://localhost:9/v4' } } }
    },
    {
      name: 'api-url http://[::1]',
      inputs: { 'api-url': 'http://[::1]:9/v4' },
      expected: { config: { clari: { apiUrl: 'http://[::1]:9/v4' } } }
    },
    { name: 'dry-run', inputs: { 'dry-run': 'true' }, expected: { dryRun: true } },
    ...(
      [
        ['500MB', 500_000_000],
        ['2GiB', 2 * 1024 ** 3],
        ['1.5 KiB', 1_536],
        ['10mb', 10_000_000],
        ['1048576', 1_048_576],
        ['1TiB', 1024 ** 4]
      ] as const
    ).map(([value, bytes]) => ({
      name: `max-payload-size ${value}`,
      inputs: { 'max-payload-size': value },
      expected: { config: { maxPayloadBytes: bytes } }
    })),
    {
      name: 'allow-truncated',
      inputs: { 'allow-truncated': 'true' },
      expected: { config: { allowTruncated: true } }
    },
    {
      name: 'csv-formula-guard',
      inputs: { 'csv-formula-guard': 'false' },
      expected: { config: { csvFormulaGuard: false } }
    }
  ]

  it.each(cases)('$name', ({ inputs, now, expected }) => {
    expect(parse(inputs, now ? new Date(now) : NOW)).toMatchObject(expected)
  })

  it('has a case for every input of the table', () => {
    const tested = new Set(cases.flatMap(c => Object.keys(c.inputs)))
    expect(SETTINGS.map(s => s.name).filter(name => !tested.has(name))).toEqual([])
  })
})

describe('parseSettings: the artifact name of this attempt', () => {
  const nameAt = (runAttempt: number): string =>
    parseSettings(name => REQUIRED[name] ?? '', {
      workspace: '/ws',
      now: NOW,
      runAttempt
    }).upload.name

  it.each<[number, string]>([
    [1, 'clari-forecast-net_arr'],
    [2, 'clari-forecast-net_arr-attempt-2'],
    [12, 'clari-forecast-net_arr-attempt-12']
  ])('attempt %i uploads as %s', (runAttempt, name) => {
    expect(nameAt(runAttempt)).toBe(name)
  })
})

describe('parseSettings: the artifact names of earlier attempts', () => {
  const namesAt = (runAttempt: number): string[] =>
    parseSettings(name => ({ ...REQUIRED, 'artifact-name': 'x-{run-attempt}' })[name] ?? '', {
      workspace: '/ws',
      now: NOW,
      runAttempt
    }).upload.earlierAttemptNames

  it.each<[string, number, string[]]>([
    ['none on the first attempt', 1, []],
    ['one per earlier attempt, oldest first', 3, ['x-1', 'x-2']],
    ['none when the attempt is not a whole number', Number.NaN, []]
  ])('%s', (_, runAttempt, names) => {
    expect(namesAt(runAttempt)).toEqual(names)
  })

  it('stops at the 50 re-runs GitHub allows', () => {
    const names = namesAt(1_000_000)
    expect(names).toHaveLength(50)
    expect(names.at(-1)).toBe('x-50')
  })
})

const TYPES_ACCEPTED =
  "a comma list of forecast, quota, forecast_updated, adjustment (for CRM totals, use Clari's Forecast API)"
const CRM_REFUSED = (type: string) =>
  `lists "${type}", which Clari's export API refuses: "CRM Totals and CRM Closed are not supported typeToExport values for Export API. Please see Forecast API documentation if you’d like to retrieve CRM Totals or CRM Closed values." (type_not_supported)`
const SIZE_ACCEPTED = 'a size such as 500MB, 2GiB or 1048576 (bytes), from 1KiB to 1TiB'

describe('parseSettings: every failure names the input and the accepted form', () => {
  const seconds = (min: number, max: number): string => `a number of seconds from ${min} to ${max}`
  it.each<[string, Inputs, string, string, string]>([
    [
      'api-key empty',
      { 'api-key': '' },
      'api-key',
      'is required but empty',
      'your Clari API token, e.g. ${{ secrets.CLARI_API_KEY }}'
    ],
    [
      'api-key blank',
      { 'api-key': ' \n ' },
      'api-key',
      'is required but empty',
      'your Clari API token, e.g. ${{ secrets.CLARI_API_KEY }}'
    ],
    [
      'api-key with a space',
      { 'api-key': 'ck 123' },
      'api-key',
      'contains whitespace',
      'a single-line token without spaces'
    ],
    [
      'api-key on two lines',
      { 'api-key': 'ck\n123' },
      'api-key',
      'contains whitespace',
      'a single-line token without spaces'
    ],
    [
      'forecast-id empty',
      { 'forecast-id': '' },
      'forecast-id',
      'is required but empty',
      "the forecast tab ID from the tab's URL, e.g. net_arr"
    ],
    [
      'forecast-id with a slash',
      { 'forecast-id': 'net/arr' },
      'forecast-id',
      'is not a forecast tab ID',
      "letters, digits, '_', '-' and '.', up to 128 characters, e.g. net_arr"
    ],
    [
      'forecast-id too long',
      { 'forecast-id': 'a'.repeat(129) },
      'forecast-id',
      'is not a forecast tab ID',
      "letters, digits, '_', '-' and '.', up to 128 characters, e.g. net_arr"
    ],
    ['periods empty', { periods: '' }, 'periods', 'is not valid (periods is empty)', PERIOD_FORMS],
    [
      'periods blank',
      { periods: ' , \n' },
      'periods',
      'is not valid (periods contains only blanks and separators)',
      PERIOD_FORMS
    ],
    [
      'periods malformed',
      { periods: '2026_Q5' },
      'periods',
      'is not valid (period "2026_Q5" is not an accepted form)',
      PERIOD_FORMS
    ],
    [
      'fiscal-year-start-month 13',
      { 'fiscal-year-start-month': '13' },
      'fiscal-year-start-month',
      'is "13"',
      'a month number from 1 to 12'
    ],
    [
      'fiscal-year-start-month Feb',
      { 'fiscal-year-start-month': 'Feb' },
      'fiscal-year-start-month',
      'is "Feb"',
      'a month number from 1 to 12'
    ],
    [
      'fiscal-year-start-month 0',
      { 'fiscal-year-start-month': '0' },
      'fiscal-year-start-month',
      'is "0"',
      'a month number from 1 to 12'
    ],
    [
      'fiscal-year-label',
      { 'fiscal-year-label': 'middle' },
      'fiscal-year-label',
      'is "middle"',
      'end or start'
    ],
    [
      'timezone',
      { timezone: 'Mars/Olympus' },
      'timezone',
      'is "Mars/Olympus"',
      'an IANA time zone such as UTC or America/New_York'
    ],
    ['export-format', { 'export-format': 'XML' }, 'export-format', 'is "XML"', 'JSON, CSV'],
    ['tables', { tables: 'orc' }, 'tables', 'is "orc"', 'none, ndjson, csv, parquet'],
    [
      'tables from a CSV export',
      { tables: 'ndjson', 'export-format': 'CSV' },
      'tables',
      'is "ndjson" but export-format is CSV',
      "none with export-format CSV: tables are made from JSON payloads (Clari's CSV is already one flat table), so set export-format: JSON to get them"
    ],
    [
      'types-to-export unknown',
      { 'types-to-export': 'forecast,deals' },
      'types-to-export',
      'has an unknown type "deals"',
      TYPES_ACCEPTED
    ],
    ...['crm_total', 'CRM_Closed'].map((type): [string, Inputs, string, string, string] => [
      `types-to-export ${type}`,
      { 'types-to-export': `forecast, ${type}` },
      'types-to-export',
      CRM_REFUSED(type.toLowerCase()),
      TYPES_ACCEPTED
    ]),
    [
      'types-to-export twice',
      { 'types-to-export': 'quota,Quota' },
      'types-to-export',
      'lists "quota" twice',
      TYPES_ACCEPTED
    ],
    [
      'currency',
      { currency: 'US$' },
      'currency',
      'is "US$"',
      'a three-letter ISO 4217 code such as USD'
    ],
    [
      'scope-id too long',
      { 'scope-id': 'x'.repeat(201) },
      'scope-id',
      'is not a scope ID',
      'a hierarchy root such as 1905::MGR'
    ],
    [
      'scope-id with a control character',
      { 'scope-id': '1905\u0007::MGR' },
      'scope-id',
      'is not a scope ID',
      'a hierarchy root such as 1905::MGR'
    ],
    [
      'export-schedule',
      { 'export-schedule': 'TWICE' },
      'export-schedule',
      'is "TWICE"',
      'NONE, ONCE, MAX'
    ],
    [
      'include-historical',
      { 'include-historical': 'yes' },
      'include-historical',
      'is "yes"',
      'true or false'
    ],
    ['poll-interval 0', { 'poll-interval': '0' }, 'poll-interval', 'is "0"', seconds(1, 600)],
    [
      'poll-interval negative',
      { 'poll-interval': '-5' },
      'poll-interval',
      'is "-5"',
      seconds(1, 600)
    ],
    [
      'poll-interval with a unit',
      { 'poll-interval': '5s' },
      'poll-interval',
      'is "5s"',
      seconds(1, 600)
    ],
    [
      'poll-interval in exponent form',
      { 'poll-interval': '1e2' },
      'poll-interval',
      'is "1e2"',
      seconds(1, 600)
    ],
    [
      'max-poll-interval too large',
      { 'max-poll-interval': '3601' },
      'max-poll-interval',
      'is "3601"',
      seconds(1, 3600)
    ],
    [
      'max-poll-interval below poll-interval',
      { 'poll-interval': '10', 'max-poll-interval': '5' },
      'max-poll-interval',
      '(5) is shorter than poll-interval (10)',
      'a number of seconds at least poll-interval'
    ],
    [
      'job-timeout',
      { 'job-timeout': '361' },
      'job-timeout',
      'is "361"',
      'a number of minutes from 0.01 to 360'
    ],
    [
      'request-timeout',
      { 'request-timeout': 'forever' },
      'request-timeout',
      'is "forever"',
      seconds(1, 600)
    ],
    ['max-retry-after', { 'max-retry-after': '0' }, 'max-retry-after', 'is "0"', seconds(1, 3600)],
    [
      'cancel-on-timeout',
      { 'cancel-on-timeout': '1' },
      'cancel-on-timeout',
      'is "1"',
      'true or false'
    ],
    ['fail-fast', { 'fail-fast': 'on' }, 'fail-fast', 'is "on"', 'true or false'],
    ...['0', '11', '2.5', 'max', '-1'].map((value): [string, Inputs, string, string, string] => [
      `max-concurrent-jobs ${value}`,
      { 'max-concurrent-jobs': value },
      'max-concurrent-jobs',
      `is "${value}"`,
      'a whole number from 1 to 10, or auto'
    ]),
    ...['true', 'clari'].map((value): [string, Inputs, string, string, string] => [
      `history ${value}`,
      { history: value },
      'history',
      `is "${value}"`,
      'all, runs, none'
    ]),
    [
      'api-url not a URL',
      { 'api-url': 'api.clari.com' },
      'api-url',
      'is "api.clari.com", not a URL',
      'an https URL such as https://api.clari.com/v4 (http only for localhost)'
    ],
    [
      'api-url over http',
      { 'api-url': 'http://api.clari.com/v4' },
      'api-url',
      'uses http',
      'an https URL such as https://api.clari.com/v4 (http only for localhost)'
    ],
    [
      'api-url over ftp',
      { 'api-url': 'ftp://127.0.0.1/v4' },
      'api-url',
      'uses ftp',
      'an https URL such as https://api.clari.com/v4 (http only for localhost)'
    ],
    [
      'api-url with credentials',
      { 'api-url': 'https://u:p@api.clari.com/v4' },
      'api-url',
      'holds credentials, a query or a fragment',
      'an https URL such as https://api.clari.com/v4 (http only for localhost)'
    ],
    [
      'api-url with a query',
      { 'api-url': 'https://api.clari.com/v4?apikey=x' },
      'api-url',
      'holds credentials, a query or a fragment',
      'an https URL such as https://api.clari.com/v4 (http only for localhost)'
    ],
    ...[
      'https://api.clari.com/v4?',
      'https://api.clari.com/v4#',
      'https://api.clari.com/v4/?#'
    ].map((url): [string, Inputs, string, string, string] => [
      `api-url ending in ${url.slice(24)}`,
      { 'api-url': url },
      'api-url',
      'holds credentials, a query or a fragment',
      'an https URL such as https://api.clari.com/v4 (http only for localhost)'
    ]),
    ...['lots', '0', '1000', '5XB', '2 GiB of data', '-1MB', '1.5', '2TiB', '1e9'].map(
      (value): [string, Inputs, string, string, string] => [
        `max-payload-size ${value}`,
        { 'max-payload-size': value },
        'max-payload-size',
        `is "${value}"`,
        SIZE_ACCEPTED
      ]
    ),
    [
      'allow-truncated',
      { 'allow-truncated': 'warn' },
      'allow-truncated',
      'is "warn"',
      'true or false'
    ],
    ['upload', { upload: 'maybe' }, 'upload', 'is "maybe"', 'true or false'],
    [
      'csv-formula-guard',
      { 'csv-formula-guard': 'off' },
      'csv-formula-guard',
      'is "off"',
      'true or false'
    ],
    ['resume', { resume: 'yes' }, 'resume', 'is "yes"', 'auto, true or false'],
    ...['31d', '0h', '6', '1.5h', '-1h', '6 hours', '1e3m'].map(
      (value): [string, Inputs, string, string, string] => [
        `reuse-within ${value}`,
        { 'reuse-within': value },
        'reuse-within',
        `is "${value}"`,
        '0 (off), or an age such as 30m, 6h or 2d, at most 30d'
      ]
    ),
    [
      'artifact-name unknown placeholder',
      { 'artifact-name': 'clari-{run-id}' },
      'artifact-name',
      'has an unknown placeholder in "clari-{run-id}"',
      'a name without " : < > | * ? \\ / or line breaks; placeholders {forecast}, {period}, {run-attempt}'
    ],
    [
      'artifact-name with a colon',
      { 'artifact-name': 'clari:{period}' },
      'artifact-name',
      'is "clari:2026_Q1"',
      'a name without " : < > | * ? \\ / or line breaks; placeholders {forecast}, {period}, {run-attempt}'
    ],
    [
      'artifact-name with a slash',
      { 'artifact-name': 'a/b' },
      'artifact-name',
      'is "a/b"',
      'a name without " : < > | * ? \\ / or line breaks; placeholders {forecast}, {period}, {run-attempt}'
    ],
    [
      'retention-days',
      { 'retention-days': '91' },
      'retention-days',
      'is "91"',
      '1-90 days, or 0 for the repository setting'
    ],
    [
      'retention-days fraction',
      { 'retention-days': '1.5' },
      'retention-days',
      'is "1.5"',
      '1-90 days, or 0 for the repository setting'
    ],
    [
      'compression-level',
      { 'compression-level': '10' },
      'compression-level',
      'is "10"',
      'a zlib level from 0 (none) to 9 (best)'
    ],
    ['overwrite', { overwrite: 'yes' }, 'overwrite', 'is "yes"', 'true or false'],
    [
      'allow-output-outside-workspace',
      { 'allow-output-outside-workspace': 'yes' },
      'allow-output-outside-workspace',
      'is "yes"',
      'true or false'
    ],
    ['dry-run', { 'dry-run': 'y' }, 'dry-run', 'is "y"', 'true or false']
  ])('%s', (_name, inputs, input, problem, accepted) => {
    let error: unknown
    try {
      parse(inputs)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputError)
    expect(error).toMatchObject({ input, problem, accepted })
    expect((error as Error).message).toBe(`Input '${input}' ${problem}. Accepted: ${accepted}.`)
  })
})
