import { Figures } from './figures.js'
import {
  currencySymbol,
  type CellSink,
  type ForecastData,
  type ForecastExportOptions,
  writeBaseExport
} from './forecast-export.js'
import type { OrgMember } from './forecast-org.js'
import { ByteWriter } from './byte-writer.js'
import { mulberry32, stableHex } from './prng.js'

/*
 * The simulator's forecast export payloads (docs/clari-api.md#results): five lookup tables, with
 * data like a real forecast's, so that a modelling mistake in a test, the demo or a README query
 * shows. The rules, and where each comes from ([3P] third-party code, [I] inferred):
 *
 * Entries and their key. Within one payload an entry is unique by its key
 * (timePeriodId, timeFrameId, userId, fieldId) plus its type, which is the value field it carries.
 * This is the contract of the duplicate-key guard of the tables pass.
 * - forecast: `forecastValue` and `currency` (typesToExport `forecast`), `isUpdated`,
 *   `updatedBy` (who last updated the call) and `updatedOn` epoch ms (`forecast_updated`): one
 *   entry per user, call field and week. Both types are Clari's default; GitLab's dbt source model
 *   reads all of these fields from one entry [3P: gitlab-data analytics,
 *   transform/snowflake-dbt/models/sources/clari/clari_net_arr_entries_source.sql]. An entry with
 *   only the `forecast_updated` fields is a forecast entry too.
 * - quota (only when typesToExport has `quota`): `quotaValue` and `currency`, no update fields,
 *   on the Quota fields (fieldType `quota`): one entry per user, quota field and exported week,
 *   the quarter's quota repeated each week. Per week because both public schemas of a quota entry
 *   carry timeFrameId [3P: jlloyd-widen/tap-clari tap_clari/streams.py (fieldId, quotaValue,
 *   timeFrameId, timePeriodId, userId; it asks for every type); a custom Airbyte connector's
 *   `quota_entries` stream (the same plus `currency`)].
 * - adjustment (only with `adjustment`): no public source shows one [I]. The spec calls it "the
 *   adjusted call/number that a forecasting manager entered when they made a manager override to
 *   their report's call/number", on forecast call fields. So: `adjustmentValue` and `currency` on
 *   the rep's Commit or Best Case and week (the four key parts of the rep's forecast entry), with
 *   `updatedBy` the manager and `updatedOn`; about one call in five, 80-100 % of the rep's.
 * Quota fields are not call fields, so only an adjustment shares its four-part key, with a
 * forecast entry; the value field tells them apart.
 *
 * Hierarchy. A CEO (`1905::MGR`, the spec's example scope), a regional VP per eight sales teams,
 * a manager per team (all `…::MGR`) and its reps (`…::REP`), 4 to 6 per team. Each user's
 * parentHierarchyId/Name names its manager (null for the root). A manager's figure for a field and
 * week, forecast and quota alike, is the sum of its reports' (reps and managers below), so "reps
 * only" and "the root's roll-up" agree. Adjustments are overrides shown beside the calls, never
 * summed into them.
 *
 * Calls: Commit ≤ Best Case ≤ Pipeline for each rep, product line and week, hence for managers.
 * Pipeline converts into Best Case and Commit as the quarter goes on.
 *
 * Weeks. One time frame per week from the quarter's first week (which may begin before the
 * quarter, docs/clari-api.md#periods) to the week holding the export's "now" (the simulator's
 * clock when the job was created) with includeHistorical true; that week only with false (the
 * spec's "only the current week's forecast"). A quarter that has not begun exports its first
 * week. `timeFrames` lists the exported weeks [I], in no particular order, as Clari does.
 *
 * Currency: "USD" as in our references, or {"code": "USD", "symbol": "$"} as another public
 * catalog declares it (the same Airbyte connector); chosen per simulator.
 *
 * Snapshots. The simulator's Nth export of a forecast and period is snapshot N (from 0). From
 * snapshot 1 the latest week's figures move by a few percent, and one rep has left: gone from
 * `users` and from every entry, historical weeks included, and from the roll-ups (GitLab's
 * extractor README: the historical export leaves out users no longer opted in).
 *
 * Amounts are whole cents, written as JSON.stringify writes them (forecastValue 123456.7).
 */

export const PAYLOAD_TAIL = ']}'

