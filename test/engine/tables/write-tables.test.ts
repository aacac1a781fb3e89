import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  realpath,
  rm,
  symlink,
  writeFile
} from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TABLE_NAMES, type TableFormat, type TableName } from '../../../src/engine/table-layout.js'
import type { ComputedColumn } from '../../../src/engine/tables/derived-columns.js'
import { TablesError } from '../../../src/engine/tables/tables-error.js'
import {
  writeTables,
  type TablesRequest,
  type TablesResult
} from '../../../src/engine/tables/write-tables.js'
import { readCsv } from '../../helpers/csv.js'
import { descriptorsOn } from '../../helpers/descriptors.js'
import { duckdbRows, sqlPath } from '../../helpers/duckdb.js'
import { CONTEXT, csvRecords, ndjsonRow, ours, SNAPSHOT } from '../../helpers/table-rows.js'
import { forecastPayload, generatedPayloadStream } from '../../simulators/clari/index.js'

const PERIOD = '2026_Q1'
const PAYLOAD = `net_arr_${PERIOD}.json`
const LISTS: Record<TableName, string> = {
  entries: 'entries',
  users: 'users',
  fields: 'fields',
  time_periods: 'timePeriods',
  time_frames: 'timeFrames'
}

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clari-tables-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

interface Tables {
  result: TablesResult
  /** Each table file's text (Parquet: its bytes as latin1), by table. */
  text: Record<TableName, string>
  /** Each table file's path. */
  files: Record<TableName, string>
}

async function tablesOf(
  payload: string | Buffer,
  format: TableFormat,
  request: Partial<TablesRequest> = {}
): Promise<Tables> {
  await writeFile(path.join(dir, PAYLOAD), payload)
  const result = await writeTables(path.join(dir, PAYLOAD), {
    outputDir: dir,
    forecastId: 'net_arr',
    period: PERIOD,
    snapshot: SNAPSHOT,
    format,
    csvFormulaGuard: true,
    ...request
  })
  const text = {} as Record<TableName, string>
  const files = {} as Record<TableName, string>
  for (const table of TABLE_NAMES) {
    files[table] = path.join(dir, result.tables[table].file)
    text[table] = await readFile(files[table], format === 'parquet' ? 'latin1' : 'utf8')
  }
  return { result, text, files }
}

/** A payload with the five lists, any of them replaced. */
function payload(lists: Record<string, unknown[]>): string {
  return JSON.stringify({
    entries: [],
    users: [],
    fields: [],
    timePeriods: [{ timePeriodId: PERIOD }],
    timeFrames: [],
    ...lists
  })
}

const ndjsonRows = (text: string): unknown[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map(line => JSON.parse(line) as unknown)

/** A Parquet table as DuckDB reads it: JSON columns as text, timestamps as ISO strings. */
async function parquetRows(file: string): Promise<Record<string, unknown>[]> {
  return duckdbRows(
    "SET TimeZone = 'UTC'",
    `SELECT * REPLACE (strftime(snapshotAt, '%Y-%m-%dT%H:%M:%S.%gZ') AS snapshotAt) FROM read_parquet(${sqlPath(file)})`
  )
}

/** Epoch ms of a DuckDB TIMESTAMP WITH TIME ZONE as JSON text (UTC: "2023-11-14 22:13:20.5+00"). */
function instant(text: unknown): number {
  const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)\+00$/.exec(String(text))
  if (!match) throw new Error(`not a UTC timestamp: ${String(text)}`)
  return Date.parse(`${match[1]}T${match[2]}Z`)
}

// The action's four columns, the same in every row of this file's tables.
const OURS =
  '"forecastId":"net_arr","exportPeriod":"2026_Q1","snapshotAt":"2026-01-05T06:00:00.000Z","jobId":"6073683781a6da229df71e00"'
const CSV_OURS = 'net_arr,2026_Q1,2026-01-05T06:00:00.000Z,6073683781a6da229df71e00'
// The users table's CSV header line: the action's four columns, then the element's.
const USERS_CSV_HEADER =
  'forecastId,exportPeriod,snapshotAt,jobId,userId,crmId,email,name,hierarchyId,hierarchyName,parentHierarchyId,parentHierarchyName,scopeId'

