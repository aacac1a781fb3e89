const PERIOD = /^(\d{4})_Q([1-4])$/
export const DAY_MS = 86_400_000

export function isPeriod(value: unknown): value is string {
  return typeof value === 'string' && PERIOD.test(value)
}

/** Calendar quarter of an epoch time: what Clari exports when the period is missing or unknown. */
export function quarterOf(epochMs: number): string {
  const d = new Date(epochMs)
  return `${d.getUTCFullYear()}_Q${Math.floor(d.getUTCMonth() / 3) + 1}`
}

export interface QuarterRange {
  year: number
  quarter: number
  /** Epoch ms of the first day, 00:00 UTC. */
  start: number
  /** Epoch ms of the last day, 00:00 UTC. */
  end: number
}

/** The simulator treats fiscal quarters as calendar quarters; undefined for a malformed label. */
export function quarterRange(period: string): QuarterRange | undefined {
  const m = PERIOD.exec(period)
  if (!m) return undefined
  const year = Number(m[1])
  const quarter = Number(m[2])
  const start = Date.UTC(year, (quarter - 1) * 3, 1)
  const end = Date.UTC(year, quarter * 3, 1) - DAY_MS
  return { year, quarter, start, end }
}

/** Week starts (Mondays) covering the quarter; week 1 may start before the quarter does. */
export function weekStarts(range: QuarterRange): number[] {
  const weekday = (new Date(range.start).getUTCDay() + 6) % 7 // Monday = 0
  const weeks: number[] = []
  for (let t = range.start - weekday * DAY_MS; t <= range.end; t += 7 * DAY_MS) weeks.push(t)
  return weeks
}

export function isoDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10)
}
