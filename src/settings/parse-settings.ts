import path from 'node:path'
import {
  EXPORT_FORMATS,
  EXPORT_SCHEDULES,
  EXPORT_TYPES,
  type CreateExportBody,
  type ExportType
} from '../engine/index.js'
import {
  HISTORY_SOURCES,
  MAX_CONCURRENCY,
  type ExportConfig,
  type HistorySources
} from '../engine/config.js'
import { TABLE_FORMATS, type TableFormat } from '../engine/table-layout.js'
import {
  ACCEPTED_PERIOD_FORMS,
  isValidTimeZone,
  PeriodExpressionError,
  resolvePeriods,
  type FiscalCalendar
} from '../periods/index.js'
import { SETTINGS, type SettingName } from './definitions.js'
import { InputError } from './input-error.js'
import { isForecastId } from '../engine/manifest.js'
import { attemptArtifactName } from '../engine/reruns/earlier-artifacts.js'

export interface UploadSettings {
  enabled: boolean
  /** artifact-name filled in; after the first attempt, `attemptArtifactName` of it. */
  name: string
  /** The name artifact-name gave the upload of attempt 1, 2, … of this run, before this one. */
  earlierAttemptNames: string[]
  /** Undefined: the repository's default. */
  retentionDays?: number
  compressionLevel: number
  overwrite: boolean
}

/**
 * `auto`: a workflow re-run resumes from what an earlier attempt uploaded; `on` (`true`, the
 * CLI's `--resume`): resume, the CLI from output-dir's manifest.json; `off`: export all anew.
 */
export type ResumeMode = 'auto' | 'on' | 'off'

export interface ResumeSettings {
  mode: ResumeMode
  /** Lists the run's artifacts through the REST API; empty: no REST fallback. A secret. */
  githubToken: string
  /** How old an earlier run's DONE job may be to be reused (input reuse-within); 0: never. */
  reuseWithinMs: number
}

export interface RunSettings {
  config: ExportConfig
  upload: UploadSettings
  resume: ResumeSettings
  /** output-dir may lie outside the workspace (the action checks it: `checkOutputDir`). */
  allowOutputOutsideWorkspace: boolean
  dryRun: boolean
}

export interface SettingsContext {
  /** Base for a relative output-dir (GITHUB_WORKSPACE, or the current folder). */
  workspace: string
  /** What "current" means for relative periods. */
  now: Date
  runAttempt: number
  /** GITHUB_RUN_ID when the action runs; recorded in the manifest with the attempt. */
  runId?: string
}

/** Reads a raw input value; empty string when unset. */
export type SettingReader = (name: SettingName) => string

const CURRENCY = /^[A-Za-z]{3}$/
const NUMBER = /^\d+(\.\d+)?$/
// Artifact names may not hold these (actions/toolkit path-and-artifact-name-validation).
// eslint-disable-next-line no-control-regex
const ARTIFACT_NAME_FORBIDDEN = /[":<>|*?\r\n\\/\u0000-\u001f]/
const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/
// Clari's own words for refusing them (the create endpoint's `type_not_supported` example).
const UNSUPPORTED_TYPES: readonly ExportType[] = ['crm_total', 'crm_closed']
const TYPE_NOT_SUPPORTED =
  'CRM Totals and CRM Closed are not supported typeToExport values for Export API. Please see Forecast API documentation if you’d like to retrieve CRM Totals or CRM Closed values.'
const SIZE = /^(\d+(?:\.\d+)?) ?([KMGT]i?B|B)?$/i
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4
}
const TRUE_VALUES = ['true', 'True', 'TRUE']
const FALSE_VALUES = ['false', 'False', 'FALSE']

/**
 * Turns raw input strings (workflow inputs arrive as strings, dispatched ones too) into a
 * validated run. Every problem is an InputError naming the input and the accepted form.
 */