describe('writeTables: the bytes of a few tables, exactly as a loader reads them', () => {
  it.each<{
    name: string
    /** Raw payload text: numbers and escapes exactly as a server might send them. */
    payload: string
    table: TableName
    ndjson: string[]
    csv: string[]
  }>([
    {
      name: 'Unicode, commas, quotes and line breaks in names',
      payload:
        '{"users":[' +
        '{"userId":"u1","name":"Zoë Ångström"},' +
        '{"userId":"u2","name":"O\'Brien, Pat"},' +
        '{"userId":"u3","name":"Sam \\"The Closer\\" Lee"},' +
        '{"userId":"u4","name":"Line\\nBreak\\r\\nAgain"},' +
        '{"userId":"u5","name":"日本 太郎 😀"},' +
        '{"userId":"u6","name":"Ren\\u00e9e\\t\\/x"},' +
        '{"userId":"u7","name":""}' +
        '],"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      table: 'users',
      ndjson: [
        `{${OURS},"userId":"u1","name":"Zoë Ångström"}`,
        `{${OURS},"userId":"u2","name":"O'Brien, Pat"}`,
        `{${OURS},"userId":"u3","name":"Sam \\"The Closer\\" Lee"}`,
        `{${OURS},"userId":"u4","name":"Line\\nBreak\\r\\nAgain"}`,
        `{${OURS},"userId":"u5","name":"日本 太郎 😀"}`,
        `{${OURS},"userId":"u6","name":"Ren\\u00e9e\\t\\/x"}`,
        `{${OURS},"userId":"u7","name":""}`
      ],
      csv: [
        USERS_CSV_HEADER,
        `${CSV_OURS},u1,,,Zoë Ångström,,,,,`,
        `${CSV_OURS},u2,,,"O'Brien, Pat",,,,,`,
        `${CSV_OURS},u3,,,"Sam ""The Closer"" Lee",,,,,`,
        `${CSV_OURS},u4,,,"Line\nBreak\r\nAgain",,,,,`,
        `${CSV_OURS},u5,,,日本 太郎 😀,,,,,`,
        `${CSV_OURS},u6,,,Renée\t/x,,,,,`,
        `${CSV_OURS},u7,,,"",,,,,`
      ]
    },
    {
      name: 'lists as JSON text, booleans and null as sent',
      payload: payload({
        fields: [
          { fieldId: 'f1', roles: ['a', 'b, c'], active: true, note: null },
          { fieldId: 'f2', roles: [{ id: 1 }, [2, 3]], active: false }
        ]
      }),
      table: 'fields',
      ndjson: [
        `{${OURS},"fieldId":"f1","roles":["a","b, c"],"active":true,"note":null}`,
        `{${OURS},"fieldId":"f2","roles":[{"id":1},[2,3]],"active":false}`
      ],
      csv: [
        'forecastId,exportPeriod,snapshotAt,jobId,fieldId,fieldName,fieldType,roles,active,note',
        `${CSV_OURS},f1,,,"[""a"",""b, c""]",true,`,
        `${CSV_OURS},f2,,,"[{""id"":1},[2,3]]",false,`
      ]
    },
    {
      name: 'whitespace between tokens is dropped; escapes in keys are resolved',
      payload:
        '{ "timeFrames" : [\n  { "timeFrameId" : "TF:2026-01-05" ,\t"start\\u0044ate" : "2026-01-05",' +
        ' "week" : { "n" : 1, "of" : [ 13, {"q" : "Q1", "y":2026} ] } } ,' +
        '{"timeFrameId":"TF:2026-01-12","startDate":"2026-01-12"}\n] , "timePeriods":[{"timePeriodId":"2026_Q1"}] }',
      table: 'time_frames',
      ndjson: [
        `{${OURS},"timeFrameId":"TF:2026-01-05","startDate":"2026-01-05","week":{"n":1,"of":[13,{"q":"Q1","y":2026}]}}`,
        `{${OURS},"timeFrameId":"TF:2026-01-12","startDate":"2026-01-12"}`
      ],
      csv: [
        'forecastId,exportPeriod,snapshotAt,jobId,timeFrameId,startDate,endDate,week.n,week.of',
        `${CSV_OURS},TF:2026-01-05,2026-01-05,,1,"[13,{""q"":""Q1"",""y"":2026}]"`,
        `${CSV_OURS},TF:2026-01-12,2026-01-12,,,`
      ]
    },
    {
      name: 'a repeated key keeps its first place and its last value, as JSON.parse does',
      payload:
        '{"users":[{"userId":"a","name":"x","userId":"b"}],"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      table: 'users',
      ndjson: [`{${OURS},"userId":"b","name":"x"}`],
      csv: [USERS_CSV_HEADER, `${CSV_OURS},b,,,x,,,,,`]
    },
    {
      name: 'a compact element is copied byte for byte, escapes in its keys included',
      payload:
        '{"users":[{"userId":"u1","n\\u0061me":"x"}],"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      table: 'users',
      ndjson: [`{${OURS},"userId":"u1","n\\u0061me":"x"}`],
      csv: [USERS_CSV_HEADER, `${CSV_OURS},u1,,,x,,,,,`]
    },
    {
      name: 'a compact element with objects and lists, nested both ways, is copied byte for byte too',
      payload:
        '{"users":[{"userId":"u1","n\\u0061me":"x","o":{"l":[[1],{"k":2}]},"l":[1,[2]]}],"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      table: 'users',
      ndjson: [`{${OURS},"userId":"u1","n\\u0061me":"x","o":{"l":[[1],{"k":2}]},"l":[1,[2]]}`],
      csv: [`${USERS_CSV_HEADER},o.l,l`, `${CSV_OURS},u1,,,x,,,,,,"[[1],{""k"":2}]","[1,[2]]"`]
    },
    {
      name: 'an object or list in a member named like one of ours is dropped, not flattened',
      payload:
        '{"users":[{"userId":"u1","jobId":{"a":1},"forecastId":[2]}],"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      table: 'users',
      ndjson: [`{${OURS},"userId":"u1"}`],
      csv: [USERS_CSV_HEADER, `${CSV_OURS},u1,,,,,,,,`]
    },
    {
      name: 'a key made only of characters JSON escapes stays escaped in a row written from its members',
      // The space makes the element other than compact: its row is written member by member.
      payload:
        '{"users":[{"userId":"u1", "\\"":"\\\\"}],"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      table: 'users',
      ndjson: [`{${OURS},"userId":"u1","\\"":"\\\\"}`],
      csv: [`${USERS_CSV_HEADER},""""`, `${CSV_OURS},u1,,,,,,,,,\\`]
    }
  ])('$name', async ({ payload: text, table, ndjson, csv }) => {
    const asNdjson = await tablesOf(text, 'ndjson')
    expect(asNdjson.text[table]).toBe(ndjson.map(line => `${line}\n`).join(''))
    expect(asNdjson.result.tables[table].rows).toBe(ndjson.length)

    const asCsv = await tablesOf(text, 'csv')
    expect(asCsv.text[table]).toBe(csv.map(line => `${line}\r\n`).join(''))
    expect(asCsv.result.tables[table].rows).toBe(csv.length - 1)
  })

  it('keeps numbers exactly as Clari sent them (NDJSON and CSV); Parquet reads them as doubles', async () => {
    const numbers = ['1e21', '-0', '123456789012345678901234567890', '0.1000', '-12.50E+3']
    const text = payload({}).replace(
      '"entries":[]',
      `"entries":[${numbers.map(n => `{"fieldId":"f","forecastValue":${n}}`).join(',')}]`
    )
    const ndjson = (await tablesOf(text, 'ndjson')).text.entries.split('\n').filter(Boolean)
    expect(ndjson.map(line => line.slice(line.indexOf('"fieldId"')))).toEqual(
      numbers.map(n => `"fieldId":"f","forecastValue":${n}}`)
    )
    const [header, ...records] = readCsv((await tablesOf(text, 'csv')).text.entries)
    const column = header!.indexOf('forecastValue')
    expect(records.map(r => r[column])).toEqual(numbers)
    const parquet = await parquetRows((await tablesOf(text, 'parquet')).files.entries)
    expect(parquet.map(r => r.forecastValue)).toEqual(numbers.map(Number))
  })
})

