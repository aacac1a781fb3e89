import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readCsv } from '../helpers/csv.js'
import {
  isRep,
  isTop,
  latestForecastByField,
  weekOverWeek,
  type Payload,
  type PayloadEntry,
  type PayloadUser
} from '../helpers/payload-figures.js'
import {
  CSV_COLUMNS,
  forecastCsv,
  forecastPayload,
  generatedPayloadSize,
  generatedPayloadStream,
  type ForecastExportOptions
} from './clari/index.js'
import { ForecastData, forecastExport } from './clari/forecast-export.js'
import { PayloadJson } from './clari/payload.js'

// The simulator's data, held against the rules at the top of clari/payload.ts, computed here
// from the payload's JSON alone.

interface Entry extends PayloadEntry {
  currency?: unknown
  isUpdated?: boolean
  updatedBy?: string
  updatedOn?: number
}
interface User extends PayloadUser {
  parentHierarchyName: string | null
  hierarchyName: string
  email: string
  crmId: string
}
type Data = Omit<Payload, 'entries' | 'users'> & { entries: Entry[]; users: User[] }

const SPEC = new URL('./clari/clari-revenue-api-openapi.yml', import.meta.url)
const ALL_TYPES = ['forecast', 'forecast_updated', 'quota', 'adjustment']
const Q1 = '2026_Q1' // 2026-01-01..03-31; its first week begins Monday 2025-12-29
const MID_Q1 = Date.UTC(2026, 1, 11, 15) // Wednesday of the week of 2026-02-09

function payload(period = Q1, options: ForecastExportOptions = {}, forecastId = 'net_arr'): Data {
  return JSON.parse(forecastPayload(period, forecastId, options)) as Data
}

async function generated(period: string, bytes: number, options: ForecastExportOptions = {}) {
  const parts: Buffer[] = []
  for await (const part of generatedPayloadStream(period, bytes, options))
    parts.push(part as Buffer)
  const text = Buffer.concat(parts).toString('utf8')
  expect(text.length).toBe(generatedPayloadSize(period, bytes, options))
  return JSON.parse(text) as Data
}

const valueField = (e: Entry): string =>
  ['forecastValue', 'quotaValue', 'adjustmentValue'].find(f => f in e) ?? 'forecastValue'
const keyOf = (e: Entry) => [e.timePeriodId, e.timeFrameId, e.userId, e.fieldId].join('|')
const cents = (value: number) => Math.round(value * 100)

function duplicates(data: Data): string[] {
  const seen = new Set<string>()
  const repeated: string[] = []
  for (const e of data.entries) {
    const key = `${keyOf(e)}|${valueField(e)}`
    if (seen.has(key)) repeated.push(key)
    seen.add(key)
  }
  return repeated
}

/**
 * For every manager, field and week: its value and the sum of its direct reports' (which are
 * checked the same way in turn), for one value field.
 */
function rollUps(data: Data, value: 'forecastValue' | 'quotaValue') {
  const byHierarchy = new Map(data.users.map(u => [u.hierarchyId, u]))
  const byId = new Map(data.users.map(u => [u.userId, u]))
  const amounts = new Map<string, number>()
  for (const e of data.entries) {
    const amount = e[value]
    if (amount !== undefined)
      amounts.set(`${e.userId}|${e.fieldId}|${e.timeFrameId}`, cents(amount))
  }
  const sums = new Map<string, number>()
  for (const e of data.entries) {
    const amount = e[value]
    const user = byId.get(e.userId)!
    const manager = user.parentHierarchyId ? byHierarchy.get(user.parentHierarchyId) : undefined
    if (amount === undefined || !manager) continue
    const key = `${manager.userId}|${e.fieldId}|${e.timeFrameId}`
    sums.set(key, (sums.get(key) ?? 0) + cents(amount))
  }
  const managers = data.users.filter(u => u.hierarchyId.endsWith('::MGR'))
  return { amounts, sums, managers }
}

function expectRollUps(data: Data, value: 'forecastValue' | 'quotaValue'): void {
  const { amounts, sums, managers } = rollUps(data, value)
  let checked = 0
  for (const [key, sum] of sums) {
    expect(amounts.get(key), key).toBe(sum)
    checked++
  }
  // Every manager's every figure has reports behind it.
  const managerFigures = [...amounts.keys()].filter(k =>
    managers.some(m => k.startsWith(`${m.userId}|`))
  )
  expect(managerFigures.sort()).toEqual([...sums.keys()].sort())
  expect(checked).toBeGreaterThan(0)
}