export function parseSettings(read: SettingReader, ctx: SettingsContext): RunSettings {
  const get = (name: SettingName): string => {
    const value = read(name).trim()
    return value !== '' ? value : (defaultOf(name) ?? '')
  }
  const required = (name: SettingName, accepted: string): string => {
    const value = get(name)
    if (value === '') throw new InputError(name, 'is required but empty', accepted)
    return value
  }

  const apiKey = required('api-key', 'your Clari API token, e.g. ${{ secrets.CLARI_API_KEY }}')
  if (/\s/.test(apiKey)) {
    throw new InputError('api-key', 'contains whitespace', 'a single-line token without spaces')
  }
  const forecastId = required('forecast-id', "the forecast tab ID from the tab's URL, e.g. net_arr")
  if (!isForecastId(forecastId)) {
    throw new InputError(
      'forecast-id',
      'is not a forecast tab ID',
      "letters, digits, '_', '-' and '.', up to 128 characters, e.g. net_arr"
    )
  }

  const calendar = parseCalendar(get)
  let periods: string[]
  try {
    periods = resolvePeriods(read('periods'), { now: ctx.now, calendar })
  } catch (error) {
    if (error instanceof PeriodExpressionError) {
      throw new InputError('periods', `is not valid (${error.detail})`, ACCEPTED_PERIOD_FORMS)
    }
    throw error
  }

  const exportFormat = oneOf(get, 'export-format', EXPORT_FORMATS)
  const tables = parseTables(get('tables'), exportFormat)
  const request: Omit<CreateExportBody, 'timePeriod'> = {}
  const types = parseTypes(get('types-to-export'))
  // Stryker disable next-line ConditionalExpression: an undefined typesToExport is left out of the request's JSON all the same
  if (types) request.typesToExport = types
  const currency = get('currency')
  if (currency) {
    if (!CURRENCY.test(currency)) {
      throw new InputError(
        'currency',
        `is "${currency}"`,
        'a three-letter ISO 4217 code such as USD'
      )
    }
    request.currency = currency.toUpperCase()
  }
  const scopeId = get('scope-id')
  if (scopeId) {
    // eslint-disable-next-line no-control-regex
    if (scopeId.length > 200 || /[\u0000-\u001f]/.test(scopeId)) {
      throw new InputError('scope-id', 'is not a scope ID', 'a hierarchy root such as 1905::MGR')
    }
    request.scopeId = scopeId
  }
  // The runner fills in action.yml defaults, so "set by the user" reads as "not Clari's default".
  const schedule = oneOf(get, 'export-schedule', EXPORT_SCHEDULES)
  if (schedule !== 'NONE') request.schedule = schedule
  if (bool(get, 'include-historical')) request.includeHistorical = true
  if (exportFormat !== 'JSON') request.exportFormat = exportFormat

  const pollIntervalS = number(get, 'poll-interval', 1, 600, 'seconds')
  const maxPollIntervalS = number(get, 'max-poll-interval', 1, 3600, 'seconds')
  if (maxPollIntervalS < pollIntervalS) {
    throw new InputError(
      'max-poll-interval',
      `(${maxPollIntervalS}) is shorter than poll-interval (${pollIntervalS})`,
      'a number of seconds at least poll-interval'
    )
  }
  // Parsed in this order so that of several bad inputs, the same one is reported first.
  const apiUrl = parseApiUrl(get('api-url'))
  const jobTimeoutMs = number(get, 'job-timeout', 0.01, 360, 'minutes') * 60_000
  const config: ExportConfig = {
    clari: {
      apiUrl,
      apiKey,
      requestTimeoutMs: number(get, 'request-timeout', 1, 600, 'seconds') * 1000,
      maxRetryAfterMs: number(get, 'max-retry-after', 1, 3600, 'seconds') * 1000
    },
    forecastId,
    periods,
    request,
    exportFormat,
    tables,
    outputDir: path.resolve(ctx.workspace, get('output-dir')),
    timing: {
      pollIntervalMs: pollIntervalS * 1000,
      maxPollIntervalMs: maxPollIntervalS * 1000,
      jobTimeoutMs
    },
    cancelOnTimeout: bool(get, 'cancel-on-timeout'),
    failFast: bool(get, 'fail-fast'),
    concurrency: parseConcurrency(get('max-concurrent-jobs')),
    history: parseHistory(get('history')),
    maxPayloadBytes: byteSize(get, 'max-payload-size'),
    allowTruncated: bool(get, 'allow-truncated'),
    csvFormulaGuard: bool(get, 'csv-formula-guard'),
    ...(ctx.runId ? { run: { id: ctx.runId, attempt: ctx.runAttempt } } : {})
  }

  const retentionDays = integer(
    get,
    'retention-days',
    0,
    90,
    '1-90 days, or 0 for the repository setting'
  )
  const nameForAttempt = (attempt: number): string =>
    artifactName(get('artifact-name'), forecastId, periods, attempt)
  // Unique per attempt after the first, whether or not GitHub would take the plain name again:
  // a second artifact of one name in a run leaves download-artifact's `name:` and
  // `artifact-ids:` picking by id, and ids do not follow attempts.
  const name = nameForAttempt(ctx.runAttempt)
  const upload: UploadSettings = {
    enabled: bool(get, 'upload'),
    name: ctx.runAttempt > 1 ? attemptArtifactName(name, ctx.runAttempt) : name,
    earlierAttemptNames: Array.from({ length: earlierAttempts(ctx.runAttempt) }, (_, i) =>
      nameForAttempt(i + 1)
    ),
    retentionDays: retentionDays === 0 ? undefined : retentionDays,
    compressionLevel: integer(
      get,
      'compression-level',
      0,
      9,
      'a zlib level from 0 (none) to 9 (best)'
    ),
    overwrite: bool(get, 'overwrite')
  }
  // The default (`${{ github.token }}`) is filled in by the runner; blank means no token.
  const resume: ResumeSettings = {
    mode: resumeMode(get),
    githubToken: read('github-token').trim(),
    reuseWithinMs: reuseWithin(get('reuse-within'))
  }
  return {
    config,
    upload,
    resume,
    allowOutputOutsideWorkspace: bool(get, 'allow-output-outside-workspace'),
    dryRun: bool(get, 'dry-run')
  }
}

