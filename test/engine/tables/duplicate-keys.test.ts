import { describe, expect, it } from 'vitest'
import { JsonStreamCheck } from '../../../src/engine/checks/json-tokenizer.js'
import { DuplicateKeys } from '../../../src/engine/tables/duplicate-keys.js'
import { RowEngine } from '../../../src/engine/tables/row-engine.js'
import { CONTEXT } from '../../helpers/table-rows.js'
import { mulberry32 } from '../../simulators/clari/prng.js'

type Entry = Record<string, unknown>

/** The count, from the parsed payload alone: entries whose key and value type came before. */
function expectedCount(entries: Entry[]): number {
  const part = (v: unknown): string =>
    typeof v === 'string' ? v : typeof v === 'number' ? JSON.stringify(v) : ''
  const seen = new Set<string>()
  let count = 0
  for (const e of entries) {
    const type = Object.keys(e).find(k => k.endsWith('Value')) ?? ''
    const key = [e.timePeriodId, e.timeFrameId, e.userId, e.fieldId].map(part).join('|')
    if (seen.has(`${key} ${type}`)) count++
    seen.add(`${key} ${type}`)
  }
  return count
}

/** The guard after reading `json` in chunks of `size` in one reused buffer. */
function guarded(json: string, size = json.length): DuplicateKeys {
  const engine = new RowEngine(CONTEXT)
  const duplicates = new DuplicateKeys(engine.tables.get('entries')!)
  engine.addObserver(duplicates)
  engine.startPass(undefined, { observe: true, freeze: false })
  const check = new JsonStreamCheck(engine)
  const payload = Buffer.from(json)
  const buffer = Buffer.alloc(size)
  for (let at = 0; at < payload.length; at += size) {
    const n = payload.copy(buffer, 0, at, at + size)
    check.update(buffer.subarray(0, n))
    buffer.fill(0x22)
  }
  expect(check.finish()).toMatchObject({ valid: true })
  expect(engine.failure).toBeUndefined()
  return duplicates
}

/** The guard's count for `json`, read in chunks of `size`; it must not have given up. */
function counted(json: string, size: number): number {
  const duplicates = guarded(json, size)
  expect(duplicates.gaveUp).toBe(false)
  return duplicates.count
}

/** A payload of these entries. */
const entriesJson = (entries: Entry[]): string =>
  JSON.stringify({ timePeriods: [{ timePeriodId: '2026_Q1' }], entries })