/** Commit, Best Case and Pipeline of each user, product line and week. */
function calls(data: Data): Map<string, Record<string, number>> {
  const names = new Map(data.fields.map(f => [f.fieldId, f.fieldName]))
  const out = new Map<string, Record<string, number>>()
  for (const e of data.entries) {
    if (e.forecastValue === undefined) continue
    const [, call, line] = /^(Commit|Best Case|Pipeline)(.*)$/.exec(names.get(e.fieldId)!)!
    const key = `${e.userId}|${line}|${e.timeFrameId}`
    out.set(key, { ...out.get(key), [call!]: e.forecastValue })
  }
  return out
}

function weeks(data: Data): string[] {
  return data.timeFrames.map(f => f.timeFrameId).sort()
}

describe('the simulated forecast', () => {
  it.each([
    ['Clari’s defaults', {}],
    [
      'every type, every week, a later snapshot',
      { typesToExport: ALL_TYPES, includeHistorical: true, snapshot: 1 }
    ],
    ['mid-quarter, every week', { asOf: MID_Q1, includeHistorical: true }]
  ] as [string, ForecastExportOptions][])(
    '%s: entries are unique by key and value field',
    (_name, options) => {
      const data = payload(Q1, options)
      expect(data.entries.length).toBeGreaterThan(30)
      expect(duplicates(data)).toEqual([])
      // Only an adjustment shares its four-part key, with the forecast entry it overrides.
      const byKey = new Map<string, string[]>()
      for (const e of data.entries)
        byKey.set(keyOf(e), [...(byKey.get(keyOf(e)) ?? []), valueField(e)])
      for (const fields of byKey.values()) {
        if (fields.length > 1) expect(fields.sort()).toEqual(['adjustmentValue', 'forecastValue'])
      }
    }
  )

  it('has a CEO, a VP, team managers and 8-12 reps, each naming its manager', () => {
    const { users } = payload()
    const reps = users.filter(isRep)
    expect(reps.length).toBeGreaterThanOrEqual(8)
    expect(reps.length).toBeLessThanOrEqual(12)
    const byHierarchy = new Map(users.map(u => [u.hierarchyId, u]))
    const roots = users.filter(u => u.parentHierarchyId === null)
    expect(roots.map(u => [u.hierarchyId, u.parentHierarchyName])).toEqual([['1905::MGR', null]])
    for (const user of users) {
      expect(user.hierarchyId).toMatch(/^\d+::(MGR|REP)$/)
      if (user === roots[0]) continue
      const manager = byHierarchy.get(user.parentHierarchyId!)
      expect(manager, user.name).toBeDefined()
      expect(manager!.hierarchyId).toMatch(/::MGR$/)
      expect(user.parentHierarchyName).toBe(manager!.hierarchyName)
    }
    // Reps sit three levels below the CEO: CEO, VP, team manager.
    const depth = (u: User): number =>
      u.parentHierarchyId ? 1 + depth(byHierarchy.get(u.parentHierarchyId)!) : 0
    expect(new Set(reps.map(depth))).toEqual(new Set([3]))
    expect(new Set(users.map(u => u.userId)).size).toBe(users.length)
  })

  it.each([
    ['the latest week', {}],
    ['every week, with quotas', { includeHistorical: true, typesToExport: ALL_TYPES }],
    [
      'a later snapshot, after a rep left',
      { includeHistorical: true, typesToExport: ALL_TYPES, snapshot: 2 }
    ]
  ] as [string, ForecastExportOptions][])(
    '%s: each manager’s figures are its reports’ sums',
    (_name, options) => {
      const data = payload(Q1, options)
      expectRollUps(data, 'forecastValue')
      if (options.typesToExport?.includes('quota')) expectRollUps(data, 'quotaValue')
      // So reps only and the top of the hierarchy give the same totals.
      expect(latestForecastByField(data, isTop)).toEqual(latestForecastByField(data, isRep))
    }
  )

  it('sums reps only to a third or less of summing everyone (the mistake roll-ups invite)', () => {
    const data = payload()
    const everyone = latestForecastByField(data, () => true)
    const reps = latestForecastByField(data, isRep)
    for (const [field, total] of reps) expect(everyone.get(field)).toBeGreaterThanOrEqual(3 * total)
  })

  it('keeps Commit ≤ Best Case ≤ Pipeline for every user and week, and apart', () => {
    const data = payload(Q1, { includeHistorical: true, snapshot: 1 })
    const all = [...calls(data).values()]
    expect(all.length).toBe(data.users.length * 14)
    for (const c of all) {
      expect(c.Commit).toBeLessThanOrEqual(c['Best Case']!)
      expect(c['Best Case']).toBeLessThanOrEqual(c.Pipeline!)
    }
    // Not three copies of one number: on average Commit is well below Pipeline.
    const ratio = all.reduce((sum, c) => sum + c.Commit! / c.Pipeline!, 0) / all.length
    expect(ratio).toBeLessThan(0.6)
  })

  it.each([
    [
      'a closed quarter, every week: 14 weeks, the first from before the quarter',
      Q1,
      { includeHistorical: true },
      ['TF:2025-12-29', 'TF:2026-03-30', 14]
    ],
    ['a closed quarter, latest week only', Q1, {}, ['TF:2026-03-30', 'TF:2026-03-30', 1]],
    [
      'mid-quarter, every week so far',
      Q1,
      { includeHistorical: true, asOf: MID_Q1 },
      ['TF:2025-12-29', 'TF:2026-02-09', 7]
    ],
    ['mid-quarter, the current week', Q1, { asOf: MID_Q1 }, ['TF:2026-02-09', 'TF:2026-02-09', 1]],
    [
      'a quarter yet to begin: its first week',
      '2026_Q3',
      { includeHistorical: true, asOf: MID_Q1 },
      ['TF:2026-06-29', 'TF:2026-06-29', 1]
    ]
  ] as [string, string, ForecastExportOptions, [string, string, number]][])(
    '%s',
    (_name, period, options, [first, last, count]) => {
      const data = payload(period, options)
      const frames = weeks(data)
      expect([frames[0], frames.at(-1), frames.length]).toEqual([first, last, count])
      // One entry per user, field and week: every week has everyone's every field.
      const cells = new Set(data.entries.map(e => `${e.userId}|${e.fieldId}|${e.timeFrameId}`))
      expect(cells.size).toBe(data.users.length * data.fields.length * count)
      expect(new Set(data.entries.map(e => e.timeFrameId))).toEqual(new Set(frames))
    }
  )

  it('has quota entries only when typesToExport asks for quota, one per user and week', () => {
    expect(payload().entries.some(e => 'quotaValue' in e)).toBe(false)
    expect(payload().fields.map(f => f.fieldType)).not.toContain('quota')
    const data = payload(Q1, { includeHistorical: true, typesToExport: ['forecast', 'quota'] })
    const quotaFields = new Set(
      data.fields.filter(f => f.fieldType === 'quota').map(f => f.fieldId)
    )
    const quotas = data.entries.filter(e => 'quotaValue' in e)
    expect(quotas.length).toBe(data.users.length * quotaFields.size * 14)
    for (const q of quotas) {
      expect(quotaFields.has(q.fieldId)).toBe(true)
      expect(Object.keys(q).sort()).toEqual(
        ['currency', 'fieldId', 'quotaValue', 'timeFrameId', 'timePeriodId', 'userId'].sort()
      )
    }
    // The quarter's quota, the same every week.
    const perUser = new Map<string, Set<number>>()
    for (const q of quotas)
      perUser.set(q.userId, (perUser.get(q.userId) ?? new Set()).add(q.quotaValue!))
    for (const values of perUser.values()) expect(values.size).toBe(1)
    const forecasts = data.entries.filter(e => !('quotaValue' in e))
    expect(forecasts.every(e => e.forecastValue !== undefined && !('isUpdated' in e))).toBe(true)
  })

  it('carries the fields of the types asked for, and adjustments by the rep’s manager', () => {
    const updatesOnly = payload(Q1, { typesToExport: ['forecast_updated'] }).entries
    expect(updatesOnly.every(e => !('forecastValue' in e) && !('currency' in e))).toBe(true)
    expect(updatesOnly.every(e => typeof e.isUpdated === 'boolean')).toBe(true)

    const data = payload(Q1, { includeHistorical: true, typesToExport: ALL_TYPES })
    const users = new Map(data.users.map(u => [u.userId, u]))
    const forecasts = new Map(
      data.entries.filter(e => 'forecastValue' in e).map(e => [keyOf(e), e])
    )
    const names = new Map(data.fields.map(f => [f.fieldId, f.fieldName]))
    const adjustments = data.entries.filter(e => 'adjustmentValue' in e)
    expect(adjustments.length).toBeGreaterThan(10)
    for (const a of adjustments) {
      const rep = users.get(a.userId)!
      expect(isRep(rep)).toBe(true)
      expect(users.get(a.updatedBy!)!.hierarchyId).toBe(rep.parentHierarchyId)
      expect(['Commit', 'Best Case']).toContain(names.get(a.fieldId))
      expect(a.adjustmentValue).toBeLessThanOrEqual(forecasts.get(keyOf(a))!.forecastValue!)
    }
  })

  it.each([
    ['string', 'USD', 'USD'],
    ['object', 'USD', { code: 'USD', symbol: '$' }],
    ['object', 'EUR', { code: 'EUR', symbol: '€' }]
  ] as const)('writes currency as a %s (%s)', (currencyShape, currency, expected) => {
    const data = payload(Q1, { currencyShape, currency, typesToExport: ALL_TYPES })
    const valued = data.entries.filter(e => valueField(e) in e)
    expect(valued.length).toBe(data.entries.length)
    for (const e of valued) expect(e.currency).toEqual(expected)
  })

  it('moves the latest week from one snapshot to the next, keeps history, and loses a leaver everywhere', () => {
    const options = { includeHistorical: true, typesToExport: ALL_TYPES }
    const first = payload(Q1, options)
    const second = payload(Q1, { ...options, snapshot: 1 })
    const third = payload(Q1, { ...options, snapshot: 2 })

    const gone = first.users.filter(u => !second.users.some(v => v.userId === u.userId))
    expect(gone).toHaveLength(1)
    expect(isRep(gone[0]!)).toBe(true)
    expect(second.entries.some(e => e.userId === gone[0]!.userId)).toBe(false)
    expect(first.entries.filter(e => e.userId === gone[0]!.userId).length).toBeGreaterThan(14)
    expect(third.users.map(u => u.userId)).toEqual(second.users.map(u => u.userId))

    // History stays put for a rep who stayed; the latest week moves.
    const stayed = first.users.filter(isRep).find(u => u !== gone[0])!
    const reps = (data: Data, latest: boolean) =>
      data.entries
        .filter(e => e.userId === stayed.userId && (e.timeFrameId === 'TF:2026-03-30') === latest)
        .map(e => e.forecastValue)
    expect(reps(second, false)).toEqual(reps(first, false))
    expect(reps(second, true)).not.toEqual(reps(first, true))
    expect(reps(third, true)).not.toEqual(reps(second, true))

    const changes = weekOverWeek(first, second)
    const leaverRows = changes.filter(r => r.userId === gone[0]!.userId)
    expect(leaverRows.map(r => [r.after, r.change])).toEqual([
      [null, null],
      [null, null],
      [null, null]
    ])
    const moved = changes.filter(r => r.change !== null)
    expect(moved).toHaveLength((first.users.filter(isRep).length - 1) * 3)
    expect(moved.filter(r => r.change !== 0).length).toBeGreaterThan(moved.length / 2)
    for (const r of moved) expect(Math.abs(r.change!)).toBeLessThan(0.2 * r.before!)
  })

  it('is deterministic, and differs per period and forecast', () => {
    expect(forecastPayload(Q1, 'net_arr')).toBe(forecastPayload(Q1, 'net_arr'))
    expect(forecastPayload(Q1, 'net_arr')).not.toBe(forecastPayload(Q1, 'renewals'))
    expect(forecastPayload(Q1, 'net_arr')).not.toBe(forecastPayload('2026_Q2', 'net_arr'))
    // The same people in every forecast and period.
    expect(payload(Q1).users).toEqual(payload('2026_Q2', {}, 'renewals').users)
  })
})