describe('writeTables: the simulator’s payloads, every week of the quarter (as with include-historical)', () => {
  // Several quarters and both forms of the same JSON: compact, as Clari sends it, and indented.
  const cases = ['2025_Q4', '2026_Q1', '2026_Q2'].flatMap(period => {
    const compact = forecastPayload(period, 'net_arr', { includeHistorical: true })
    const indented = JSON.stringify(JSON.parse(compact), null, 2)
    return [
      { name: `${period} compact`, period, text: compact },
      { name: `${period} indented`, period, text: indented }
    ]
  })

  it.each(cases)(
    '$name: one row per element, the element as sent after our columns, in every format',
    async ({ period, text }) => {
      const file = path.join(dir, `net_arr_${period}.json`)
      await writeFile(file, text)
      const lists = JSON.parse(text) as Record<string, Record<string, unknown>[]>
      const context = { ...CONTEXT, period }
      const request = {
        outputDir: dir,
        forecastId: 'net_arr',
        period,
        snapshot: SNAPSHOT,
        csvFormulaGuard: true
      }
      const ndjson = await writeTables(file, { ...request, format: 'ndjson' })
      const csv = await writeTables(file, { ...request, format: 'csv' })
      const parquet = await writeTables(file, { ...request, format: 'parquet' })
      for (const table of TABLE_NAMES) {
        const elements = lists[LISTS[table]]!
        const rows = ndjsonRows(await readFile(path.join(dir, ndjson.tables[table].file), 'utf8'))
        expect(rows).toEqual(elements.map(e => ndjsonRow(table, e, context)))
        expect(ndjson.tables[table].rows).toBe(elements.length)

        const records = readCsv(await readFile(path.join(dir, csv.tables[table].file), 'utf8'))
        expect(records).toEqual(csvRecords(table, elements, { context }))
        expect(csv.tables[table].rows).toBe(elements.length)

        const typed = await parquetRows(path.join(dir, parquet.tables[table].file))
        expect(typed).toHaveLength(elements.length)
        // Each row's values under the NDJSON row's keys, compared in one expectation per table
        // (one per value cost this file a twelfth of its CPU). Timestamps and JSON come back
        // as text; the rest as JSON's own types.
        const expected = elements.map(e => ndjsonRow(table, e, context))
        const asRead = typed.map((row, i) =>
          Object.fromEntries(
            Object.keys(expected[i]!).map(key => {
              const value = row[key]
              if (key === 'updatedOn') return [key, instant(value)]
              if (key === 'currency') return [key, JSON.parse(String(value)) as unknown]
              if (key === 'year') return [key, Number(value)]
              return [key, value]
            })
          )
        )
        expect(asRead).toEqual(expected)
        expect(typed.filter(row => row.extra !== null)).toEqual([])
      }
      // An entry per user, field and week: many time frames, and entryKey tells them apart.
      expect(ndjson.duplicateKeys).toBe(0)
      expect(lists.timeFrames!.length).toBeGreaterThanOrEqual(13)
    }
  )
})

describe('writeTables: our columns', () => {
  const formats = ['ndjson', 'csv', 'parquet'] as const
  /** Every row of every table, as objects, whatever the format. */
  async function allRows(
    text: string,
    format: TableFormat
  ): Promise<Record<TableName, Record<string, unknown>[]>> {
    const { text: tables, files } = await tablesOf(text, format)
    const out = {} as Record<TableName, Record<string, unknown>[]>
    for (const table of TABLE_NAMES) {
      if (format === 'ndjson') out[table] = ndjsonRows(tables[table]) as Record<string, unknown>[]
      else if (format === 'parquet') out[table] = await parquetRows(files[table])
      else {
        const [header, ...records] = readCsv(tables[table])
        out[table] = records.map(r => Object.fromEntries(header!.map((h, i) => [h, r[i]])))
      }
    }
    return out
  }

  it.each(formats)(
    '%s: every row of every table carries its snapshot (snapshotAt, jobId)',
    async format => {
      const text = forecastPayload(PERIOD, 'net_arr')
      const rows = await allRows(text, format)
      for (const table of TABLE_NAMES) {
        expect(rows[table].length).toBeGreaterThan(0)
        for (const row of rows[table]) {
          expect(row).toMatchObject({
            forecastId: 'net_arr',
            exportPeriod: PERIOD,
            snapshotAt: SNAPSHOT.snapshotAt,
            jobId: SNAPSHOT.jobId
          })
        }
      }
    }
  )

  it.each(formats)(
    '%s: currencyCode whether currency is "USD" or {"code", "symbol"}; the original is kept',
    async format => {
      const entries = [
        { userId: 'u', fieldId: 'a', currency: 'USD' },
        { userId: 'u', fieldId: 'b', currency: { code: 'EUR', symbol: '€' } },
        { userId: 'u', fieldId: 'c', currency: { symbol: '¥' } },
        { userId: 'u', fieldId: 'd' }
      ]
      const rows = (await allRows(payload({ entries }), format)).entries
      const empty = format === 'csv' ? '' : null
      expect(rows.map(r => r.currencyCode)).toEqual(['USD', 'EUR', empty, empty])
      if (format === 'ndjson')
        expect(rows.map(r => r.currency)).toEqual(entries.map(e => e.currency))
      else {
        // CSV and Parquet: the string as it is, an object as JSON text (Parquet: all as JSON).
        const shown = entries.map(e =>
          e.currency === undefined
            ? empty
            : format === 'csv' && typeof e.currency === 'string'
              ? e.currency
              : JSON.stringify(e.currency)
        )
        expect(rows.map(r => r.currency)).toEqual(shown)
      }
    }
  )

  it.each(formats)('%s: ours win over an element’s own members of the same names', async format => {
    const entries = [
      {
        forecastId: 'other',
        exportPeriod: 'x',
        snapshotAt: 'y',
        jobId: 'z',
        entryKey: 'k',
        currencyCode: { a: 1 },
        fieldId: 'f'
      }
    ]
    const [row] = (await allRows(payload({ entries }), format)).entries
    expect(row).toMatchObject({
      forecastId: 'net_arr',
      exportPeriod: PERIOD,
      snapshotAt: SNAPSHOT.snapshotAt,
      jobId: SNAPSHOT.jobId,
      entryKey: '|||f'
    })
    if (format === 'parquet') expect(row!.extra).toBeNull()
  })

  it('entryKey: a missing part is empty, a number part is its text', async () => {
    const entries = [
      { fieldId: 'fc', timePeriodId: PERIOD, userId: null },
      { userId: 42, timeFrameId: 'TF:2026-01-12' },
      { timePeriodId: PERIOD, userId: 'a,b', fieldId: 'q"x', timeFrameId: 'TF:1' },
      { timeFrameId: -1, userId: 0, fieldId: 9.5 },
      {}
    ]
    const text = payload({ entries })
    const rows = ndjsonRows((await tablesOf(text, 'ndjson')).text.entries)
    expect(rows).toEqual(entries.map(e => ndjsonRow('entries', e)))
    expect(rows.map(r => (r as { entryKey: string }).entryKey)).toEqual([
      '2026_Q1|||fc',
      '|TF:2026-01-12|42|',
      '2026_Q1|TF:1|a,b|q"x',
      '|-1|0|9.5',
      '|||'
    ])
    expect(readCsv((await tablesOf(text, 'csv')).text.entries)).toEqual(
      csvRecords('entries', entries)
    )
  })
})