// Escaping non-ASCII keeps string length equal to byte length, so sizes come out exact.
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
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

type EntryKind = 'forecast' | 'quota' | 'adjustment'

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1')
const FORECAST_VALUE = ascii(',"forecastValue":')
const QUOTA_VALUE = ascii(',"quotaValue":')
const ADJUSTMENT_VALUE = ascii(',"adjustmentValue":')
const UPDATED_BY = ascii(',"updatedBy":')
const UPDATED_ON = ascii(',"updatedOn":')
const COMMA = 0x2c
const CLOSE = 0x7d

// A member's row is the same in every export, and orgs share members: write each row once.
const rows = new WeakMap<OrgMember, string>()
function userRow(member: OrgMember): string {
  let row = rows.get(member)
  if (row === undefined) rows.set(member, (row = asciiJson(member.user)))
  return row
}

/**
 * The JSON text of one export, written as its entries are visited. The lookup tables come
 * first, timePeriods leading, so a reader can check timePeriods[0].timePeriodId from the head of
 * a payload too big to parse whole; the entries array comes last.
 */
export class PayloadJson implements CellSink {
  private readonly out: ByteWriter
  private count = 0
  // Per member, encoded when first needed: `{"userId":…,"fieldId":`, and what follows the
  // value of a forecast entry (its currency, then the update fields for isUpdated false or true).
  private readonly userKeys: Buffer[] = []
  private readonly forecastTails: [Buffer, Buffer][] = []
  private readonly ids: Buffer[] = []
  /** Per field and frame: `"fc_…","timePeriodId":…,"timeFrameId":"TF:…"`. */
  private readonly fieldFrames: Buffer[]
  private readonly currency: Buffer
  /** Room to make before each entry: more than any entry of this export takes. */
  private readonly entryRoom: number

  constructor(
    private readonly data: ForecastData,
    chunkBytes?: number
  ) {
    this.out = new ByteWriter(chunkBytes)
    const period = asciiJson(data.request.period)
    this.fieldFrames = data.fields.flatMap(f =>
      data.frames.map(frame =>
        ascii(
          `${asciiJson(f.fieldId)},"timePeriodId":${period},"timeFrameId":${asciiJson(frame.timeFrameId)}`
        )
      )
    )
    const { currency, currencyShape } = data.request
    const shaped =
      currencyShape === 'object' ? { code: currency, symbol: currencySymbol(currency) } : currency
    this.currency = ascii(`,"currency":${asciiJson(shaped)}`)
    const widest = this.fieldFrames.reduce((most, part) => Math.max(most, part.length), 0)
    this.entryRoom = 512 + widest + this.currency.length
  }

  head(): string {
    return this.headWith(this.data.members.map(userRow).join(','))
  }

  /** The length of `head()`, without writing the users out. */
  headBytes(): number {
    const { members } = this.data
    const rows = members.reduce((bytes, member) => bytes + userRow(member).length, 0)
    return this.headWith('').length + rows + Math.max(0, members.length - 1)
  }

  private headWith(users: string): string {
    const { request, timePeriod, fields, frames } = this.data
    const timeFrames = shuffled(frames, `${request.period}:${request.forecastId}`)
    return (
      `{"timePeriods":${asciiJson([timePeriod])},"users":[${users}],` +
      `"fields":${asciiJson(fields)},"timeFrames":${asciiJson(timeFrames)},"entries":[`
    )
  }

  /** Entries written since the last take, comma-separated (ASCII). */
  take(): Buffer {
    return this.out.take()
  }

  get pending(): number {
    return this.out.length
  }

  forecast(m: OrgMember, field: number, frame: number, cents: number, up: boolean, on: number) {
    const out = this.start(m, field, frame)
    if (this.data.values) {
      out.put(FORECAST_VALUE)
      out.amount(cents)
    }
    const tails = (this.forecastTails[m.index] ??= this.forecastTailsOf(m))
    out.put(tails[up ? 1 : 0])
    if (this.data.updates) out.int(on)
    out.byte(CLOSE)
  }

  quota(m: OrgMember, field: number, frame: number, cents: number) {
    const out = this.start(m, field, frame)
    out.put(QUOTA_VALUE)
    out.amount(cents)
    out.put(this.currency)
    out.byte(CLOSE)
  }