function defaultOf(name: SettingName): string | undefined {
  const definition = SETTINGS.find(s => s.name === name)
  return definition && 'default' in definition ? definition.default : undefined
}

function bool(get: (name: SettingName) => string, name: SettingName): boolean {
  const value = get(name)
  if (TRUE_VALUES.includes(value)) return true
  if (FALSE_VALUES.includes(value)) return false
  throw new InputError(name, `is "${value}"`, 'true or false')
}

// GitHub allows 50 re-runs of a workflow run; a larger attempt number is not the runner's.
const MAX_RUN_ATTEMPT = 51

function earlierAttempts(runAttempt: number): number {
  return Number.isInteger(runAttempt) ? Math.min(Math.max(runAttempt, 1), MAX_RUN_ATTEMPT) - 1 : 0
}

function resumeMode(get: (name: SettingName) => string): ResumeMode {
  const value = get('resume')
  if (value.toLowerCase() === 'auto') return 'auto'
  if (TRUE_VALUES.includes(value)) return 'on'
  if (FALSE_VALUES.includes(value)) return 'off'
  throw new InputError('resume', `is "${value}"`, 'auto, true or false')
}

const REUSE_WITHIN = /^(\d+) ?(m|h|d)$/i
const REUSE_UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 }
// Clari keeps a job's results about 30 days after it ends (docs/clari-api.md).
const MAX_REUSE_WITHIN_MS = 30 * 86_400_000

/** `0`, or a whole number of minutes, hours or days up to 30 days: `30m`, `6h`, `2d`. */
function reuseWithin(value: string): number {
  if (value === '0') return 0
  const match = REUSE_WITHIN.exec(value)
  const ms = match ? Number(match[1]) * REUSE_UNIT_MS[match[2]!.toLowerCase()]! : NaN
  if (!(ms > 0 && ms <= MAX_REUSE_WITHIN_MS)) {
    throw new InputError(
      'reuse-within',
      `is "${value}"`,
      '0 (off), or an age such as 30m, 6h or 2d, at most 30d'
    )
  }
  return ms
}

function parseHistory(value: string): HistorySources {
  const history = HISTORY_SOURCES.find(h => h === value.toLowerCase())
  if (!history) throw new InputError('history', `is "${value}"`, HISTORY_SOURCES.join(', '))
  return history
}

function oneOf<T extends string>(
  get: (name: SettingName) => string,
  name: SettingName,
  allowed: readonly T[]
): T {
  const value = get(name).toUpperCase()
  const match = allowed.find(a => a === value)
  if (!match) throw new InputError(name, `is "${get(name)}"`, allowed.join(', '))
  return match
}

function number(
  get: (name: SettingName) => string,
  name: SettingName,
  min: number,
  max: number,
  unit: string
): number {
  return inRange(get, name, NUMBER, min, max, `a number of ${unit} from ${min} to ${max}`)
}

function integer(
  get: (name: SettingName) => string,
  name: SettingName,
  min: number,
  max: number,
  accepted: string
): number {
  return inRange(get, name, /^\d+$/, min, max, accepted)
}

function inRange(
  get: (name: SettingName) => string,
  name: SettingName,
  form: RegExp,
  min: number,
  max: number,
  accepted: string
): number {
  const value = get(name)
  // Number('') is 0 and Number(' 1e3') is 1000: only the plain decimal form is a number here.
  const n = form.test(value) ? Number(value) : NaN
  if (!(n >= min && n <= max)) throw new InputError(name, `is "${value}"`, accepted)
  return n
}

function parseConcurrency(value: string): number | 'auto' {
  if (value.toLowerCase() === 'auto') return 'auto'
  const accepted = `a whole number from 1 to ${MAX_CONCURRENCY}, or auto`
  return integer(() => value, 'max-concurrent-jobs', 1, MAX_CONCURRENCY, accepted)
}