describe('writeTables: CSV', () => {
  it('a column first met after rows were written: the table is written again with it', async () => {
    const users = [
      { userId: 'u1' },
      { userId: 'u2', team: 'West' },
      { userId: 'u3', region: { id: 7 } }
    ]
    const text = payload({ users })
    const { text: tables, result } = await tablesOf(text, 'csv')
    // The other tables are written once: the second pass leaves their files as they are.
    const lists = JSON.parse(text) as Record<string, Record<string, unknown>[]>
    for (const table of TABLE_NAMES) {
      expect(readCsv(tables[table]), table).toEqual(csvRecords(table, lists[LISTS[table]]!))
      expect(result.tables[table].rows, table).toBe(lists[LISTS[table]]!.length)
    }
  })

  it('a table without rows is its header alone', async () => {
    const { text } = await tablesOf(payload({}), 'csv')
    expect(text.users).toBe(`${USERS_CSV_HEADER}\r\n`)
    for (const table of ['entries', 'fields', 'time_frames'] as const)
      expect(readCsv(text[table]), table).toEqual(csvRecords(table, []))
  })

  it('two members that flatten to one name both survive, the second with a suffix, and are reported', async () => {
    const text = '{"users":[{"a.b":"flat","a":{"b":"nested"}},{"a":{"b":"n2"},"a.b":"f2"}]}'
    const { text: tables, result } = await tablesOf(text, 'csv')
    const [header, ...records] = readCsv(tables.users)
    expect(header!.slice(-2)).toEqual(['a.b', 'a.b_2'])
    expect(records.map(r => r.slice(-2))).toEqual([
      ['flat', 'nested'],
      ['f2', 'n2']
    ])
    expect(result.warnings).toContain('users: two members flatten to one CSV name (a.b → a.b_2)')
  })

  // OWASP's CSV injection cases, and cells that only look alike.
  const hostile = [
    '=HYPERLINK("https://attacker.example","x")',
    "+1+cmd|' /C calc'!A0",
    '-2+3',
    '@SUM(1,2)',
    '\t=1',
    '\r=1'
  ]

  it('neutralises cells that start a formula with a leading quote; numbers and NDJSON/Parquet stay as sent', async () => {
    const users = hostile.map((name, i) => ({ userId: `u${i}`, name, score: -5 }))
    const text = payload({ users })
    const [header, ...records] = readCsv((await tablesOf(text, 'csv')).text.users)
    const name = header!.indexOf('name')
    expect(records.map(r => r[name])).toEqual(hostile.map(h => `'${h}`))
    expect(records.map(r => r[header!.indexOf('score')])).toEqual(hostile.map(() => '-5'))
    expect(readCsv((await tablesOf(text, 'csv')).text.users)).toEqual(csvRecords('users', users))

    const off = readCsv((await tablesOf(text, 'csv', { csvFormulaGuard: false })).text.users)
    expect(off.slice(1).map(r => r[name])).toEqual(hostile)
    expect(off).toEqual(csvRecords('users', users, { guard: false }))

    const ndjson = ndjsonRows((await tablesOf(text, 'ndjson')).text.users)
    expect(ndjson.map(r => (r as { name: string }).name)).toEqual(hostile)
    const parquet = await parquetRows((await tablesOf(text, 'parquet')).files.users)
    expect(parquet.map(r => r.name)).toEqual(hostile)
  })

  it('guards entryKey too: a key whose first part starts a formula', async () => {
    const entries = [
      { timePeriodId: '=1+1', fieldId: 'f' },
      { timePeriodId: '-2', userId: 'a,b' }
    ]
    const [header, ...records] = readCsv((await tablesOf(payload({ entries }), 'csv')).text.entries)
    const key = header!.indexOf('entryKey')
    expect(records.map(r => r[key])).toEqual(["'=1+1|||f", "'-2||a,b|"])
  })

  it('guards the header too: a member named like a formula', async () => {
    const { text } = await tablesOf('{"users":[{"=cmd()":"x"}]}', 'csv')
    expect(readCsv(text.users)[0]!.at(-1)).toBe("'=cmd()")
  })
})

