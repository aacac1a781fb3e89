import { CALLS, Figures } from './figures.js'
import { buildOrg, type Org, type OrgMember } from './forecast-org.js'
import { stableHex } from './prng.js'
import { DAY_MS, isoDay, quarterRange, weekStarts } from './quarters.js'

// What one forecast export holds (the rules are listed at the top of payload.ts): who is in it,
// which fields and weeks, and every entry's figures, visited member by member so that a payload
// of any size is written without being held.

export type CurrencyShape = 'string' | 'object'

const WEEK_MS = 7 * DAY_MS

/** What a create request (and the simulator's clock and export count) decide about the data. */
export interface ForecastExportOptions {
  /**
   * The export's "now", epoch ms: the weeks that began by then are exported. Default: the end of
   * the quarter's last week (a closed quarter; any later "now" gives the same export).
   */
  asOf?: number
  /**
   * How many exports of this forecast and period came before this one (0: the first). Later
   * snapshots move the latest week's figures and have lost one rep.
   */
  snapshot?: number
  /** Default false: the latest week only. */
  includeHistorical?: boolean
  /** Default Clari's: forecast and forecast_updated. */
  typesToExport?: readonly string[]
  /** ISO code, default USD. */
  currency?: string
  /** `currency` on entries as "USD" (default) or as {"code":"USD","symbol":"$"}. */
  currencyShape?: CurrencyShape
}

export interface ForecastExport extends Required<ForecastExportOptions> {
  period: string
  forecastId: string
}

export const DEFAULT_TYPES = ['forecast', 'forecast_updated']

export function forecastExport(
  period: string,
  forecastId: string,
  options: ForecastExportOptions = {}
): ForecastExport {
  return {
    period,
    forecastId,
    asOf: options.asOf ?? closedAt(period),
    snapshot: options.snapshot ?? 0,
    includeHistorical: options.includeHistorical ?? false,
    typesToExport: options.typesToExport ?? DEFAULT_TYPES,
    currency: options.currency ?? 'USD',
    currencyShape: options.currencyShape ?? 'string'
  }
}

/** How big the simulated company is: sales teams, and product lines (three calls and a quota each). */
export interface OrgSize {
  teams: number
  lines: number
}

/** forecastPayload's org: a CEO, a VP, two teams of 4-6 reps, one product line. */
const BASE_ORG: OrgSize = { teams: 2, lines: 1 }

export interface SimField {
  fieldId: string
  fieldName: string
  fieldType: 'forecast' | 'quota'
}

export interface TimeFrame {
  timeFrameId: string
  startDate: string
  endDate: string
}

/**
 * An export by the base org, every entry written at once to the sink `open` makes for it: what
 * forecastPayload and forecastCsv serve.
 */
export function writeBaseExport<Sink extends CellSink>(
  request: { period: string; forecastId: string; options: ForecastExportOptions },
  open: (data: ForecastData) => Sink
): Sink {
  const data = new ForecastData(
    forecastExport(request.period, request.forecastId, request.options),
    BASE_ORG
  )
  const sink = open(data)
  data.writeAll(sink)
  return sink
}

/** Receives the entries of an export, one call per entry. Amounts are integer cents. */
export interface CellSink {
  forecast(
    member: OrgMember,
    field: number,
    frame: number,
    cents: number,
    updated: boolean,
    updatedOn: number
  ): void
  quota(member: OrgMember, field: number, frame: number, cents: number): void
  adjustment(
    member: OrgMember,
    field: number,
    frame: number,
    cents: number,
    by: OrgMember,
    updatedOn: number
  ): void
}

const SYMBOLS: Record<string, string> = { USD: '$', EUR: '€', GBP: '£', JPY: '¥', CAD: 'CA$' }

/** The symbol Clari shows for a currency (the code itself for one this simulator doesn't know). */
export function currencySymbol(code: string): string {
  return SYMBOLS[code] ?? code
}

// The simulator treats a malformed period (a periodOverride) as 2000_Q1 for its weeks.
function periodRange(period: string) {
  return quarterRange(period) ?? quarterRange('2000_Q1')!
}

/** When the quarter's last week ends. */
function closedAt(period: string): number {
  return weekStarts(periodRange(period)).at(-1)! + WEEK_MS
}

/** Ids of the calls' fields: the main product line's, and the stem of the other lines'. */
const CALL_IDS = [
  ['fc_net_commit', 'commit'],
  ['fc_best_case', 'best_case'],
  ['fc_pipeline', 'pipeline']
] as const

