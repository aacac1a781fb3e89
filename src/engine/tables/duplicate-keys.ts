import { cleanServerText } from '../../clari/untrusted-text.js'
import { decodeToBinary, fromBinary, ownCopy } from './binary-text.js'
import { ENTRY_KEY_PARTS } from './derived-columns.js'
import type { RowObserver, TableRows } from './row-engine.js'

// Bits kept to tell keys apart; beyond this the guard stops counting (a hostile payload of
// millions of distinct weeks and users could otherwise take any amount of memory).
const MAX_BITS_BYTES = 32 * 1024 * 1024
const MAX_DISTINCT = 0xffff
const EXAMPLES = 3

/**
 * Counts the entries whose key repeats within one payload: `(timePeriodId, timeFrameId, userId,
 * fieldId)`, as GitLab's dbt model keys them, plus the entry's value type, its first member named
 * `…Value` (`forecastValue`, `quotaValue`): the references document quota entries beside forecast
 * entries in the same list, so one of each for a user, field and week is no duplicate. Rows are
 * kept as sent; the count and the first few keys are reported.
 *
 * Memory stays small: each part is numbered as it is first met, and a key is one bit, in a bit set
 * over user numbers per (period, week, field, type). Clari's entries are a grid of those, so the
 * bits are about one per entry.
 */
export class DuplicateKeys implements RowObserver {
  count = 0
  /** Set when the keys were too many and varied to count within the memory allowed. */
  gaveUp = false
  readonly examples: string[] = []
  private readonly parts = ENTRY_KEY_PARTS.map(() => new PartNumbers())
  /** Value types by name, numbered as first met. */
  private readonly types = new Map<string, number>()
  private readonly typeNames: string[] = []
  /** Per column of entries: its value type's number when its name ends in `Value`, else -1. */
  private readonly valueTypes: number[] = []
  /** Per (period, type): the bit sets by (week, field), keys that stay small integers. */
  private readonly bits: Map<number, Uint8Array>[] = []
  private bitsBytes = 0
  private reads: number[] = []

  constructor(entries: TableRows) {
    this.reads = entries.resolve(ENTRY_KEY_PARTS)
  }

  observe(table: TableRows, element: number): void {
    if (table.name !== 'entries' || this.gaveUp) return
    const { reads, parts } = this
    const period = parts[0]!.number(table, reads[0]!, element)
    const frame = parts[1]!.number(table, reads[1]!, element)
    const user = parts[2]!.number(table, reads[2]!, element)
    const field = parts[3]!.number(table, reads[3]!, element)
    const typeId = this.valueType(table)
    if (period > 0x3ff || frame > MAX_DISTINCT || field > MAX_DISTINCT || typeId > 0x3f) {
      return this.giveUp()
    }
    // 0x40 value types per period.
    const periodFirst = period * 0x40
    // Stryker disable next-line ArithmeticOperator: periodFirst - typeId is as unique, typeId being below 0x40
    const groups = (this.bits[periodFirst + typeId] ??= new Map())
    // Stryker disable next-line ArithmeticOperator: frame / 0x10000 + field and frame * 0x10000 - field are as unique for frame and field below 0x10000
    const group = frame * 0x10000 + field
    let set = groups.get(group)
    const byte = user >> 3
    if (set === undefined || byte >= set.length) {
      const grown = new Uint8Array(Math.max(64, 2 * (byte + 1)))
      if (set) grown.set(set)
      this.bitsBytes += grown.length - (set?.length ?? 0)
      if (this.bitsBytes > MAX_BITS_BYTES) return this.giveUp()
      groups.set(group, grown)
      set = grown
    }
    const bit = 1 << (user & 7)
    if ((set[byte]! & bit) === 0) {
      set[byte] = set[byte]! | bit
      return
    }
    this.count++
    if (this.examples.length < EXAMPLES) {
      const key = reads.map(column => partText(table.json(column, element))).join('|')
      const type = this.typeNames[typeId]!
      this.examples.push(cleanServerText(fromBinary(key + (type && ` (${type})`)), 200))
    }
  }

  /** The number of the element's value type: its first top-level member ending in `Value`, or ''. */
  private valueType(table: TableRows): number {
    // `order` holds only the columns the element set.
    const { order, columns } = table
    const { valueTypes } = this
    for (let i = 0; i < table.orderLength; i++) {
      const column = order[i]!
      let type = valueTypes[column]
      // Stryker disable next-line ConditionalExpression: speed only: the type computed again is the same number
      if (type === undefined) {
        const { key } = columns[column]!
        type = valueTypes[column] = key.endsWith('Value') ? this.typeNumber(key) : -1
      }
      if (type >= 0) return type
    }
    return this.typeNumber('')
  }

  private typeNumber(name: string): number {
    let type = this.types.get(name)
    if (type === undefined) {
      this.types.set(name, (type = this.typeNames.length))
      this.typeNames.push(name)
    }
    return type
  }

  private giveUp(): void {
    this.gaveUp = true
    this.bits.length = 0
  }

  /** "3 entries repeat a key (…, …, …)", or undefined when none does. */
  warning(): string | undefined {
    if (this.gaveUp) {
      return 'entries: too many distinct keys to count repeated ones (duplicateKeys not recorded)'
    }
    if (this.count === 0) return undefined
    const more = this.count > this.examples.length ? ', …' : ''
    return `entries: ${this.count} entr${this.count === 1 ? 'y repeats' : 'ies repeat'} the key of an earlier one (timePeriodId|timeFrameId|userId|fieldId: ${this.examples.join('; ')}${more}); rows are kept as Clari sent them`
  }
}