describe('writeTables: text every loader accepts', () => {
  // The issue's hostile strings: a lone surrogate escaped, raw 0xFF bytes (never UTF-8), and
  // both in a key too.
  const hostilePayload = Buffer.concat([
    Buffer.from('{"users":[{"userId":"u1","name":"\\ud800x"},{"userId":"u2","name":"'),
    Buffer.from([0x61, 0xff, 0x62]),
    Buffer.from('"},{"userId":"u3","name":"ok \\ud83d\\ude00 é"},{"userId":"u4","\\udc00k":"'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"}],"timePeriods":[{"timePeriodId":"2026_Q1"}]}')
  ])

  it.each(['ndjson', 'csv', 'parquet'] as const)(
    '%s: lone surrogates and bytes that are not UTF-8 become U+FFFD, counted, warned once, and DuckDB loads the table',
    async format => {
      const { result, files } = await tablesOf(hostilePayload, format)
      expect(result.repairedText).toBe(4)
      expect(result.warnings.filter(w => w.includes('U+FFFD'))).toHaveLength(1)
      // The payload itself is kept as Clari sent it.
      expect(await readFile(path.join(dir, PAYLOAD))).toEqual(hostilePayload)
      const reader =
        format === 'ndjson'
          ? `read_ndjson(${sqlPath(files.users)})`
          : format === 'csv'
            ? `read_csv(${sqlPath(files.users)})`
            : `read_parquet(${sqlPath(files.users)})`
      const rows = await duckdbRows(`SELECT * FROM ${reader} ORDER BY userId`)
      expect(rows.map(r => r.name)).toEqual(['\ufffdx', 'a\ufffdb', 'ok 😀 é', null])
      const key = format === 'parquet' ? 'extra' : '\ufffdk'
      const u4 = rows[3]![key]
      expect(format === 'parquet' ? JSON.parse(String(u4)) : u4).toEqual(
        format === 'parquet' ? { '\ufffdk': '\ufffd(' } : '\ufffd('
      )
    }
  )
})

describe('writeTables: duplicate keys', () => {
  const entry = (frame: string, extra: Record<string, unknown>) => ({
    timePeriodId: PERIOD,
    timeFrameId: frame,
    userId: 'u1',
    fieldId: 'fc_net_commit',
    ...extra
  })

  it('counts entries whose key repeats (a quota and a forecast entry of one key are not), keeps every row, names the first keys', async () => {
    const entries = [
      entry('TF:2026-01-05', { forecastValue: 1 }),
      entry('TF:2026-01-05', { quotaValue: 9 }),
      entry('TF:2026-01-05', { forecastValue: 2 }),
      entry('TF:2026-01-12', { forecastValue: 3 }),
      entry('TF:2026-01-05', { forecastValue: 4 }),
      // A member first met here: CSV writes the entries again, and the count stays the same.
      entry('TF:2026-01-12', { quotaValue: 5, comment: 'late' })
    ]
    for (const format of ['ndjson', 'csv', 'parquet'] as const) {
      const { result } = await tablesOf(payload({ entries }), format)
      expect(result.duplicateKeys).toBe(2)
      expect(result.tables.entries.rows).toBe(entries.length)
      expect(result.warnings).toContain(
        'entries: 2 entries repeat the key of an earlier one (timePeriodId|timeFrameId|userId|fieldId: 2026_Q1|TF:2026-01-05|u1|fc_net_commit (forecastValue); 2026_Q1|TF:2026-01-05|u1|fc_net_commit (forecastValue)); rows are kept as Clari sent them'
      )
    }
  })

  it('gives up counting, and says so, when the keys are too many and varied to count in bounded memory', async () => {
    const entries = Array.from({ length: 70_000 }, (_, i) => entry(`TF:${i}`, { forecastValue: i }))
    const { result } = await tablesOf(payload({ entries }), 'ndjson')
    expect(result.duplicateKeys).toBeUndefined()
    expect(result.warnings).toContain(
      'entries: too many distinct keys to count repeated ones (duplicateKeys not recorded)'
    )
    expect(result.tables.entries.rows).toBe(entries.length)
  })
})

describe('writeTables: Parquet', () => {
  it('types each declared field; a value that does not fit its type, and any other member, go to extra', async () => {
    const entries = [
      {
        userId: 'u1',
        fieldId: 'f',
        forecastValue: '12.5',
        isUpdated: 'yes',
        updatedOn: 1.5,
        adjustmentValue: 3,
        notes: { a: [1] }
      },
      { userId: 7, forecastValue: 2, isUpdated: true, updatedOn: 1700000000000 }
    ]
    const { files } = await tablesOf(payload({ entries }), 'parquet')
    const columns = await duckdbRows(
      `DESCRIBE SELECT * FROM read_parquet(${sqlPath(files.entries)})`
    )
    expect(Object.fromEntries(columns.map(c => [c.column_name, c.column_type]))).toEqual({
      forecastId: 'VARCHAR',
      exportPeriod: 'VARCHAR',
      snapshotAt: 'TIMESTAMP WITH TIME ZONE',
      jobId: 'VARCHAR',
      entryKey: 'VARCHAR',
      currencyCode: 'VARCHAR',
      userId: 'VARCHAR',
      fieldId: 'VARCHAR',
      timePeriodId: 'VARCHAR',
      timeFrameId: 'VARCHAR',
      forecastValue: 'DOUBLE',
      quotaValue: 'DOUBLE',
      currency: 'JSON',
      isUpdated: 'BOOLEAN',
      updatedBy: 'VARCHAR',
      updatedOn: 'TIMESTAMP WITH TIME ZONE',
      extra: 'JSON',
      // DuckDB reads the folder's Hive partition as a column of its own.
      snapshot_date: 'DATE'
    })
    const rows = await parquetRows(files.entries)
    expect(rows.map(r => [r.userId, r.forecastValue, r.isUpdated, r.updatedOn])).toEqual([
      ['u1', null, null, null],
      [null, 2, true, '2023-11-14 22:13:20+00']
    ])
    expect(rows.map(r => JSON.parse(String(r.extra)) as unknown)).toEqual([
      {
        forecastValue: '12.5',
        isUpdated: 'yes',
        updatedOn: 1.5,
        adjustmentValue: 3,
        notes: { a: [1] }
      },
      { userId: 7 }
    ])
  })

  it('reads back every value of columns long enough for several pages, nulls and misfits among them', async () => {
    // 70,000 rows: two row groups (of at most 64Ki rows), each column's values in several pages.
    const entries = Array.from({ length: 70_000 }, (_, i) => ({
      userId: `u${i}`,
      fieldId: i % 5 === 0 ? null : `f${i % 7}`,
      forecastValue: i % 3 === 0 ? null : i % 11 === 0 ? `${i}` : i * 1.5,
      updatedOn: 1_700_000_000_000 + i
    }))
    const { files } = await tablesOf(payload({ entries }), 'parquet')
    const rows = await parquetRows(files.entries)
    expect(rows.map(r => [r.userId, r.fieldId, r.forecastValue, instant(r.updatedOn)])).toEqual(
      entries.map(e => [
        e.userId,
        e.fieldId,
        typeof e.forecastValue === 'number' ? e.forecastValue : null,
        e.updatedOn
      ])
    )
    // A value that is not a number goes to extra, in its row.
    expect(rows.filter(r => r.extra !== null).map(r => String(r.extra))).toEqual(
      entries
        .filter(e => typeof e.forecastValue === 'string')
        .map(e => JSON.stringify({ forecastValue: e.forecastValue }))
    )
  })

  it('writes row groups of bounded size, strings compressed, and an empty table as a file with no rows', async () => {
    const parts: Buffer[] = []
    for await (const part of generatedPayloadStream(PERIOD, 24 * 1024 * 1024))
      parts.push(part as Buffer)
    const { files, result } = await tablesOf(Buffer.concat(parts), 'parquet')
    const groups = await duckdbRows(
      `SELECT row_group_id, max(row_group_num_rows) AS rows FROM parquet_metadata(${sqlPath(files.entries)}) GROUP BY 1`
    )
    expect(groups.length).toBeGreaterThan(1)
    expect(groups.reduce((sum, g) => sum + Number(g.rows), 0)).toBe(result.tables.entries.rows)
    const codecs = await duckdbRows(
      `SELECT DISTINCT path_in_schema AS name, compression FROM parquet_metadata(${sqlPath(files.entries)})`
    )
    const codec = Object.fromEntries(codecs.map(c => [c.name, c.compression]))
    expect(codec.userId).toBe('GZIP')
    expect(codec.extra).toBe('GZIP')
    const [count] = await duckdbRows(
      `SELECT count(*) AS n FROM read_parquet(${sqlPath(files.time_frames)})`
    )
    expect(Number(count!.n)).toBe(result.tables.time_frames.rows)
    const empty = await tablesOf(payload({}), 'parquet')
    const [none] = await duckdbRows(
      `SELECT count(*) AS n FROM read_parquet(${sqlPath(empty.files.users)})`
    )
    expect(Number(none!.n)).toBe(0)
  })
})

describe('writeTables: a derived column that needs another list (a lookup)', () => {
  // What issue 23's change B adds: each entry's week number within the quarter.
  const weekIndex: ComputedColumn<Map<string, string>> = {
    name: 'weekIndex',
    tables: ['entries'],
    type: 'int64',
    reads: ['timeFrameId'],
    lookup: {
      table: 'time_frames',
      reads: ['timeFrameId', 'startDate'],
      start: () => new Map(),
      add: (starts, row) => void starts.set(row.string(0) ?? '', row.string(1) ?? '')
    },
    value: (row, starts) => {
      const start = starts.get(row.string(0) ?? '')
      return start === undefined ? undefined : [...starts.values()].sort().indexOf(start) + 1
    }
  }

  it.each(['ndjson', 'csv', 'parquet'] as const)(
    '%s: reads the whole of that list first, wherever it is in the payload',
    async format => {
      // Entries come first: the lookup's list is only complete at the end.
      const text =
        '{"entries":[{"timeFrameId":"TF:b"},{"timeFrameId":"TF:a"},{"timeFrameId":"TF:x"}],' +
        '"timeFrames":[{"timeFrameId":"TF:b","startDate":"2026-01-12"},{"timeFrameId":"TF:a","startDate":"2026-01-05"}]}'
      const { text: tables, files } = await tablesOf(text, format, {
        columns: [weekIndex as unknown as ComputedColumn]
      })
      const weeks =
        format === 'ndjson'
          ? ndjsonRows(tables.entries).map(r => (r as { weekIndex: unknown }).weekIndex)
          : format === 'csv'
            ? readCsv(tables.entries)
                .slice(1)
                .map(r => r[4])
            : (await parquetRows(files.entries)).map(r =>
                r.weekIndex === null ? null : Number(r.weekIndex)
              )
      expect(weeks).toEqual(format === 'csv' ? ['2', '1', ''] : [2, 1, null])
    }
  )
})

describe('writeTables: a joined column (as entryKey is)', () => {
  const crmKey: ComputedColumn = {
    name: 'crmKey',
    tables: ['users'],
    type: 'string',
    reads: ['crmId'],
    separator: '|'
  }

  it('CSV: nothing to join is an empty string (""), not a missing value', async () => {
    const users = [{ userId: 'u1' }, { userId: 'u2', crmId: 'c2' }]
    const { text } = await tablesOf(payload({ users }), 'csv', { columns: [crmKey] })
    expect(text.users.split('\r\n').slice(1)).toEqual([
      `${CSV_OURS},"",u1,,,,,,,,`,
      `${CSV_OURS},c2,u2,c2,,,,,,,`,
      ''
    ])
  })
})

describe('writeTables: the layout', () => {
  it.each(['ndjson', 'csv', 'parquet'] as const)(
    '%s: tables/<table>/snapshot_date=<day>/<forecast>_<period>_<job>.<format>, with rows and sha256, nothing else left',
    async format => {
      const { result, files } = await tablesOf(payload({ users: [{ userId: 'u' }] }), format)
      for (const table of TABLE_NAMES) {
        const file = `tables/${table}/snapshot_date=2026-01-05/net_arr_2026_Q1_${SNAPSHOT.jobId}.${format}`
        const bytes = await readFile(files[table])
        expect(result.tables[table]).toEqual({
          file,
          rows: table === 'users' || table === 'time_periods' ? 1 : 0,
          sha256: createHash('sha256').update(bytes).digest('hex')
        })
        // No temporary file is left behind.
        expect(await readdir(path.dirname(files[table]))).toEqual([path.basename(file)])
      }
    }
  )
})

describe('writeTables: a payload read in many chunks', () => {
  it('gives every entry its row, whatever chunk boundary it crosses', async () => {
    const parts: Buffer[] = []
    for await (const part of generatedPayloadStream(PERIOD, 1024 * 1024)) parts.push(part as Buffer)
    const text = Buffer.concat(parts).toString('utf8')
    const { text: tables, result } = await tablesOf(text, 'ndjson')
    const entries = (JSON.parse(text) as { entries: Record<string, unknown>[] }).entries
    expect(result.tables.entries.rows).toBe(entries.length)
    expect(ndjsonRows(tables.entries)).toEqual(entries.map(e => ndjsonRow('entries', e)))
    expect(ours('entries', entries[0]!).snapshotAt).toBe(SNAPSHOT.snapshotAt)
  })
})

describe('writeTables: an element larger than a row may be', () => {
  const MiB = 1024 * 1024
  /** A string token of `bytes` bytes, its quotes included. */
  const string = (bytes: number): string => `"${'x'.repeat(bytes - 2)}"`
  const tooLarge = 'tables: element 0 of "users" is larger than 16777216 bytes'

  it.each<[name: string, element: string, message: string | undefined]>([
    [
      'values of 16 MiB in all are written',
      `{"a":${string(8 * MiB)},"b":${string(8 * MiB)}}`,
      undefined
    ],
    [
      'values of one byte more fail',
      `{"a":${string(8 * MiB)},"b":${string(8 * MiB + 1)}}`,
      tooLarge
    ],
    ['a list of more fails', `{"l":[${string(9 * MiB)},${string(9 * MiB)}]}`, tooLarge],
    [
      'a value and a list of more together fail',
      `{"s":${string(8 * MiB)},"l":[${string(9 * MiB)}]}`,
      tooLarge
    ],
    [
      'one string longer than the JSON check holds fails',
      `{"s":${string(17 * MiB)}}`,
      'tables: "users" holds a value longer than 16777216 bytes'
    ]
  ])('%s', async (_name, element, message) => {
    const tables = tablesOf(`{"users":[${element}]}`, 'csv')
    if (message === undefined) expect((await tables).result.tables.users.rows).toBe(1)
    else await expect(tables).rejects.toThrow(message)
  })

  // CSV and Parquet keep no element's text as sent (NDJSON does, and fails it past what the check
  // holds).
  const padding = ' '.repeat(17 * MiB)
  it.each([
    ['a list', `{"l":[1,${padding}2]}`, 'l', '[1,2]'],
    ['an object', `{"o":{"a":1,${padding}"b":2}}`, 'o.b', '2']
  ])(
    '%s padded with whitespace past what the JSON check holds is written, compact',
    async (_name, element, column, value) => {
      const payload = `{"users":[${element}]}`
      const [header, row] = readCsv((await tablesOf(payload, 'csv')).text.users)
      expect(row![header!.indexOf(column)]).toBe(value)
      expect((await tablesOf(payload, 'parquet')).result.tables.users.rows).toBe(1)
    }
  )

  // Its keys alone, and its values alone, are more than 16 MiB.
  it('a list of flat elements larger than that in all is written: the limit is per element', async () => {
    const users = Array.from(
      { length: 2_500 },
      (_, i) => `{"userId":"u${i}",${string(7_200)}:${string(7_200)}}`
    )
    const { result } = await tablesOf(`{"users":[${users.join(',')}]}`, 'csv')
    expect(result.tables.users.rows).toBe(users.length)
  })
})

describe('writeTables: failures name the problem and leave no table of the period', () => {
  it.each<[name: string, payload: string, message: string]>([
    ['a list that is an object', '{"entries":{}}', 'tables: "entries" is an object, not a list'],
    [
      'a list that is a string',
      '{"timeFrames":"x"}',
      'tables: "timeFrames" is a string, not a list'
    ],
    [
      'an element that is a number',
      '{"users":[1]}',
      'tables: element 0 of "users" is a number, not an object'
    ],
    [
      'an element that is a list',
      '{"fields":[{},[]]}',
      'tables: element 1 of "fields" is a list, not an object'
    ],
    [
      'an element that is null',
      '{"users":[null]}',
      'tables: element 0 of "users" is null, not an object'
    ],
    [
      'an element that is a boolean',
      '{"users":[{},true]}',
      'tables: element 1 of "users" is a boolean, not an object'
    ],
    [
      'an element that is a negative number',
      '{"users":[-1]}',
      'tables: element 0 of "users" is a number, not an object'
    ],
    [
      'more distinct members than a table may have columns',
      JSON.stringify({
        users: [Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`m${i}`, i]))]
      }),
      'tables: users has more than 10000 distinct columns'
    ],
    [
      'a list sent twice',
      '{"entries":[],"entries":[]}',
      'tables: the payload has more than one "entries" list'
    ],
    [
      'a payload cut short',
      '{"entries":[{"a":1}',
      'tables: the payload could not be read as JSON (unterminated array at end of input at byte 19)'
    ],
    [
      'a payload of another period',
      '{"timePeriods":[{"timePeriodId":"2025_Q4"}]}',
      'tables: the payload is for period 2025_Q4, not 2026_Q1'
    ]
  ])('%s', async (_name, text, message) => {
    for (const format of ['ndjson', 'csv', 'parquet'] as const) {
      // Tables of an earlier run of this snapshot would not match the payload: they go too.
      const stale = path.join(
        dir,
        'tables/users/snapshot_date=2026-01-05',
        `net_arr_2026_Q1_${SNAPSHOT.jobId}.${format}`
      )
      await mkdir(path.dirname(stale), { recursive: true })
      await writeFile(stale, 'stale')
      const error = await tablesOf(text, format).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TablesError)
      expect(error).toMatchObject({ name: 'TablesError', message })
      const left = await readdir(path.join(dir, 'tables'), { recursive: true, withFileTypes: true })
      expect(left.filter(e => e.isFile()).map(e => e.name)).toEqual([])
    }
  })

  it('a failure of the disk names the table files and its cause', async () => {
    // A file where the output folder should be: the tables' folders cannot be made.
    const notAFolder = path.join(dir, 'out')
    await writeFile(notAFolder, '')
    const error = await tablesOf(payload({}), 'ndjson', { outputDir: notAFolder }).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(TablesError)
    expect((error as TablesError).message).toMatch(
      /^tables: could not write the table files \(E[A-Z]+: .*\)$/
    )
  })

  it('refuses a symlink in place of a tables folder and writes nothing through it', async () => {
    const elsewhere = path.join(dir, 'elsewhere')
    await mkdir(elsewhere)
    await mkdir(path.join(dir, 'tables', 'users'), { recursive: true })
    await symlink(elsewhere, path.join(dir, 'tables', 'users', 'snapshot_date=2026-01-05'))
    await expect(tablesOf(payload({}), 'ndjson')).rejects.toThrow(
      'tables: tables/users/snapshot_date=2026-01-05 in the output folder is not a folder (a symlink?)'
    )
    expect(await readdir(elsewhere)).toEqual([])
  })

  it('replaces a symlink at a table’s name instead of writing through it', async () => {
    const target = path.join(dir, 'target.txt')
    await writeFile(target, 'keep me')
    const name = path.join(
      dir,
      'tables/users/snapshot_date=2026-01-05',
      `net_arr_2026_Q1_${SNAPSHOT.jobId}.ndjson`
    )
    await mkdir(path.dirname(name), { recursive: true })
    await symlink(target, name)
    const { text } = await tablesOf(payload({ users: [{ userId: 'u' }] }), 'ndjson')
    expect(text.users).toBe(`{${OURS},"userId":"u"}\n`)
    expect(await readFile(target, 'utf8')).toBe('keep me')
  })

  it('stops when the signal is aborted and leaves no table behind', async () => {
    const controller = new AbortController()
    controller.abort(new Error('cancelled'))
    await expect(
      tablesOf(forecastPayload(PERIOD, 'net_arr'), 'ndjson', { signal: controller.signal })
    ).rejects.toThrow('cancelled')
    const left = await readdir(path.join(dir, 'tables'), {
      recursive: true,
      withFileTypes: true
    }).catch(() => [])
    expect(left.filter(e => e.isFile())).toEqual([])
  })
})

