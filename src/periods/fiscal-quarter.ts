/** A quarter of a fiscal year, with the year as the customer's fiscal-year label (not the calendar year). */
export interface FiscalQuarter {
  year: number
  quarter: 1 | 2 | 3 | 4
}

// Case-insensitive so hand-typed `2026_q1` is accepted; formatQuarter gives Clari's upper-case form.
const QUARTER_LABEL = /^(\d{4})_Q([1-4])$/i

/** Clari's `YYYY_QN` label, e.g. `2026_Q1`. */
export function formatQuarter(q: FiscalQuarter): string {
  return `${String(q.year).padStart(4, '0')}_Q${q.quarter}`
}

/** The quarter a `YYYY_QN` label names (any letter case), or undefined when it is not one. */
export function parseQuarterLabel(label: string): FiscalQuarter | undefined {
  const match = QUARTER_LABEL.exec(label)
  if (!match) return undefined
  return { year: Number(match[1]), quarter: Number(match[2]) as FiscalQuarter['quarter'] }
}

/** The quarter `n` quarters after `q` (before it when `n` is negative), crossing fiscal years. */
export function addQuarters(q: FiscalQuarter, n: number): FiscalQuarter {
  if (!Number.isInteger(n)) throw new RangeError(`addQuarters needs a whole number, got ${n}`)
  return fromIndex(toIndex(q) + n)
}

/** How many quarters `a` lies after `b`: negative when before, 0 when equal; usable with Array.sort. */
export function compareQuarters(a: FiscalQuarter, b: FiscalQuarter): number {
  return toIndex(a) - toIndex(b)
}

// Quarters numbered consecutively make arithmetic across year ends plain integer arithmetic.
function toIndex(q: FiscalQuarter): number {
  return q.year * 4 + (q.quarter - 1)
}

function fromIndex(index: number): FiscalQuarter {
  const year = Math.floor(index / 4)
  return { year, quarter: (index - year * 4 + 1) as FiscalQuarter['quarter'] }
}