function fieldsOf(lines: number, forecast: boolean, quota: boolean): SimField[] {
  const fields: SimField[] = []
  const name = (l: number, base: string) => (l === 0 ? base : `${base} - Product Line ${l + 1}`)
  const id = (l: number, main: string, stem: string) => (l === 0 ? main : `fc_pl${l + 1}_${stem}`)
  for (let l = 0; forecast && l < lines; l++) {
    CALLS.forEach((call, c) => {
      const [main, stem] = CALL_IDS[c]!
      fields.push({ fieldId: id(l, main, stem), fieldName: name(l, call), fieldType: 'forecast' })
    })
  }
  for (let l = 0; quota && l < lines; l++) {
    fields.push({
      fieldId: id(l, 'quota', 'quota'),
      fieldName: name(l, 'Quota'),
      fieldType: 'quota'
    })
  }
  return fields
}

/** One export's data: its lookup tables, and its entries through `walk()`. */
export class ForecastData {
  readonly org: Org
  /** The members in this export, pre-order (a leaver is gone from later snapshots). */
  readonly members: OrgMember[]
  /** The rep gone from this snapshot, if any. */
  readonly leaver: OrgMember | undefined
  readonly fields: SimField[]
  /** The exported weeks, in the quarter's order. */
  readonly frames: TimeFrame[]
  /** Each frame's week of the quarter, from 0 (the CSV's Week column). */
  readonly weekOf: number[]
  readonly timePeriod: Record<string, unknown>
  readonly values: boolean
  readonly updates: boolean
  readonly quotas: boolean
  readonly adjustments: boolean
  readonly figures: Figures
  /** Each frame's first day, epoch ms. */
  readonly weekStartMs: number[]

  constructor(
    readonly request: ForecastExport,
    readonly size: OrgSize
  ) {
    const { period, forecastId, typesToExport: types } = request
    this.org = buildOrg(size.teams)
    this.leaver = request.snapshot > 0 ? this.org.leaver : undefined
    this.members = this.org.members.filter(m => m !== this.leaver)
    this.values = types.includes('forecast')
    this.updates = types.includes('forecast_updated')
    this.adjustments = types.includes('adjustment')
    this.quotas = types.includes('quota')
    this.fields = fieldsOf(size.lines, this.forecastFields, this.quotas)

    const known = quarterRange(period)
    const range = periodRange(period)
    const weeks = weekStarts(range)
    // The weeks that began by the export's "now"; a quarter yet to begin has its first week.
    let latest = 0
    while (latest + 1 < weeks.length && weeks[latest + 1]! <= request.asOf) latest++
    const first = request.includeHistorical ? 0 : latest
    this.weekOf = []
    for (let w = first; w <= latest; w++) this.weekOf.push(w)
    this.weekStartMs = this.weekOf.map(w => weeks[w]!)
    this.frames = this.weekStartMs.map(start => ({
      timeFrameId: `TF:${isoDay(start)}`,
      startDate: isoDay(start),
      endDate: isoDay(start + 6 * DAY_MS)
    }))
    this.timePeriod = {
      timePeriodId: period,
      startDate: known ? isoDay(known.start) : null,
      endDate: known ? isoDay(known.end) : null,
      label: known ? `Q${known.quarter} ${known.year}` : period,
      year: known ? known.year : null,
      crmId: `0264M00000${stableHex(8, 'period', period).toUpperCase()}`,
      type: 'quarter'
    }
    this.figures = new Figures(parseInt(stableHex(8, period, forecastId), 16), weeks.length)
  }

  /** Whether the export has the forecast call fields (every type but quota concerns them). */
  get forecastFields(): boolean {
    return this.values || this.updates || this.adjustments
  }

  /** Index in `fields` of a product line's call (0 Commit, 1 Best Case, 2 Pipeline). */
  callField(line: number, call: number): number {
    return line * 3 + call
  }

  quotaField(line: number): number {
    return (this.forecastFields ? this.size.lines * 3 : 0) + line
  }

  /** The members' entries, a manager's after its reports'. */
  walk(): CellWalk {
    return new CellWalk(this)
  }

  /** Every entry to `sink` at once (for payloads small enough to hold). */
  writeAll(sink: CellSink): void {
    const walk = this.walk()
    while (walk.step(sink));
  }
}