/** `500MB`, `2GiB`, `1.5 KiB` or plain bytes; decimal (kB = 1000) and binary (KiB = 1024) units. */
function byteSize(get: (name: SettingName) => string, name: SettingName): number {
  const value = get(name)
  const match = SIZE.exec(value)
  const unit = match?.[2]?.toLowerCase() ?? 'b'
  const bytes = match ? Math.floor(Number(match[1]) * SIZE_UNITS[unit]!) : NaN
  const whole = unit !== 'b' || /^\d+$/.test(match?.[1] ?? '')
  if (!(whole && bytes >= 1024 && bytes <= 1024 ** 4)) {
    throw new InputError(
      name,
      `is "${value}"`,
      'a size such as 500MB, 2GiB or 1048576 (bytes), from 1KiB to 1TiB'
    )
  }
  return bytes
}

function parseTables(value: string, exportFormat: string): TableFormat | 'none' {
  const choices = ['none', ...TABLE_FORMATS] as const
  const tables = choices.find(c => c === value.toLowerCase())
  if (!tables) throw new InputError('tables', `is "${value}"`, choices.join(', '))
  if (tables !== 'none' && exportFormat === 'CSV') {
    throw new InputError(
      'tables',
      `is "${value}" but export-format is CSV`,
      "none with export-format CSV: tables are made from JSON payloads (Clari's CSV is already one flat table), so set export-format: JSON to get them"
    )
  }
  return tables
}

function parseTypes(value: string): ExportType[] | undefined {
  const supported = EXPORT_TYPES.filter(t => !UNSUPPORTED_TYPES.includes(t))
  const accepted = `a comma list of ${supported.join(', ')} (for CRM totals, use Clari's Forecast API)`
  const types: ExportType[] = []
  for (const entry of value.split(',').map(t => t.trim().toLowerCase())) {
    if (!entry) continue
    const type = EXPORT_TYPES.find(t => t === entry)
    if (!type) throw new InputError('types-to-export', `has an unknown type "${entry}"`, accepted)
    if (UNSUPPORTED_TYPES.includes(type)) {
      const problem = `lists "${entry}", which Clari's export API refuses: "${TYPE_NOT_SUPPORTED}" (type_not_supported)`
      throw new InputError('types-to-export', problem, accepted)
    }
    if (types.includes(type))
      throw new InputError('types-to-export', `lists "${entry}" twice`, accepted)
    types.push(type)
  }
  return types.length ? types : undefined
}

function parseCalendar(get: (name: SettingName) => string): FiscalCalendar {
  const startMonth = integer(get, 'fiscal-year-start-month', 1, 12, 'a month number from 1 to 12')
  const label = get('fiscal-year-label').toLowerCase()
  if (label !== 'end' && label !== 'start') {
    throw new InputError('fiscal-year-label', `is "${get('fiscal-year-label')}"`, 'end or start')
  }
  const timeZone = get('timezone')
  if (!isValidTimeZone(timeZone)) {
    throw new InputError(
      'timezone',
      `is "${timeZone}"`,
      'an IANA time zone such as UTC or America/New_York'
    )
  }
  return { startMonth, label, timeZone }
}

function parseApiUrl(value: string): string {
  const accepted = 'an https URL such as https://api.clari.com/v4 (http only for localhost)'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InputError('api-url', `is "${value}", not a URL`, accepted)
  }
  const loopback = LOOPBACK_HOSTS.test(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InputError('api-url', `uses ${url.protocol.replace(':', '')}`, accepted)
  }
  // `…/v4?` and `…/v4#` parse with an empty query or fragment, yet would end up in every path.
  if (url.username || url.password || url.search || url.hash || /[?#]/.test(value)) {
    throw new InputError('api-url', 'holds credentials, a query or a fragment', accepted)
  }
  return url.href.replace(/\/+$/, '')
}

/** Fills the placeholders so matrix legs and re-runs never clash, then checks GitHub's rules. */
function artifactName(
  template: string,
  forecastId: string,
  periods: string[],
  runAttempt: number
): string {
  // Stryker disable next-line StringLiteral: a default only the type checker needs (periods holds one at least)
  const first = periods[0] ?? ''
  // Stryker disable next-line StringLiteral: as above
  const last = periods[periods.length - 1] ?? ''
  const name = template
    .replaceAll('{forecast}', forecastId)
    .replaceAll('{period}', first === last ? first : `${first}..${last}`)
    .replaceAll('{run-attempt}', String(runAttempt))
  const accepted = `a name without " : < > | * ? \\ / or line breaks; placeholders {forecast}, {period}, {run-attempt}`
  if (/\{[^}]*\}/.test(name))
    throw new InputError('artifact-name', `has an unknown placeholder in "${template}"`, accepted)
  if (ARTIFACT_NAME_FORBIDDEN.test(name))
    throw new InputError('artifact-name', `is "${name}"`, accepted)
  return name
}