describe('writeTables: Parquet row groups and typed values', () => {
  /** Each row group's rows, in the file's order. */
  const rowGroups = async (file: string): Promise<number[]> =>
    (
      await duckdbRows(
        `SELECT row_group_id, max(row_group_num_rows) AS n FROM parquet_metadata(${sqlPath(file)}) GROUP BY 1 ORDER BY 1`
      )
    ).map(g => Number(g.n))

  it('cuts a row group at every 65,536 rows, and writes none for a table without rows', async () => {
    const entries = Array.from({ length: 70_000 }, () => ({ userId: 'u' }))
    const { files } = await tablesOf(payload({ entries }), 'parquet')
    expect(await rowGroups(files.entries)).toEqual([65_536, 4_464])
    expect(await rowGroups(files.users)).toEqual([])
  })

  it('cuts a row group at the row that brings its values to 4 MiB', async () => {
    // 128 bytes of values a row (the length, then 124 bytes): 4 MiB at row 32,768.
    const users = Array.from({ length: 40_000 }, () => ({ userId: 'x'.repeat(124) }))
    const { files } = await tablesOf(payload({ users }), 'parquet')
    expect(await rowGroups(files.users)).toEqual([32_768, 7_232])
  })

  it('reads a whole number however it is written, and sends one that is not a safe integer to extra', async () => {
    // As sent: a JSON number's text is kept, not JSON.stringify's.
    const years = [
      '2026',
      '-5',
      '2E3',
      '0.0',
      '-1000.0',
      '9000000000000000',
      '1234567890123456789',
      '2026.5',
      '[2026]',
      '""',
      'true'
    ]
    const text = `{"timePeriods":[${years.map(y => `{"year":${y}}`).join(',')}]}`
    const { files } = await tablesOf(text, 'parquet')
    const rows = await parquetRows(files.time_periods)
    expect(rows.map(r => (r.year === null ? null : Number(r.year)))).toEqual([
      2026,
      -5,
      2000,
      0,
      -1000,
      9_000_000_000_000_000,
      null,
      null,
      null,
      null,
      null
    ])
    expect(rows.map(r => r.extra)).toEqual([
      ...Array<null>(6).fill(null),
      '{"year":1234567890123456789}',
      '{"year":2026.5}',
      '{"year":[2026]}',
      '{"year":""}',
      '{"year":true}'
    ])
  })

  it('reads a decimal however it is written, and sends what is not a number to extra', async () => {
    const values = ['1.5e-7', '2.5e3', '-0.5', '123456789012345678', 'true', '[1]', '{"a":1}']
    const text = `{"entries":[${values.map(v => `{"forecastValue":${v}}`).join(',')}]}`
    const { files } = await tablesOf(text, 'parquet')
    const rows = await parquetRows(files.entries)
    expect(rows.map(r => r.forecastValue)).toEqual([
      1.5e-7,
      2500,
      -0.5,
      Number('123456789012345678'),
      null,
      null,
      null
    ])
    expect(rows.map(r => r.extra)).toEqual([
      ...Array<null>(4).fill(null),
      '{"forecastValue":true}',
      '{"forecastValue":[1]}',
      '{"forecastValue":{"a":1}}'
    ])
  })

  it('types a computed column’s value: a timestamp, a double, a boolean', async () => {
    const column = (
      name: string,
      type: 'timestamp' | 'double' | 'boolean',
      read: string,
      value: (text: string) => string | number | boolean
    ): ComputedColumn => ({
      name,
      type,
      tables: ['users'],
      reads: [read],
      value: row => {
        const text = row.string(0)
        return text === undefined ? undefined : value(text)
      }
    })
    const users = [
      { crmId: '2026-01-05T06:00:00.500Z', name: 'abc', email: 'no' },
      { email: 'yes' },
      {}
    ]
    const { files } = await tablesOf(payload({ users }), 'parquet', {
      columns: [
        column('seenAt', 'timestamp', 'crmId', text => text),
        column('half', 'double', 'name', text => text.length / 2),
        column('isYes', 'boolean', 'email', text => text === 'yes')
      ]
    })
    const rows = await duckdbRows(
      `SELECT epoch_ms(seenAt) AS seenAt, half, isYes FROM read_parquet(${sqlPath(files.users)})`
    )
    expect(rows.map(r => [r.seenAt === null ? null : Number(r.seenAt), r.half, r.isYes])).toEqual([
      [Date.parse('2026-01-05T06:00:00.500Z'), 1.5, false],
      [null, null, true],
      [null, null, null]
    ])
  })
})