/** A part as entryKey writes it: a string's contents, a number's text, else empty. */
function partText(json: string | undefined): string {
  if (json === undefined) return ''
  const c = json.charCodeAt(0)
  if (c === 0x22) return decodeToBinary(json)
  return c === 0x2d || (c >= 0x30 && c <= 0x39) ? json : ''
}

// Raw forms of a part remembered by their bytes (beyond, a value is numbered by its text).
const MAX_CACHED = 0x10000

/**
 * Numbers the distinct values of one key part in first-seen order. Values are met again and
 * again, so a hash table of the raw bytes seen recognises them without making a string: the
 * previous row's value first (a period, a user's run of entries), then the value that followed it
 * the last time (a user's fields come in the same order as the previous user's), then by a hash of
 * every byte. Different raw forms of one text ("a", "\u0061") get the one number of that text.
 */
class PartNumbers {
  private readonly ids = new Map<string, number>()
  /** Per cached raw form: its bytes (a copy), hash, number, and the raw form met next (-1: none). */
  private readonly raws: Uint8Array[] = []
  private readonly hashes: number[] = []
  private readonly rawIds: number[] = []
  private readonly successors: number[] = []
  /** Open addressing: a cached raw form's index + 1, 0 for an empty slot; half full at most. */
  private slots = new Int32Array(256)
  private last = -1

  number(table: TableRows, column: number, element: number): number {
    if (table.stamps[column] !== element) return this.id('')
    const { bytes } = table.sources[column]!
    const from = table.froms[column]!
    const to = table.tos[column]!
    // A value assembled by the engine (a repaired string) has no bytes: by its text.
    if (bytes.length === 0) return this.id(partText(table.json(column, element)))
    const { raws } = this
    const last = this.last
    // Stryker disable next-line BlockStatement: speed only: without the shortcuts the hash finds the same number
    if (last >= 0) {
      if (sameBytes(raws[last]!, bytes, from, to)) return this.rawIds[last]!
      const next = this.successors[last]!
      if (next >= 0 && sameBytes(raws[next]!, bytes, from, to)) return this.met(next)
    }
    // Stryker disable next-line ArithmeticOperator: speed only: a seed that varies with the position makes a repeat miss, and a miss numbers the value by its text
    let hash = to - from
    for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193)
    const { slots, hashes } = this
    const mask = slots.length - 1
    // Stryker disable next-line ArithmeticOperator: speed only: probing the other way may miss, and a miss numbers the value by its text
    for (let slot = hash & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
      // Stryker disable next-line ArithmeticOperator: speed only: another cached form is taken only if its bytes are the same, else it misses, and a miss numbers the value by its text
      const raw = slots[slot]! - 1
      if (hashes[raw] === hash && sameBytes(raws[raw]!, bytes, from, to)) return this.met(raw)
    }
    const id = this.id(partText(table.json(column, element)))
    // Stryker disable next-line ConditionalExpression,EqualityOperator,BlockStatement: the cache only saves making the text; its bound only bounds memory
    if (raws.length < MAX_CACHED) {
      // A copy: a view (Buffer's slice) would see the chunk's buffer reused, and keep it alive.
      raws.push(new Uint8Array(bytes.subarray(from, to)))
      hashes.push(hash)
      this.rawIds.push(id)
      this.successors.push(-1)
      this.met(raws.length - 1)
      if (2 * raws.length > slots.length) this.slots = new Int32Array(2 * slots.length)
      if (this.slots !== slots) for (let raw = 0; raw < raws.length; raw++) this.place(raw)
      else this.place(raws.length - 1)
    }
    return id
  }

  /** The number of cached raw form `raw`, met after the previous one. */
  private met(raw: number): number {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: a successor only lets the next lookup skip the hash; a missing one costs the hash
    if (this.last >= 0) this.successors[this.last] = raw
    this.last = raw
    return this.rawIds[raw]!
  }

  // Stryker disable ConditionalExpression,ArithmeticOperator,BlockStatement: speed only: a cached form not placed, or placed where it is not looked for, misses, and a miss numbers the value by its text
  private place(raw: number): void {
    const { slots } = this
    const mask = slots.length - 1
    let slot = this.hashes[raw]! & mask
    while (slots[slot] !== 0) slot = (slot + 1) & mask
    slots[slot] = raw + 1
  }
  // Stryker restore ConditionalExpression,ArithmeticOperator,BlockStatement

  private id(text: string): number {
    let id = this.ids.get(text)
    if (id === undefined) this.ids.set(ownCopy(text), (id = this.ids.size))
    return id
  }
}

/**
 * Whether `bytes[from..to)` are `raw`'s bytes. From the end: parts that differ mostly differ there
 * (the weeks' dates, the numbers in ids), and a run of one user's entries asks about the previous
 * row's value first.
 */
function sameBytes(raw: Uint8Array, bytes: Uint8Array, from: number, to: number): boolean {
  if (raw.length !== to - from) return false
  for (let i = raw.length - 1; i >= 0; i--) if (raw[i] !== bytes[from + i]) return false
  return true
}
