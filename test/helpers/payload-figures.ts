// Figures a test computes on its own from a forecast payload's JSON (as Clari's results body
// holds it), to hold a query's answer against: plain loops over the parsed lists, amounts summed
// in whole cents so no float error creeps in. Nothing here knows how the simulator made the data.

export interface PayloadEntry {
  userId: string
  fieldId: string
  timePeriodId: string
  timeFrameId: string
  forecastValue?: number
  quotaValue?: number
  adjustmentValue?: number
}

export interface PayloadUser {
  userId: string
  name: string
  hierarchyId: string
  parentHierarchyId: string | null
}

export interface Payload {
  entries: PayloadEntry[]
  users: PayloadUser[]
  fields: { fieldId: string; fieldName: string; fieldType: string }[]
  timeFrames: { timeFrameId: string; startDate: string }[]
  timePeriods: { timePeriodId: string }[]
}

const cents = (value: number): number => Math.round(value * 100)

/** The week a payload is a snapshot of: its latest time frame (Clari lists them unordered). */
export function latestTimeFrameId(payload: Payload): string {
  let latest = payload.timeFrames[0]
  for (const frame of payload.timeFrames) if (frame.startDate > latest!.startDate) latest = frame
  if (!latest) throw new Error('the payload has no time frames')
  return latest.timeFrameId
}

/** Reps: users whose hierarchyId ends in `::REP`. */
export function isRep(user: PayloadUser): boolean {
  return user.hierarchyId.endsWith('::REP')
}

/**
 * The top of the hierarchy: users whose manager is not in the payload. Their figures are the
 * roll-up of everyone below.
 */
export function isTop(user: PayloadUser, payload: Payload): boolean {
  return !payload.users.some(u => u.hierarchyId === user.parentHierarchyId)
}

/**
 * The forecast by field name in a payload's latest week (forecastValue entries only), summed
 * over the users `who` picks: `isRep` for reps only, `isTop` for the roll-up.
 */
export function latestForecastByField(
  payload: Payload,
  who: (user: PayloadUser, payload: Payload) => boolean
): Map<string, number> {
  const week = latestTimeFrameId(payload)
  const counted = new Set(payload.users.filter(u => who(u, payload)).map(u => u.userId))
  const names = new Map(payload.fields.map(f => [f.fieldId, f.fieldName]))
  const totals = new Map<string, number>()
  for (const entry of payload.entries) {
    if (entry.forecastValue === undefined) continue
    if (entry.timeFrameId !== week || !counted.has(entry.userId)) continue
    const name = names.get(entry.fieldId)!
    totals.set(name, (totals.get(name) ?? 0) + cents(entry.forecastValue))
  }
  return new Map([...totals].map(([name, total]) => [name, total / 100]))
}

export interface WeekOverWeek {
  userId: string
  name: string
  fieldName: string
  /** The rep's latest-week forecast in the earlier snapshot; null if the rep is not in it. */
  before: number | null
  after: number | null
  /** after − before; null when the rep is missing from either snapshot. */
  change: number | null
}

/**
 * Week-over-week change per rep and forecast field between two snapshots of one period: each
 * snapshot's latest-week forecastValue. A rep in only one snapshot (one who left) keeps a row
 * with null on the other side. Sorted by userId, then field name (code-point order).
 */
export function weekOverWeek(before: Payload, after: Payload): WeekOverWeek[] {
  const rows = new Map<string, WeekOverWeek>()
  for (const [side, payload] of [
    ['before', before],
    ['after', after]
  ] as const) {
    const week = latestTimeFrameId(payload)
    const reps = new Map(payload.users.filter(isRep).map(u => [u.userId, u]))
    const names = new Map(payload.fields.map(f => [f.fieldId, f.fieldName]))
    for (const entry of payload.entries) {
      const rep = reps.get(entry.userId)
      if (entry.forecastValue === undefined || entry.timeFrameId !== week || !rep) continue
      const fieldName = names.get(entry.fieldId)!
      const key = `${rep.userId}\u0000${fieldName}`
      const row = rows.get(key) ?? {
        userId: rep.userId,
        name: rep.name,
        fieldName,
        before: null,
        after: null,
        change: null
      }
      row[side] = entry.forecastValue
      rows.set(key, row)
    }
  }
  for (const row of rows.values()) {
    if (row.before !== null && row.after !== null) {
      row.change = (cents(row.after) - cents(row.before)) / 100
    }
  }
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return [...rows.values()].sort(
    (a, b) => order(a.userId, b.userId) || order(a.fieldName, b.fieldName)
  )
}