/** A JSON text of `value` with its string values written in odd ways: escaped, spaced. */
function oddly(value: unknown, random: () => number): string {
  if (typeof value === 'string') {
    if (random() < 0.3) {
      return `"${[...value].map(c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
    }
    return JSON.stringify(value)
  }
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  const space = random() < 0.2 ? ' \n\t' : ''
  const members = Object.entries(value as Entry).map(
    ([k, v]) => `${space}${JSON.stringify(k)}${space}:${space}${oddly(v, random)}`
  )
  return `{${members.join(',')}${space}}`
}

describe('DuplicateKeys: the count of repeated keys', () => {
  it('counts as the parsed payload says, whatever raw form, chunking or number of distinct parts', () => {
    const random = mulberry32(17)
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
    // More distinct users and fields than a small cache holds; ids that differ only in the middle.
    const users = [
      ...Array.from({ length: 3000 }, (_, i) => `280627:0058c${String(i).padStart(9, '0')}AAQ`),
      'ü-user',
      '日本',
      7,
      -3
    ]
    const fields = Array.from({ length: 600 }, (_, i) => `fc_pl${i}_commit`)
    const frames = ['TF:2026-01-05', 'TF:2026-01-12', 'TF:2026-01-19']
    const entries: Entry[] = []
    for (let i = 0; i < 30_000; i++) {
      const e: Entry = {
        timePeriodId: '2026_Q1',
        timeFrameId: pick(frames),
        userId: pick(users),
        fieldId: i % 3 === 0 ? pick(fields.slice(0, 4)) : pick(fields)
      }
      const type = random()
      if (type < 0.7) e.forecastValue = i
      else if (type < 0.9) e.quotaValue = i
      if (random() < 0.05) delete e.fieldId
      if (random() < 0.05) e.unknown = { nested: [1, 'x'] }
      entries.push(e)
    }
    const json = `{"timePeriods":[{"timePeriodId":"2026_Q1"}],"entries":[${entries.map(e => oddly(e, random)).join(',')}]}`
    const expected = expectedCount(entries)
    expect(expected).toBeGreaterThan(500)
    expect(expected).toBeLessThan(entries.length / 2)
    for (const size of [64 * 1024, 4093, 97])
      expect(counted(json, size), `chunks of ${size}`).toBe(expected)
  })
})

describe('DuplicateKeys: keys that differ are no repeat', () => {
  const key = { timePeriodId: '2026_Q1', timeFrameId: 'TF:2026-01-05', fieldId: 'f' }
  const users = (...ids: unknown[]): Entry[] =>
    ids.map(userId => (userId === undefined ? { ...key } : { ...key, userId }))
  it.each<[name: string, entries: Entry[]]>([
    ['a number part and a missing one (0, 9, -1)', users(0, undefined, 9, -1)],
    ['numbers that share their first digit, or all but it', users(1, 12, 22, 2)],
    // Their raw bytes have one hash: a lookup must compare the bytes too.
    ['parts whose bytes hash alike', users('u885087', 'u1020800')],
    [
      'an entry of the 65th period and the first period’s quota entry',
      [
        { ...key, userId: 'u', forecastValue: 1 },
        { ...key, userId: 'u', quotaValue: 1 },
        ...Array.from({ length: 64 }, (_, i) => ({ ...key, timePeriodId: `P${i + 1}` })),
        { ...key, timePeriodId: 'P64', userId: 'u', forecastValue: 1 }
      ]
    ]
  ])('%s', (_, entries) => {
    expect(counted(entriesJson(entries), 1 << 20)).toBe(0)
  })
})

describe('DuplicateKeys: the warning', () => {
  const key = { timePeriodId: '2026_Q1', timeFrameId: 'TF:2026-01-05', userId: 'u1' }
  const lead = 'entries: '
  const tail = '; rows are kept as Clari sent them'
  it.each<[name: string, entries: Entry[], warning: string | undefined]>([
    [
      'no repeat: none',
      [
        { ...key, fieldId: 'a' },
        { ...key, fieldId: 'b' }
      ],
      undefined
    ],
    [
      'one repeat, of no value type: the key alone',
      [
        { ...key, fieldId: 'a' },
        { ...key, fieldId: 'a' }
      ],
      `${lead}1 entry repeats the key of an earlier one (timePeriodId|timeFrameId|userId|fieldId: 2026_Q1|TF:2026-01-05|u1|a)${tail}`
    ],
    [
      'a number part is its text; a missing one, or one neither string nor number, is empty',
      [
        { timePeriodId: 7, userId: -3, fieldId: true },
        { timePeriodId: 7, userId: -3, fieldId: null },
        { timePeriodId: 7, userId: -3, fieldId: { a: 1 } },
        { timePeriodId: 7, userId: -3 }
      ],
      `${lead}3 entries repeat the key of an earlier one (timePeriodId|timeFrameId|userId|fieldId: 7||-3|; 7||-3|; 7||-3|)${tail}`
    ],
    [
      'more repeats than named: the first three, and “…”',
      [1, 2, 3, 4, 5].map(n => ({ ...key, fieldId: 'a', quotaValue: n })),
      `${lead}4 entries repeat the key of an earlier one (timePeriodId|timeFrameId|userId|fieldId: ${Array(3).fill('2026_Q1|TF:2026-01-05|u1|a (quotaValue)').join('; ')}, …)${tail}`
    ]
  ])('%s', (_, entries, warning) => {
    expect(guarded(entriesJson(entries)).warning()).toBe(warning)
  })
})

describe('DuplicateKeys: bounded memory', () => {
  /** `n` entries that differ in `part` alone (part(i) its value), then a repeat of the first. */
  const distinct = (n: number, part: (i: number) => Entry): Entry[] => {
    const base = { timePeriodId: '2026_Q1', timeFrameId: 'TF:1', userId: 'u', fieldId: 'f' }
    const entries = Array.from({ length: n }, (_, i) => ({ ...base, ...part(i) }))
    return [...entries, entries[0]!]
  }
  it.each<[limit: number, name: string, part: (i: number) => Entry]>([
    [0x400, 'periods', i => ({ timePeriodId: `P${i}` })],
    [0x40, 'value types', i => ({ [`t${i}Value`]: i })],
    [0x10000, 'weeks', i => ({ timeFrameId: `TF:${i}` })],
    [0x10000, 'fields', i => ({ fieldId: `f${i}` })]
  ])('counts up to %s distinct %s, and gives up, saying so, beyond', (limit, _, part) => {
    const within = guarded(entriesJson(distinct(limit, part)))
    expect([within.gaveUp, within.count]).toEqual([false, 1])
    const beyond = guarded(entriesJson(distinct(limit + 1, part)))
    expect([beyond.gaveUp, beyond.warning()]).toEqual([
      true,
      'entries: too many distinct keys to count repeated ones (duplicateKeys not recorded)'
    ])
  })
})

describe('DuplicateKeys: its memory cap', () => {
  it('counts while its bit sets fit in 32 MiB, and gives up, saying so, once they would not', () => {
    const base = { timePeriodId: '2026_Q1', userId: 'u0' }
    // 16,384 users in week 0: that week's set grows to 2,110 bytes.
    const entries: Entry[] = Array.from({ length: 0x4000 }, (_, i) => ({
      ...base,
      timeFrameId: 'TF:0',
      userId: `u${i}`
    }))
    // A week whose first user is the last one takes 2 × (16383 >> 3) + 2 = 4,096 bytes: 8,191 of
    // them, and one whose first user is 7,936 (1,986 bytes), make 32 MiB exactly.
    for (let week = 1; week < 8192; week++)
      entries.push({ ...base, timeFrameId: `TF:${week}`, userId: 'u16383' })
    entries.push({ ...base, timeFrameId: 'TF:8192', userId: 'u7936' })
    entries.push(entries[0]!)
    const full = guarded(entriesJson(entries))
    expect([full.gaveUp, full.count]).toEqual([false, 1])
    entries.push({ ...base, timeFrameId: 'TF:8193' })
    const over = guarded(entriesJson(entries))
    expect([over.gaveUp, over.warning()]).toEqual([
      true,
      'entries: too many distinct keys to count repeated ones (duplicateKeys not recorded)'
    ])
  })
})
