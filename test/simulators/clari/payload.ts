import { mulberry32, stableHex } from './prng.js'
import { DAY_MS, isoDay, quarterRange, weekStarts } from './quarters.js'

// Payload shapes follow docs/clari-api.md#results: five lookup tables, entries keyed by
// (timePeriodId, timeFrameId, userId, fieldId). Values are fake but deterministic.

export const SIM_USERS = [
  user('280627:00E4M000001RgqRUAS', 'Avery Lee', '1905::MGR', 'Global Sales', null, null),
  user(
    '280627:00E4M000001RgqSUAS',
    'Blake Ortiz',
    '1906::REP',
    'West AE',
    '1905::MGR',
    'Global Sales'
  ),
  user(
    '280627:00E4M000001RgqTUAS',
    'Casey Ngata',
    '1907::REP',
    'East AE',
    '1905::MGR',
    'Global Sales'
  ),
  user(
    '280627:00E4M000001RgqUUAS',
    'Dana Kowal',
    '1908::REP',
    'EMEA AE',
    '1905::MGR',
    'Global Sales'
  )
]

export const SIM_FIELDS = [
  { fieldId: 'fc_net_commit', fieldName: 'Commit', fieldType: 'forecast' },
  { fieldId: 'fc_best_case', fieldName: 'Best Case', fieldType: 'forecast' },
  { fieldId: 'fc_pipeline', fieldName: 'Pipeline', fieldType: 'forecast' },
  { fieldId: 'quota', fieldName: 'Quota', fieldType: 'quota' }
]

function user(
  userId: string,
  name: string,
  hierarchyId: string,
  hierarchyName: string,
  parentHierarchyId: string | null,
  parentHierarchyName: string | null
) {
  const crmId = userId.split(':')[1]
  const email = `${name.toLowerCase().replace(' ', '.')}@example.com`
  return {
    userId,
    crmId,
    email,
    name,
    hierarchyId,
    hierarchyName,
    parentHierarchyId,
    parentHierarchyName,
    scopeId: '1905::MGR'
  }
}

export interface TimeFrame {
  timeFrameId: string
  startDate: string
  endDate: string
}

/** The lookup tables other than entries; shared with the generated (streamed) payload. */
export function periodTables(period: string) {
  const range = quarterRange(period)
  const weeks = weekStarts(range ?? quarterRange('2000_Q1')!)
  const timeFrames: TimeFrame[] = weeks.map(start => ({
    timeFrameId: `TF:${isoDay(start)}`,
    startDate: isoDay(start),
    endDate: isoDay(start + 6 * DAY_MS)
  }))
  const timePeriods = [
    {
      timePeriodId: period,
      startDate: range ? isoDay(range.start) : null,
      endDate: range ? isoDay(range.end) : null,
      label: range ? `Q${range.quarter} ${range.year}` : period,
      year: range ? range.year : null,
      crmId: `0264M00000${stableHex(8, 'period', period).toUpperCase()}`,
      type: 'quarter'
    }
  ]
  return { users: SIM_USERS, fields: SIM_FIELDS, timePeriods, timeFrames }
}

interface Cell {
  user: (typeof SIM_USERS)[number]
  field: (typeof SIM_FIELDS)[number]
  frame: TimeFrame
  value: number
  isUpdated: boolean
  updatedOn: number
}

function cells(period: string, forecastId: string): Cell[] {
  const random = mulberry32(parseInt(stableHex(8, period, forecastId), 16))
  const { timeFrames } = periodTables(period)
  const out: Cell[] = []
  for (const u of SIM_USERS)
    for (const field of SIM_FIELDS)
      for (const frame of timeFrames)
        out.push({
          user: u,
          field,
          frame,
          value: Math.round(random() * 500_000_000) / 100,
          isUpdated: random() < 0.3,
          updatedOn: Date.parse(frame.startDate) + Math.floor(random() * 7 * DAY_MS)
        })
  return out
}

/** Clari lists weeks in no particular order; mimic that deterministically. */
function shuffled<T>(items: T[], seed: string): T[] {
  const random = mulberry32(parseInt(stableHex(8, 'order', seed), 16))
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[copy[i], copy[j]] = [copy[j]!, copy[i]!]
  }
  return copy
}

/** Default JSON results body: `timePeriods[0].timePeriodId` is `period`. Pure. */
export function forecastPayload(period: string, forecastId: string): string {
  const tables = periodTables(period)
  const entries = cells(period, forecastId).map(c => ({
    userId: c.user.userId,
    fieldId: c.field.fieldId,
    timePeriodId: period,
    timeFrameId: c.frame.timeFrameId,
    ...(c.field.fieldType === 'quota' ? { quotaValue: c.value } : { forecastValue: c.value }),
    currency: 'USD',
    isUpdated: c.isUpdated,
    updatedBy: c.isUpdated ? c.user.userId : null,
    updatedOn: c.updatedOn
  }))
  return JSON.stringify({
    entries,
    users: tables.users,
    fields: tables.fields,
    timePeriods: tables.timePeriods,
    timeFrames: shuffled(tables.timeFrames, `${period}:${forecastId}`)
  })
}

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

/** Default CSV results body (the spec's flat layout); the Timeframe column holds `period`. Pure. */
export function forecastCsv(period: string, forecastId: string): string {
  const weekNumber = new Map(periodTables(period).timeFrames.map((f, i) => [f.timeFrameId, i + 1]))
  const rows = [CSV_COLUMNS]
  for (const c of cells(period, forecastId)) {
    if (c.field.fieldType === 'quota') continue
    const base = [
      c.user.name,
      c.user.email,
      c.user.crmId ?? '',
      c.user.hierarchyName,
      c.user.parentHierarchyName ?? '',
      period,
      c.field.fieldName,
      `Week ${weekNumber.get(c.frame.timeFrameId)}`,
      c.frame.startDate,
      c.frame.endDate
    ]
    rows.push([...base, 'Forecast Value', dollars(c.value)])
    rows.push([...base, 'Forecast Updated', c.isUpdated ? 'Yes' : 'No'])
  }
  return rows.map(row => row.map(csvCell).join(',')).join('\r\n') + '\r\n'
}

function dollars(value: number): string {
  const [whole = '0', cents = '00'] = value.toFixed(2).split('.')
  return `$${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}
