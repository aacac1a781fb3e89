/**
 * The action's inputs, in one table: the adapter reads them, the terminal runner turns them into
 * flags, and `npm run generate` writes action.yml's inputs and the README's table from it, so
 * each description is written here only.
 */
export interface SettingDefinition {
  name: string
  description: string
  /** Default as the user would type it; undefined means required. */
  default?: string
}

export const SETTINGS = [
  { name: 'api-key', description: 'Clari API token (sent as header `apikey`); use a secret' },
  { name: 'forecast-id', description: "Forecast tab ID, from the tab's URL (e.g. net_arr)" },
  {
    name: 'periods',
    description:
      'Fiscal quarters, separated by commas or newlines: 2026_Q1, 2025_Q3..2026_Q2, current, previous, next, current-N, current+N, current-3..current'
  },
  {
    name: 'types-to-export',
    default: '',
    description:
      "Comma list of forecast, quota, forecast_updated, adjustment; empty = Clari's default (crm_total and crm_closed are refused: Clari's export API does not support them)"
  },
  { name: 'currency', default: '', description: 'ISO currency code, e.g. USD; empty = not sent' },
  {
    name: 'scope-id',
    default: '',
    description: 'Hierarchy root, e.g. 1905::MGR; empty = not sent'
  },
  {
    name: 'include-historical',
    default: 'false',
    description: 'Every week since the quarter began'
  },
  { name: 'export-format', default: 'JSON', description: 'JSON or CSV' },
  {
    name: 'tables',
    default: 'none',
    description:
      'Also flatten each JSON payload into five warehouse tables under tables/ in output-dir, one file per snapshot: none, ndjson, csv or parquet'
  },
  {
    name: 'csv-formula-guard',
    default: 'true',
    description:
      "With tables: csv, start a text cell that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) with ' (OWASP); false keeps every cell as Clari sent it"
  },
  {
    name: 'export-schedule',
    default: 'NONE',
    description: "Clari's server-side retry: NONE, ONCE or MAX"
  },
  {
    name: 'output-dir',
    default: 'clari-export',
    description:
      'Folder for the payloads and manifest.json, relative to the workspace (to the current folder for clari-export)'
  },
  {
    name: 'allow-output-outside-workspace',
    default: 'false',
    description:
      'Let output-dir lie outside the workspace (an absolute path, or ../ out of it); the workspace root itself is refused while it holds files the action did not write'
  },
  {
    name: 'upload',
    default: 'true',
    description: 'Upload the output folder as one workflow artifact'
  },
  {
    name: 'artifact-name',
    default: 'clari-forecast-{forecast}',
    description: 'Artifact name; placeholders {forecast}, {period} (first..last), {run-attempt}'
  },
  {
    name: 'retention-days',
    default: '0',
    description: "Artifact retention, 1-90 days; 0 = the repository's setting"
  },
  { name: 'compression-level', default: '6', description: 'Zip compression level, 0-9' },
  { name: 'overwrite', default: 'false', description: 'Replace an artifact of the same name' },
  {
    name: 'resume',
    default: 'auto',
    description:
      "auto (or true): a re-run reuses what an earlier attempt of the run finished and uploaded; false: export every period anew. clari-export --resume reuses output-dir's manifest.json"
  },
  {
    name: 'github-token',
    default: '${{ github.token }}',
    description:
      "Token to list and download the run's artifacts through the REST API when resuming, if the runtime listing fails or finds nothing usable; needs actions: read"
  },
  {
    name: 'reuse-within',
    default: '0',
    description:
      "Reuse the DONE jobs of an earlier run of the same forecast, periods' parameters and branch (the ledger in the Actions cache) whose snapshot is younger than this, e.g. 30m, 6h or 2d (at most 30d), by downloading their results again: no export job created. 0 = off"
  },
  { name: 'poll-interval', default: '5', description: 'Seconds before the first status check' },
  {
    name: 'max-poll-interval',
    default: '30',
    description: 'Longest gap between status checks, seconds'
  },
  { name: 'job-timeout', default: '30', description: 'Minutes per period, across all its waits' },
  { name: 'request-timeout', default: '30', description: 'Seconds per HTTP attempt' },
  {
    name: 'max-retry-after',
    default: '300',
    description: 'A server-requested wait above this many seconds fails the period instead'
  },
  {
    name: 'cancel-on-timeout',
    default: 'true',
    description:
      'Cancel a job the action gives up on while Clari runs it (timed out, or ended by an error), to free quota and its slot'
  },
  { name: 'fail-fast', default: 'false', description: 'Stop at the first failed period' },
  {
    name: 'max-concurrent-jobs',
    default: '1',
    description:
      "Export jobs run at once: 1-10, or auto for the slots Clari has free, taking more as they free up. Colleagues' exports share Clari's limit"
  },
  {
    name: 'history',
    default: 'all',
    description:
      "Learn job durations from earlier runs, to time the status checks and start the longest periods first: all (this action's own records, and Clari's job list, read once when those leave a period unknown), runs (own records only, no extra request) or none"
  },
  {
    name: 'max-payload-size',
    default: '2GiB',
    description:
      'Largest payload kept per period, e.g. 500MB, 2GiB or bytes; a larger download is stopped and removed'
  },
  {
    name: 'allow-truncated',
    default: 'false',
    description:
      'Accept an export Clari truncated (rows or cells) with a warning, instead of failing the step'
  },
  {
    name: 'api-url',
    default: 'https://api.clari.com/v4',
    description: 'Clari API base URL (https)'
  },
  {
    name: 'fiscal-year-start-month',
    default: '1',
    description: 'Month (1-12) your fiscal year starts in, for relative periods'
  },
  {
    name: 'fiscal-year-label',
    default: 'end',
    description: 'Which calendar year names a fiscal year spanning two: end or start'
  },
  {
    name: 'timezone',
    default: 'UTC',
    description: 'IANA time zone that decides what "current" means'
  },
  {
    name: 'dry-run',
    default: 'false',
    description: 'Resolve and validate, report the export quota left, create no job'
  }
] as const satisfies readonly SettingDefinition[]

export type SettingName = (typeof SETTINGS)[number]['name']