describe('forecastCsv', () => {
  it('writes the spec’s layout: a Forecast Value and a Forecast Updated row per JSON entry', async () => {
    const options = { includeHistorical: true, asOf: MID_Q1 }
    const data = payload(Q1, options)
    const [header, ...rows] = readCsv(forecastCsv(Q1, 'net_arr', options))
    // The spec's only results example starts with its twelve column names.
    const spec = parse(await readFile(SPEC, 'utf8'))
    const example = spec.paths['/export/jobs/{jobId}/results'].get.responses['200'].content[
      'application/json'
    ].example as string[]
    expect(header).toEqual(example.slice(0, 12))
    expect(CSV_COLUMNS).toEqual(header)
    expect(rows).toHaveLength(2 * data.entries.length)

    const users = new Map(data.users.map(u => [u.userId, u]))
    const fields = new Map(data.fields.map(f => [f.fieldId, f.fieldName]))
    const frames = [...data.timeFrames].sort((a, b) => (a.startDate < b.startDate ? -1 : 1))
    const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' })
    const us = (day: string) => day.replace(/^(\d{4})-(\d\d)-(\d\d)$/, '$2/$3/$1')
    const expected = data.entries.flatMap(e => {
      const user = users.get(e.userId)!
      const frame = frames.findIndex(f => f.timeFrameId === e.timeFrameId)
      const start = frames[frame]!.startDate
      const end = new Date(Date.parse(start) + 6 * 86_400_000).toISOString().slice(0, 10)
      const base = [
        user.name,
        user.email,
        user.crmId,
        user.hierarchyName,
        user.parentHierarchyName ?? '',
        'Q1 2026',
        fields.get(e.fieldId)!,
        String(frame),
        us(start),
        us(end)
      ]
      return [
        [...base, 'Forecast Value', money.format(e.forecastValue!)],
        [...base, 'Forecast Updated', e.isUpdated ? 'Yes' : 'No']
      ]
    })
    expect(rows.sort()).toEqual(expected.sort())
    expect(rows.some(r => r[4] === '' && r[3] === 'CEO')).toBe(true)
  })

  it('writes quota and adjustment rows, and amounts in the currency asked for', () => {
    const options = { typesToExport: ALL_TYPES, currency: 'EUR' }
    const data = payload(Q1, options)
    const rows = readCsv(forecastCsv(Q1, 'net_arr', options)).slice(1)
    const count = (type: string) => rows.filter(r => r[10] === type).length
    expect(count('Quota Value')).toBe(data.entries.filter(e => 'quotaValue' in e).length)
    expect(count('Adjustment Value')).toBe(data.entries.filter(e => 'adjustmentValue' in e).length)
    expect(
      rows.filter(r => r[10]!.endsWith(' Value')).every(r => /^€[\d,]+\.\d\d$/.test(r[11]!))
    ).toBe(true)
  })
})

