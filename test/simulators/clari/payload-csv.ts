import {
  currencySymbol,
  type CellSink,
  type ForecastData,
  type ForecastExportOptions,
  writeBaseExport
} from './forecast-export.js'
import type { OrgMember } from './forecast-org.js'

// A CSV export in the layout of the spec's only results example (docs/clari-api.md#results): one
// row per user, field, week and data type, amounts formatted like `$3,000,190.00`. From that
// example: Role and Parent Role are hierarchy names ('' for the root), Timeframe is the period's
// label, Week counts the quarter's weeks from 0 (as GitLab's dbt model numbers them too), days are
// MM/DD/YYYY, and Data Type is `Forecast Value` or `Forecast Updated` (`Yes`/`No`). The data types
// of quota and adjustment entries appear in no example: `Quota Value` and `Adjustment Value` [I].

export const CSV_COLUMNS = [
  'User',
  'Email',
  'CRM User ID',
  'Role',
  'Parent Role',
  'Timeframe',
  'Field',
  'Week',
  'Start Day',
  'End Day',
  'Data Type',
  'Data Value'
]

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

function usDate(isoDay: string): string {
  const [year, month, day] = isoDay.split('-')
  return `${month}/${day}/${year}`
}

class CsvRows implements CellSink {
  readonly rows: string[] = [CSV_COLUMNS.join(',')]
  private readonly users: string[] = []
  private readonly fields: string[]
  private readonly frames: string[]
  private readonly symbol: string

  constructor(private readonly data: ForecastData) {
    for (const { index, user } of data.members) {
      const cells = [user.name, user.email, user.crmId, user.hierarchyName]
      this.users[index] = [...cells, user.parentHierarchyName ?? ''].map(csvCell).join(',')
    }
    const label = csvCell(String(data.timePeriod.label))
    this.fields = data.fields.map(f => `${label},${csvCell(f.fieldName)}`)
    this.frames = data.frames.map(
      (f, i) => `${data.weekOf[i]},${usDate(f.startDate)},${usDate(f.endDate)}`
    )
    this.symbol = currencySymbol(data.request.currency)
  }

  forecast(m: OrgMember, field: number, frame: number, cents: number, updated: boolean) {
    const key = this.key(m, field, frame)
    if (this.data.values) this.rows.push(`${key},Forecast Value,${this.money(cents)}`)
    if (this.data.updates) this.rows.push(`${key},Forecast Updated,${updated ? 'Yes' : 'No'}`)
  }

  quota(m: OrgMember, field: number, frame: number, cents: number) {
    this.rows.push(`${this.key(m, field, frame)},Quota Value,${this.money(cents)}`)
  }

  adjustment(m: OrgMember, field: number, frame: number, cents: number) {
    this.rows.push(`${this.key(m, field, frame)},Adjustment Value,${this.money(cents)}`)
  }

  private key(m: OrgMember, field: number, frame: number): string {
    return `${this.users[m.index]},${this.fields[field]},${this.frames[frame]}`
  }

  /** `$3,000,190.00` */
  private money(cents: number): string {
    const whole = Math.floor(cents / 100).toString()
    const rest = String(cents % 100).padStart(2, '0')
    return csvCell(`${this.symbol}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${rest}`)
  }
}

/** The simulator's CSV results body for the same export as `forecastPayload`. Pure. */
export function forecastCsv(
  period: string,
  forecastId: string,
  options: ForecastExportOptions = {}
): string {
  const csv = writeBaseExport({ period, forecastId, options }, data => new CsvRows(data))
  return csv.rows.join('\r\n') + '\r\n'
}
