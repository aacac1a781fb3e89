// The figures of the simulated forecast: a rep's quota and weekly calls, derived from a seed by
// hashing, so any cell can be computed alone, in any order, and again on the next export.
// Amounts are integer cents, so roll-ups sum exactly.

function fmix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

/** A 32-bit hash of small integers (murmur3's finaliser between them). */
export function hash32(a: number, b: number, c = 0, d = 0, e = 0): number {
  let h = fmix(a ^ 0x9e3779b9)
  h = fmix(h ^ Math.imul(b, 0xcc9e2d51))
  h = fmix(h ^ Math.imul(c, 0x1b873593))
  h = fmix(h ^ Math.imul(d, 0xe6546b64))
  return fmix(h ^ Math.imul(e, 0x85ebca6b))
}

/** A number in [0, 1) from the same inputs. */
export function unit(a: number, b: number, c = 0, d = 0, e = 0): number {
  return hash32(a, b, c, d, e) / 4294967296
}

/** The three forecast call fields of a product line, in this order. */
export const CALLS = ['Commit', 'Best Case', 'Pipeline'] as const

const DRAW = { quota: 1, pipeline: 2, best: 3, commit: 4, update: 5, time: 6, adjust: 7 }
/** Salt of the draws that move the latest week from one snapshot to the next. */
const DRIFT = 1000

export class Figures {
  /** The largest quota of a rep (main product line). */
  static readonly MAX_QUOTA_CENTS = 80_000_000

  /**
   * `seed` picks the forecast and period, `weeks` is the quarter's week count (a rep's pipeline
   * converts into commit as the quarter goes on).
   */
  constructor(
    private readonly seed: number,
    private readonly weeks: number
  ) {}

  /** A rep's quarterly quota for a product line: $200k to $800k for the main line. */
  quota(rep: number, line: number): number {
    const u = unit(this.seed, DRAW.quota, rep, line)
    const cents = line === 0 ? 20_000_000 + 60_000_000 * u : 2_000_000 + 13_000_000 * u
    return Math.round(cents / 100_000) * 100_000
  }

  /** The most a rep's pipeline can be for a quota of `quotaCents` (for size bounds). */
  static maxPipeline(quotaCents: number): number {
    return Math.ceil(quotaCents * 2.4 * 1.2 * 1.05)
  }

  /**
   * A rep's Commit, Best Case and Pipeline (cents) for a product line and week of the quarter,
   * written to `out` at `at`. `snapshot` > 0 moves the figures by a few percent: the latest week
   * of a later export. Commit ≤ Best Case ≤ Pipeline by construction (ratios of at most 1).
   */
  calls(rep: number, line: number, week: number, snapshot: number, out: Float64Array, at: number) {
    const progress = (week + 1) / this.weeks
    const quota = this.quota(rep, line)
    let pipeline =
      quota * (2.4 - 0.9 * progress) * (0.8 + 0.4 * this.u(DRAW.pipeline, rep, line, week))
    let best = 0.35 + 0.4 * progress + 0.15 * this.u(DRAW.best, rep, line, week)
    let commit = 0.45 + 0.35 * progress + 0.15 * this.u(DRAW.commit, rep, line, week)
    if (snapshot > 0) {
      const drift = (draw: number) =>
        unit(this.seed, DRIFT + draw, rep, line, week * 4096 + snapshot) - 0.5
      pipeline *= 1 + 0.1 * drift(DRAW.pipeline)
      best += 0.08 * drift(DRAW.best)
      commit += 0.08 * drift(DRAW.commit)
    }
    const pipelineCents = Math.round(pipeline)
    const bestCents = Math.floor(pipelineCents * Math.min(1, best))
    out[at] = Math.floor(bestCents * Math.min(1, commit))
    out[at + 1] = bestCents
    out[at + 2] = pipelineCents
  }

  /** Whether a member updated their call in a week (about half of them do). */
  updated(member: number, week: number, snapshot: number): boolean {
    return unit(this.seed, DRAW.update, member, week, snapshot) < 0.55
  }

  /** Where in a span of `spanMs` a member's update falls. */
  updateOffset(member: number, week: number, snapshot: number, spanMs: number): number {
    return Math.floor(unit(this.seed, DRAW.time, member, week, snapshot) * spanMs)
  }

  /**
   * A manager's override of a rep's Commit or Best Case (`call` 0 or 1), or undefined: about one
   * call in five, cut to 80-100 % of the rep's number.
   */
  adjustment(rep: number, line: number, call: number, week: number, cents: number) {
    const u = unit(this.seed, DRAW.adjust, rep, line * 3 + call, week)
    return u < 0.2 ? Math.floor(cents * (0.8 + u)) : undefined
  }

  private u(draw: number, rep: number, line: number, week: number): number {
    return unit(this.seed, draw, rep, line, week)
  }
}