describe('writeTables: what the result and its failures say', () => {
  it('a payload with nothing to warn about gives no warnings', async () => {
    for (const format of ['ndjson', 'csv', 'parquet'] as const) {
      const { result } = await tablesOf(payload({ users: [{ userId: 'u' }] }), format)
      expect(result.warnings).toEqual([])
    }
  })

  it('reads a payload that needs no second pass once: the progress rises to its size', async () => {
    const text = payload({ users: Array.from({ length: 5_000 }, (_, i) => ({ userId: `u${i}` })) })
    const progress: number[] = []
    await tablesOf(text, 'ndjson', { columns: [], onProgress: bytes => progress.push(bytes) })
    expect(progress.length).toBeGreaterThan(1)
    expect(progress).toEqual([...progress].sort((a, b) => a - b))
    expect(new Set(progress).size).toBe(progress.length)
    expect(progress.at(-1)).toBe(Buffer.byteLength(text))
  })

  it('names a payload of another period by the first 40 characters of its period', async () => {
    const other = 'y'.repeat(60)
    await expect(
      tablesOf(payload({ timePeriods: [{ timePeriodId: other }] }), 'csv')
    ).rejects.toThrow(`tables: the payload is for period ${'y'.repeat(40)}, not ${PERIOD}`)
  })

  it('a payload refused in its first chunk leaves the output folder as it was', async () => {
    await expect(tablesOf('{"entries":{}}', 'csv')).rejects.toThrow('is an object, not a list')
    expect(await readdir(dir)).toEqual([PAYLOAD])
  })

  it.runIf(process.platform === 'linux')(
    'closes the payload file when it is refused before its end',
    async () => {
      // Refused in its first chunk of several: the rest is never read.
      const text = `{"entries":{},"pad":"${'x'.repeat(200_000)}"}`
      await expect(tablesOf(text, 'csv')).rejects.toThrow('is an object, not a list')
      expect(await descriptorsOn(await realpath(path.join(dir, PAYLOAD)))).toBe(0)
    }
  )

  it('names a payload that cannot be read, and its cause', async () => {
    // A folder opens like a file but refuses to be read.
    await mkdir(path.join(dir, 'folder.json'))
    await expect(
      writeTables(path.join(dir, 'folder.json'), {
        outputDir: dir,
        forecastId: 'net_arr',
        period: PERIOD,
        snapshot: SNAPSHOT,
        format: 'csv',
        csvFormulaGuard: true
      })
    ).rejects.toThrow(/^tables: could not read the payload \(EISDIR: /)
  })

  it('fails when the payload changes between the passes its CSV tables need', async () => {
    // "b" is met after the header: the users table is written again, from the file on disk.
    const file = path.join(dir, PAYLOAD)
    let changed = false
    const onProgress = (): void => {
      if (changed) return
      changed = true
      writeFileSync(file, payload({ users: [{ a: 1 }, { b: 2, c: 3 }] }))
    }
    await expect(
      tablesOf(payload({ users: [{ a: 1 }, { b: 2 }] }), 'csv', { onProgress })
    ).rejects.toThrow('the payload changed while its tables were being written')
  })
})
