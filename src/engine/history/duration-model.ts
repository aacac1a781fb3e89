import { isJobId } from '../../clari/types.js'
import type { DurationObservation, DurationPrediction } from '../durations.js'

/** Clari's longest plausible export: anything longer is a broken stamp, not a duration. */
const DAY_MS = 86_400_000
/** The newest observations of a period that count: durations drift as the data grows. */
const KEEP = 8
/**
 * An observation further from the median than this many (normal-scaled) MADs, and further than
 * half the median, is an outlier: a job that waited in Clari's queue, or was made with other
 * parameters that the job list does not show.
 */
const OUTLIER_MADS = 3
const OUTLIER_FLOOR = 0.5
/** MAD × this estimates the standard deviation of normally spread values. */
const MAD_TO_SIGMA = 1.4826
/** Relative half-width assumed when a single earlier job is known. */
const ONE_SAMPLE_SPREAD = 0.1
/** Never trust earlier jobs to predict the next one closer than this (relative half-width). */
const MIN_SPREAD = 0.02
/** Earlier jobs spread wider than this (relative half-width) predict nothing worth aiming at. */
const MAX_SPREAD = 0.5

/** A value from outside that may count as a duration: finite, positive, below a day. */
export function isDuration(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value < DAY_MS
}

/**
 * The expected duration and its spread, from earlier durations (unchecked: only those that are
 * durations count). Undefined with nothing to go on, or when they scatter too widely to aim at.
 *
 * Median and MAD rather than mean and standard deviation: one poisoned value (a job stuck in a
 * queue, a broken stamp, a job made with other parameters) moves the mean and the standard
 * deviation without bound, while the median and the MAD resist up to half the values being bad.
 * Outliers are dropped, the median of the rest is the prediction, and the rest's largest
 * deviation from it, scaled by (n + 1) / (n − 1), is the spread: n values drawn from a range
 * cover on average (n − 1) / (n + 1) of it, so three earlier jobs see only half the range the
 * next one may end in.
 */
export function predictDuration(values: readonly unknown[]): DurationPrediction | undefined {
  const admitted = values.filter(isDuration)
  if (admitted.length === 0) return undefined
  const centre = median(admitted)
  const mad = median(admitted.map(v => Math.abs(v - centre)))
  const limit = Math.max(OUTLIER_MADS * MAD_TO_SIGMA * mad, OUTLIER_FLOOR * centre)
  const kept = admitted.filter(v => Math.abs(v - centre) <= limit)
  const expectedMs = median(kept)
  const n = kept.length
  const observed = Math.max(...kept.map(v => Math.abs(v - expectedMs)))
  const relative =
    n === 1
      ? ONE_SAMPLE_SPREAD
      : Math.max(MIN_SPREAD, ((observed / expectedMs) * (n + 1)) / (n - 1))
  if (relative > MAX_SPREAD) return undefined
  return { expectedMs, spreadMs: relative * expectedMs, samples: n }
}

/** What the run asks for: durations of other forecasts, periods or parameters do not count. */
export interface HistoryWanted {
  forecastId: string
  periods: readonly string[]
  /** `JSON` or `CSV`: what a source that knows no more than the file type must match. */
  exportFormat: string
  /** Whether an observation's `request` asks for the same data as this run (untrusted input). */
  sameRequest(request: unknown): boolean
}

/**
 * A prediction per period of the run that has history. An observation counts when every field
 * it brings checks out: this forecast, one of the run's periods, a duration (`isDuration`).
 * Observations made with this run's parameters (the ledger, an earlier manifest) come first;
 * those whose parameters are unknown (Clari's job list: only the file type, which must match)
 * count for a period only when it has none of those, because parameters such as
 * `include-historical` change how long a job takes. A job two sources report counts once.
 */
export function predictDurations(
  observations: readonly DurationObservation[],
  wanted: HistoryWanted
): Map<string, DurationPrediction> {
  const exact = new Map<string, Admitted[]>()
  const formatOnly = new Map<string, Admitted[]>()
  const seen = new Set<string>()
  const tiers = observations.flatMap(o => {
    const tier = tierOf(o, wanted)
    return tier ? [{ o, tier }] : []
  })
  // Exact observations first, so the same job listed without its parameters is the one dropped.
  tiers.sort((a, b) => (a.tier === b.tier ? 0 : a.tier === 'exact' ? -1 : 1))
  for (const { o, tier } of tiers) {
    const jobId = isJobId(o.jobId) ? o.jobId : undefined
    if (jobId !== undefined) {
      if (seen.has(jobId)) continue
      seen.add(jobId)
    }
    const into = tier === 'exact' ? exact : formatOnly
    const list = into.get(o.period) ?? []
    const endedAt = o.endedAt
    list.push({ durationMs: o.durationMs, endedAt: isEpoch(endedAt) ? endedAt : undefined })
    into.set(o.period, list)
  }
  const predictions = new Map<string, DurationPrediction>()
  for (const period of wanted.periods) {
    const list = exact.get(period) ?? formatOnly.get(period)
    if (!list) continue
    const prediction = predictDuration(newest(list).map(a => a.durationMs))
    if (prediction) predictions.set(period, prediction)
  }
  return predictions
}

interface Admitted {
  durationMs: number
  endedAt?: number
}

function tierOf(o: DurationObservation, wanted: HistoryWanted): 'exact' | 'format' | undefined {
  if (typeof o !== 'object' || o === null) return undefined
  if (o.forecastId !== wanted.forecastId || !wanted.periods.includes(o.period)) return undefined
  if (!isDuration(o.durationMs)) return undefined
  if (o.request !== undefined) return wanted.sameRequest(o.request) ? 'exact' : undefined
  return o.fileType === wanted.exportFormat ? 'format' : undefined
}

/** The KEEP newest, by when they ended; those of unknown age after all dated ones, as given. */
function newest(list: readonly Admitted[]): Admitted[] {
  const dated = list.filter(a => a.endedAt !== undefined)
  const undated = list.filter(a => a.endedAt === undefined)
  dated.sort((a, b) => b.endedAt! - a.endedAt!)
  return [...dated, ...undated].slice(0, KEEP)
}

function isEpoch(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