describe('generated payloads', () => {
  it.each([
    [{}, 1, 0.96],
    [{}, 200, 0.96],
    [{ includeHistorical: true, snapshot: 1 }, 40, 0.96],
    // The bound counts an adjustment for every call a manager could override.
    [{ typesToExport: ALL_TYPES, currencyShape: 'object' }, 1000, 0.75]
  ] as [ForecastExportOptions, number, number][])(
    'sizes an org by a bound its entries never pass, and nearly reach (%j, %i teams)',
    (options, teams, near) => {
      const data = () =>
        new ForecastData(forecastExport(Q1, 'net_arr', options), { teams, lines: 1 })
      const json = new PayloadJson(data())
      const bound = json.entriesBound()
      data().writeAll(json)
      const written = json.take().length
      expect(written).toBeLessThanOrEqual(bound)
      expect(written).toBeGreaterThan(near * bound)
    }
  )

  it.each([
    [{}, 40_000],
    [{ includeHistorical: true }, 40_000],
    [{ typesToExport: ALL_TYPES, snapshot: 1, currencyShape: 'object' }, 40_000]
  ] as [ForecastExportOptions, number][])(
    'fill exactly the size asked, whatever it is (%j)',
    async (options, step) => {
      for (let bytes = 10_000; bytes < 1_000_000; bytes += step * 7.3) {
        const size = Math.round(bytes)
        const data = await generated('2026_Q1', size, options)
        expect(data.timePeriods[0]!.timePeriodId).toBe('2026_Q1')
      }
    }
  )

  it('grows the org to fill its size, keys unique and figures rolled up', async () => {
    const data = await generated('2025_Q4', 2 * 1024 * 1024, { includeHistorical: true })
    expect(data.users.length).toBeGreaterThan(20)
    expect(duplicates(data)).toEqual([])
    expectRollUps(data, 'forecastValue')
    expect(weeks(data)).toHaveLength(14)
  })

  it('adds product lines once the org is at its largest, each line Commit ≤ Best Case ≤ Pipeline', async () => {
    const data = await generated(Q1, 12 * 1024 * 1024, { typesToExport: ALL_TYPES })
    const reps = data.users.filter(isRep).length
    expect(reps).toBeGreaterThan(3000)
    expect(data.fields.filter(f => f.fieldType === 'quota').length).toBeGreaterThan(1)
    expect(duplicates(data)).toEqual([])
    const all = [...calls(data).values()]
    expect(all.length).toBe(data.users.length * (data.fields.length / 4))
    for (const c of all) {
      expect(c.Commit).toBeLessThanOrEqual(c['Best Case']!)
      expect(c['Best Case']).toBeLessThanOrEqual(c.Pipeline!)
    }
    expect(latestForecastByField(data, isTop)).toEqual(latestForecastByField(data, isRep))
  })
})