/**
 * Visits the export member by member in post-order. A rep's figures come from `Figures`; a
 * manager's are the sums of its reports', gathered as the reports are visited, so only the
 * managers above the current member hold sums.
 */
export class CellWalk {
  private next = 0
  private readonly sums = new Map<number, Float64Array>()
  private readonly width: number
  private readonly calls = new Float64Array(3)

  constructor(private readonly data: ForecastData) {
    // Per member: lines × 3 calls × frames, then one quota per line.
    this.width = data.size.lines * (3 * data.frames.length + 1)
  }

  /** Sends the entries of the next member to `sink`; false once every member is done. */
  step(sink: CellSink): boolean {
    const { postOrder } = this.data.org
    let member = postOrder[this.next++]
    if (member && member === this.data.leaver) member = postOrder[this.next++]
    if (!member) return false
    const figures = member.rep ? this.repFigures(member) : this.take(member.index)
    if (member.parent >= 0) {
      const parent = this.sumsOf(member.parent)
      for (let i = 0; i < this.width; i++) parent[i]! += figures[i]!
    }
    this.emit(member, figures, sink)
    return true
  }

  private take(index: number): Float64Array {
    const sums = this.sumsOf(index)
    this.sums.delete(index)
    return sums
  }

  private sumsOf(index: number): Float64Array {
    let sums = this.sums.get(index)
    if (!sums) this.sums.set(index, (sums = new Float64Array(this.width)))
    return sums
  }

  private snapshotOf(frame: number): number {
    return frame === this.data.frames.length - 1 ? this.data.request.snapshot : 0
  }

  private repFigures(rep: OrgMember): Float64Array {
    const { figures, weekOf, size } = this.data
    const frames = weekOf.length
    const out = new Float64Array(this.width)
    for (let line = 0; line < size.lines; line++) {
      for (let f = 0; f < frames; f++) {
        figures.calls(rep.index, line, weekOf[f]!, this.snapshotOf(f), this.calls, 0)
        for (let call = 0; call < 3; call++) out[(line * 3 + call) * frames + f] = this.calls[call]!
      }
      out[size.lines * 3 * frames + line] = figures.quota(rep.index, line)
    }
    return out
  }

  private emit(member: OrgMember, figures: Float64Array, sink: CellSink): void {
    const data = this.data
    const frames = data.frames.length
    const lines = data.size.lines
    if (data.forecastFields) {
      const updated: boolean[] = []
      const updatedOn: number[] = []
      for (let f = 0; f < frames; f++) {
        const [yes, on] = this.update(member.index, f)
        updated.push(yes)
        updatedOn.push(on)
      }
      const manager = data.org.members[member.parent]
      for (let line = 0; line < lines; line++) {
        for (let call = 0; call < 3; call++) {
          const field = data.callField(line, call)
          for (let f = 0; f < frames; f++) {
            const cents = figures[(line * 3 + call) * frames + f]!
            if (data.values || data.updates) {
              sink.forecast(member, field, f, cents, updated[f]!, updatedOn[f]!)
            }
            // A manager may override a rep's Commit or Best Case.
            if (!data.adjustments || !member.rep || !manager || call === 2) continue
            const week = data.weekOf[f]!
            const adjusted = data.figures.adjustment(member.index, line, call, week, cents)
            if (adjusted !== undefined) {
              sink.adjustment(member, field, f, adjusted, manager, updatedOn[f]!)
            }
          }
        }
      }
    }
    if (data.quotas) {
      for (let line = 0; line < lines; line++) {
        const cents = figures[lines * 3 * frames + line]!
        for (let f = 0; f < frames; f++) sink.quota(member, data.quotaField(line), f, cents)
      }
    }
  }

  /**
   * Whether a member updated their call in a frame's week, and when the call was last updated:
   * in that week (by the export's "now" for the latest week), or else the week before.
   */
  private update(member: number, frame: number): [boolean, number] {
    const data = this.data
    const week = data.weekOf[frame]!
    const snapshot = this.snapshotOf(frame)
    const start = data.weekStartMs[frame]!
    if (!data.figures.updated(member, week, snapshot)) {
      return [false, start - WEEK_MS + data.figures.updateOffset(member, week, snapshot, WEEK_MS)]
    }
    const latest = frame === data.frames.length - 1
    const span = latest ? Math.min(WEEK_MS, Math.max(1, data.request.asOf - start)) : WEEK_MS
    return [true, start + data.figures.updateOffset(member, week, snapshot, span)]
  }
}
