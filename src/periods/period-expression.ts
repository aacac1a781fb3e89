import { fiscalQuarterAt, type FiscalCalendar } from './fiscal-calendar.js'
import {
  addQuarters,
  compareQuarters,
  formatQuarter,
  parseQuarterLabel,
  type FiscalQuarter
} from './fiscal-quarter.js'

export const ACCEPTED_PERIOD_FORMS =
  '"2026_Q1", "2025_Q3..2026_Q2", "current", "previous", "next", "current-N", "current+N", "current-3..current"'

/** A `periods` value that cannot be resolved; `entry` is the offending entry when there is one. */
export class PeriodExpressionError extends Error {
  constructor(
    /** What is wrong, without the list of accepted forms. */
    readonly detail: string,
    readonly entry?: string
  ) {
    super(
      `${detail}. Accepted forms: ${ACCEPTED_PERIOD_FORMS}; separate entries with commas or newlines.`
    )
    this.name = 'PeriodExpressionError'
  }
}

export interface ResolvePeriodsOptions {
  now: Date
  calendar: FiscalCalendar
  /** Guards the export quota against typos such as `2000_Q1..2099_Q4`. */
  maxPeriods?: number
}

const MIN_YEAR = 2000
const MAX_YEAR = 2100
const DEFAULT_MAX_PERIODS = 40
const NAMED_OFFSETS: Readonly<Record<string, number>> = { current: 0, previous: -1, next: 1 }
const OFFSET_FROM_CURRENT = /^current\s*([+-])\s*(\d+)$/i

/**
 * Resolves a `periods` value (entries separated by commas and/or newlines) into Clari quarter
 * labels, in the order given, ranges expanded, duplicates dropped after their first occurrence.
 */
export function resolvePeriods(input: string, opts: ResolvePeriodsOptions): string[] {
  const entries = input
    // Stryker disable next-line Regex: a run of separators split one by one gives empty entries, which the filter drops
    .split(/[\r\n,]+/)
    .map(entry => entry.trim())
    .filter(entry => entry !== '')
  if (entries.length === 0) {
    throw failure(input === '' ? 'periods is empty' : 'periods contains only blanks and separators')
  }
  const current = fiscalQuarterAt(opts.now, opts.calendar)
  // A Set keeps insertion order, so a repeated period stays where it first appeared.
  const labels = new Set<string>()
  for (const entry of entries) {
    for (const quarter of expandEntry(entry, current)) labels.add(formatQuarter(quarter))
  }
  const maxPeriods = opts.maxPeriods ?? DEFAULT_MAX_PERIODS
  if (labels.size > maxPeriods) {
    throw failure(
      `periods resolves to ${labels.size} periods, more than the limit of ${maxPeriods} per run ` +
        '(each period is one export job against the Clari quota); narrow the list or range'
    )
  }
  return [...labels]
}

function expandEntry(entry: string, current: FiscalQuarter): FiscalQuarter[] {
  const ends = entry.split('..')
  if (ends.length > 2) throw notAcceptedForm(entry)
  // Stryker disable next-line StringLiteral: split always yields a first element; the default is for the type checker
  const [startText = '', endText] = ends
  const first = resolveEndpoint(startText, entry, current)
  if (endText === undefined) return [first]
  const last = resolveEndpoint(endText, entry, current)
  if (compareQuarters(first, last) > 0) {
    throw failure(
      `range "${entry}" runs backwards: its start ${formatQuarter(first)} is after its end ` +
        `${formatQuarter(last)}; write the earlier period first`,
      entry
    )
  }
  return Array.from({ length: compareQuarters(last, first) + 1 }, (_, i) => addQuarters(first, i))
}

function resolveEndpoint(text: string, entry: string, current: FiscalQuarter): FiscalQuarter {
  const trimmed = text.trim()
  const explicit = parseQuarterLabel(trimmed)
  if (explicit) return withinYearBounds(explicit, trimmed, entry)
  const offset = offsetFromCurrent(trimmed)
  if (offset === undefined) throw notAcceptedForm(entry)
  return withinYearBounds(addQuarters(current, offset), trimmed, entry)
}

function offsetFromCurrent(text: string): number | undefined {
  const named = NAMED_OFFSETS[text.toLowerCase()]
  if (named !== undefined) return named
  const match = OFFSET_FROM_CURRENT.exec(text)
  if (!match) return undefined
  return (match[1] === '-' ? -1 : 1) * Number(match[2])
}

function withinYearBounds(quarter: FiscalQuarter, text: string, entry: string): FiscalQuarter {
  if (quarter.year >= MIN_YEAR && quarter.year <= MAX_YEAR) return quarter
  const label = formatQuarter(quarter)
  const period = label === text.toUpperCase() ? `"${text}"` : `"${text}" (${label})`
  const within = text === entry ? '' : ` in "${entry}"`
  throw failure(
    `period ${period}${within} is outside the supported fiscal years ${MIN_YEAR}-${MAX_YEAR}`,
    entry
  )
}

function notAcceptedForm(entry: string): PeriodExpressionError {
  return failure(`period "${entry}" is not an accepted form`, entry)
}

function failure(detail: string, entry?: string): PeriodExpressionError {
  return new PeriodExpressionError(detail, entry)
}