  adjustment(m: OrgMember, field: number, frame: number, cents: number, by: OrgMember, on: number) {
    const out = this.start(m, field, frame)
    out.put(ADJUSTMENT_VALUE)
    out.amount(cents)
    out.put(this.currency)
    out.put(UPDATED_BY)
    out.put(this.idOf(by))
    out.put(UPDATED_ON)
    out.int(on)
    out.byte(CLOSE)
  }

  /**
   * The most bytes this export's entries can take: each member's entries at the longest field id
   * and the widest amount it can carry (a rep's largest pipeline, a manager's reps' together).
   */
  entriesBound(): number {
    const { members, size, frames, values, updates, adjustments, quotas } = this.data
    const cells = size.lines * frames.length
    const reps = new Map<number, number>()
    let bytes = 0
    // Reversed pre-order: every member after the members below it.
    for (let i = members.length - 1; i >= 0; i--) {
      const m = members[i]!
      const below = (reps.get(m.index) ?? 0) + (m.rep ? 1 : 0)
      if (m.parent >= 0) reps.set(m.parent, (reps.get(m.parent) ?? 0) + below)
      const cents = Figures.maxPipeline(Figures.MAX_QUOTA_CENTS) * below
      if (values || updates) bytes += cells * 3 * this.longest('forecast', cents)
      if (adjustments && m.rep) bytes += cells * 2 * this.longest('adjustment', cents)
      if (quotas) bytes += cells * this.longest('quota', cents)
    }
    return bytes
  }

  /** Opens an entry (after a comma but for the first) and writes its key. */
  private start(m: OrgMember, field: number, frame: number): ByteWriter {
    const out = this.out
    out.reserve(this.entryRoom)
    if (this.count++ > 0) out.byte(COMMA)
    out.put((this.userKeys[m.index] ??= ascii(`{"userId":${asciiJson(m.user.userId)},"fieldId":`)))
    out.put(this.fieldFrames[field * this.data.frames.length + frame]!)
    return out
  }

  private forecastTailsOf(m: OrgMember): [Buffer, Buffer] {
    const currency = this.data.values ? this.currency.toString('latin1') : ''
    if (!this.data.updates) return [ascii(currency), ascii(currency)]
    const id = asciiJson(m.user.userId)
    const tail = (up: boolean) => `${currency},"isUpdated":${up},"updatedBy":${id},"updatedOn":`
    return [ascii(tail(false)), ascii(tail(true))]
  }

  private idOf(m: OrgMember): Buffer {
    return (this.ids[m.index] ??= ascii(asciiJson(m.user.userId)))
  }

  private readonly longestOf = new Map<string, number>()

  /** The longest entry of a kind with an amount of at most `most` cents, comma included. */
  private longest(kind: EntryKind, most: number): number {
    const digits = String(most).length
    const key = `${kind}:${digits}`
    let bytes = this.longestOf.get(key)
    if (bytes !== undefined) return bytes
    const cents = 10 ** digits - 1 // the widest amount of as many digits: 99…9.99
    const member = this.data.members[0]!
    const count = this.count
    bytes = 0
    for (const [field, f] of this.data.fields.entries()) {
      if ((f.fieldType === 'quota') !== (kind === 'quota')) continue
      const before = this.out.length
      this.count = 1
      const latest = 9_999_999_999_999 // every updatedOn until 2286 has 13 digits
      if (kind === 'forecast') this.forecast(member, field, 0, cents, false, latest)
      else if (kind === 'quota') this.quota(member, field, 0, cents)
      else this.adjustment(member, field, 0, cents, member, latest)
      bytes = Math.max(bytes, this.out.length - before)
      this.out.length = before
    }
    this.count = count
    this.longestOf.set(key, bytes)
    return bytes
  }
}

/**
 * The simulator's JSON results body for an export of `period` (its timePeriods[0].timePeriodId)
 * by the base org. Without options: the first export of a closed quarter with Clari's defaults.
 * Pure: the same arguments give the same text.
 */
export function forecastPayload(
  period: string,
  forecastId: string,
  options: ForecastExportOptions = {}
): string {
  const json = writeBaseExport({ period, forecastId, options }, data => new PayloadJson(data))
  return json.head() + json.take().toString('latin1') + PAYLOAD_TAIL
}
