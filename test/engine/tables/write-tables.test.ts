import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  TABLE_NAMES,
  type TableFormat,
  type TableName,
  type WrittenTables
} from '../../../src/engine/table-layout.js'
import { TablesError } from '../../../src/engine/tables/tables-error.js'
import { writeTables } from '../../../src/engine/tables/write-tables.js'
import { readCsv } from '../../helpers/csv.js'
import { forecastPayload, generatedPayloadStream } from '../../simulators/clari/index.js'

const PERIOD = '2026_Q1'
const PAYLOAD = `net_arr_${PERIOD}.json`

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'clari-tables-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

interface Tables {
  written: WrittenTables
  /** Each table file's text, by table. */
  text: Record<TableName, string>
}

async function tablesOf(payload: string, format: TableFormat): Promise<Tables> {
  await writeFile(path.join(dir, PAYLOAD), payload)
  const written = await writeTables(path.join(dir, PAYLOAD), {
    outputDir: dir,
    forecastId: 'net_arr',
    period: PERIOD,
    format
  })
  const text = {} as Record<TableName, string>
  for (const table of TABLE_NAMES)
    text[table] = await readFile(path.join(dir, written[table].file), 'utf8')
  return { written, text }
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

const OURS = '"forecastId":"net_arr","exportPeriod":"2026_Q1"'
const CSV_OURS = 'net_arr,2026_Q1'

describe('writeTables: rows of each list, in NDJSON and CSV', () => {
  it.each<{
    name: string
    /** Raw payload text: numbers and escapes exactly as a server might send them. */
    payload: string
    table: TableName
    ndjson: string[]
    csv: string[]
  }>([
    {
      name: 'quota entries carry quotaValue, forecast entries forecastValue',
      payload: payload({
        entries: [
          {
            userId: 'u1',
            fieldId: 'fc_net_commit',
            timePeriodId: PERIOD,
            timeFrameId: 'TF:2026-01-05',
            forecastValue: 1250.5,
            currency: 'USD'
          },
          {
            userId: 'u1',
            fieldId: 'quota',
            timePeriodId: PERIOD,
            timeFrameId: 'TF:2026-01-05',
            quotaValue: 90000,
            currency: 'USD'
          }
        ]
      }),
      table: 'entries',
      ndjson: [
        `{${OURS},"entryKey":"2026_Q1|TF:2026-01-05|u1|fc_net_commit","userId":"u1","fieldId":"fc_net_commit","timePeriodId":"2026_Q1","timeFrameId":"TF:2026-01-05","forecastValue":1250.5,"currency":"USD"}`,
        `{${OURS},"entryKey":"2026_Q1|TF:2026-01-05|u1|quota","userId":"u1","fieldId":"quota","timePeriodId":"2026_Q1","timeFrameId":"TF:2026-01-05","quotaValue":90000,"currency":"USD"}`
      ],
      csv: [
        'forecastId,exportPeriod,entryKey,userId,fieldId,timePeriodId,timeFrameId,forecastValue,currency,quotaValue',
        `${CSV_OURS},2026_Q1|TF:2026-01-05|u1|fc_net_commit,u1,fc_net_commit,2026_Q1,TF:2026-01-05,1250.5,USD,`,
        `${CSV_OURS},2026_Q1|TF:2026-01-05|u1|quota,u1,quota,2026_Q1,TF:2026-01-05,,USD,90000`
      ]
    },
    {
      name: 'entries lacking keys: the missing parts of entryKey are empty, a number part is its text',
      payload: payload({
        entries: [
          { fieldId: 'fc', timePeriodId: PERIOD, userId: null },
          { userId: 42, timeFrameId: 'TF:2026-01-12' },
          {}
        ]
      }),
      table: 'entries',
      ndjson: [
        `{${OURS},"entryKey":"2026_Q1|||fc","fieldId":"fc","timePeriodId":"2026_Q1","userId":null}`,
        `{${OURS},"entryKey":"|TF:2026-01-12|42|","userId":42,"timeFrameId":"TF:2026-01-12"}`,
        `{${OURS},"entryKey":"|||"}`
      ],
      csv: [
        'forecastId,exportPeriod,entryKey,fieldId,timePeriodId,userId,timeFrameId',
        `${CSV_OURS},2026_Q1|||fc,fc,2026_Q1,,`,
        `${CSV_OURS},|TF:2026-01-12|42|,,,42,TF:2026-01-12`,
        `${CSV_OURS},|||,,,,`
      ]
    },
    {
      name: 'ids with commas, quotes and escapes make an entryKey quoted in CSV, escaped in NDJSON',
      payload:
        '{"entries":[{"timePeriodId":"2026_Q1","userId":"a,b","fieldId":"q\\"x","timeFrameId":"TF\\u003a1"}],' +
        '"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      table: 'entries',
      ndjson: [
        `{${OURS},"entryKey":"2026_Q1|TF\\u003a1|a,b|q\\"x","timePeriodId":"2026_Q1","userId":"a,b","fieldId":"q\\"x","timeFrameId":"TF\\u003a1"}`
      ],
      csv: [
        'forecastId,exportPeriod,entryKey,timePeriodId,userId,fieldId,timeFrameId',
        `${CSV_OURS},"2026_Q1|TF:1|a,b|q""x",2026_Q1,"a,b","q""x",TF:1`
      ]
    },
    {
      name: 'nested currency: kept whole in NDJSON, flattened with dots in CSV',
      payload:
        '{"entries":[' +
        '{"fieldId":"f","currency":{"code":"EUR","rate":1.0850}},' +
        '{"fieldId":"f","currency":"USD"},' +
        '{"fieldId":"f","currency":{"code":"JPY","symbol":{"text":"¥"}},"tags":[]},' +
        '{"fieldId":"f","currency":{}}' +
        '],"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      table: 'entries',
      ndjson: [
        `{${OURS},"entryKey":"|||f","fieldId":"f","currency":{"code":"EUR","rate":1.0850}}`,
        `{${OURS},"entryKey":"|||f","fieldId":"f","currency":"USD"}`,
        `{${OURS},"entryKey":"|||f","fieldId":"f","currency":{"code":"JPY","symbol":{"text":"¥"}},"tags":[]}`,
        `{${OURS},"entryKey":"|||f","fieldId":"f","currency":{}}`
      ],
      csv: [
        'forecastId,exportPeriod,entryKey,fieldId,currency.code,currency.rate,currency,currency.symbol.text,tags',
        `${CSV_OURS},|||f,f,EUR,1.0850,,,`,
        `${CSV_OURS},|||f,f,,,USD,,`,
        `${CSV_OURS},|||f,f,JPY,,,¥,[]`,
        `${CSV_OURS},|||f,f,,,,,`
      ]
    },
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
        'forecastId,exportPeriod,userId,name',
        `${CSV_OURS},u1,Zoë Ångström`,
        `${CSV_OURS},u2,"O'Brien, Pat"`,
        `${CSV_OURS},u3,"Sam ""The Closer"" Lee"`,
        `${CSV_OURS},u4,"Line\nBreak\r\nAgain"`,
        `${CSV_OURS},u5,日本 太郎 😀`,
        `${CSV_OURS},u6,Renée\t/x`,
        `${CSV_OURS},u7,""`
      ]
    },
    {
      name: 'numbers exactly as Clari sent them',
      payload:
        '{"entries":[{"fieldId":"f","forecastValue":1e21},{"fieldId":"f","forecastValue":-0},' +
        '{"fieldId":"f","forecastValue":123456789012345678901234567890},' +
        '{"fieldId":"f","forecastValue":0.1000},{"fieldId":"f","forecastValue":-12.50E+3}],' +
        '"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      table: 'entries',
      ndjson: [
        `{${OURS},"entryKey":"|||f","fieldId":"f","forecastValue":1e21}`,
        `{${OURS},"entryKey":"|||f","fieldId":"f","forecastValue":-0}`,
        `{${OURS},"entryKey":"|||f","fieldId":"f","forecastValue":123456789012345678901234567890}`,
        `{${OURS},"entryKey":"|||f","fieldId":"f","forecastValue":0.1000}`,
        `{${OURS},"entryKey":"|||f","fieldId":"f","forecastValue":-12.50E+3}`
      ],
      csv: [
        'forecastId,exportPeriod,entryKey,fieldId,forecastValue',
        `${CSV_OURS},|||f,f,1e21`,
        `${CSV_OURS},|||f,f,-0`,
        `${CSV_OURS},|||f,f,123456789012345678901234567890`,
        `${CSV_OURS},|||f,f,0.1000`,
        `${CSV_OURS},|||f,f,-12.50E+3`
      ]
    },
    {
      name: 'arrays as JSON text, booleans and null as sent',
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
        'forecastId,exportPeriod,fieldId,roles,active,note',
        `${CSV_OURS},f1,"[""a"",""b, c""]",true,`,
        `${CSV_OURS},f2,"[{""id"":1},[2,3]]",false,`
      ]
    },
    {
      name: 'a repeated key keeps its first place and its last value, as JSON.parse does',
      payload:
        '{"users":[{"userId":"a","name":"x","userId":"b"}],"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      table: 'users',
      ndjson: [`{${OURS},"userId":"b","name":"x"}`],
      csv: ['forecastId,exportPeriod,userId,name', `${CSV_OURS},b,x`]
    },
    {
      name: 'our columns win over an element’s own forecastId, exportPeriod and entryKey',
      payload: payload({
        entries: [{ forecastId: 'other', exportPeriod: 'x', entryKey: 'y', fieldId: 'f' }]
      }),
      table: 'entries',
      ndjson: [`{${OURS},"entryKey":"|||f","fieldId":"f"}`],
      csv: ['forecastId,exportPeriod,entryKey,fieldId', `${CSV_OURS},|||f,f`]
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
        'forecastId,exportPeriod,timeFrameId,startDate,week.n,week.of',
        `${CSV_OURS},TF:2026-01-05,2026-01-05,1,"[13,{""q"":""Q1"",""y"":2026}]"`,
        `${CSV_OURS},TF:2026-01-12,2026-01-12,,`
      ]
    }
  ])('$name', async ({ payload: text, table, ndjson, csv }) => {
    const asNdjson = await tablesOf(text, 'ndjson')
    expect(asNdjson.text[table]).toBe(ndjson.map(line => `${line}\n`).join(''))
    expect(asNdjson.written[table].rows).toBe(ndjson.length)
    for (const line of ndjson) expect(() => JSON.parse(line) as unknown).not.toThrow()

    const asCsv = await tablesOf(text, 'csv')
    expect(asCsv.text[table]).toBe(csv.map(line => `${line}\r\n`).join(''))
    expect(asCsv.written[table].rows).toBe(csv.length - 1)
  })

  it('writes empty tables for empty, null and missing lists (CSV: our columns as header)', async () => {
    const text = '{"entries":[],"users":null,"timePeriods":[]}'
    const ndjson = await tablesOf(text, 'ndjson')
    for (const table of TABLE_NAMES) {
      expect(ndjson.text[table]).toBe('')
      expect(ndjson.written[table].rows).toBe(0)
    }
    const csv = await tablesOf(text, 'csv')
    expect(csv.text.entries).toBe('forecastId,exportPeriod,entryKey\r\n')
    for (const table of TABLE_NAMES.filter(t => t !== 'entries')) {
      expect(csv.text[table]).toBe('forecastId,exportPeriod\r\n')
    }
  })

  it('lays the files out as tables/<table>/<forecast>_<period>.<format>, with rows and sha256', async () => {
    for (const format of ['ndjson', 'csv'] as const) {
      const { written, text } = await tablesOf(payload({ users: [{ userId: 'u' }] }), format)
      for (const table of TABLE_NAMES) {
        const file = `tables/${table}/net_arr_2026_Q1.${format}`
        const bytes = await readFile(path.join(dir, file))
        expect(written[table]).toEqual({
          file,
          rows: table === 'users' || table === 'time_periods' ? 1 : 0,
          sha256: createHash('sha256').update(bytes).digest('hex')
        })
        expect(bytes.toString('utf8')).toBe(text[table])
      }
      // No temporary file is left behind.
      for (const table of TABLE_NAMES) {
        const names = await readdir(path.join(dir, 'tables', table))
        expect(names.filter(name => !name.startsWith('net_arr_2026_Q1.'))).toEqual([])
      }
    }
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
    '$name: one row per element, the element as sent plus our columns',
    async ({ period, text }) => {
      const file = path.join(dir, `net_arr_${period}.json`)
      await writeFile(file, text)
      const expected = JSON.parse(text) as Record<string, Record<string, unknown>[]>
      const lists: Record<TableName, string> = {
        entries: 'entries',
        users: 'users',
        fields: 'fields',
        time_periods: 'timePeriods',
        time_frames: 'timeFrames'
      }
      const ndjson = await writeTables(file, {
        outputDir: dir,
        forecastId: 'net_arr',
        period,
        format: 'ndjson'
      })
      const csv = await writeTables(file, {
        outputDir: dir,
        forecastId: 'net_arr',
        period,
        format: 'csv'
      })
      for (const table of TABLE_NAMES) {
        const elements = expected[lists[table]]!
        const ours = (e: Record<string, unknown>): Record<string, unknown> => ({
          forecastId: 'net_arr',
          exportPeriod: period,
          ...(table === 'entries'
            ? { entryKey: [e.timePeriodId, e.timeFrameId, e.userId, e.fieldId].join('|') }
            : {}),
          ...e
        })
        const rows = (await readFile(path.join(dir, ndjson[table].file), 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map(line => JSON.parse(line) as unknown)
        expect(rows).toEqual(elements.map(ours))
        expect(ndjson[table].rows).toBe(elements.length)

        const [header, ...records] = readCsv(
          await readFile(path.join(dir, csv[table].file), 'utf8')
        )
        const keys = [...new Set(elements.flatMap(e => Object.keys(ours(e))))]
        expect(header).toEqual(keys)
        expect(records).toEqual(
          elements.map(e => {
            const row = ours(e)
            return keys.map(k => (row[k] === undefined || row[k] === null ? '' : String(row[k])))
          })
        )
        expect(csv[table].rows).toBe(elements.length)
      }
      // An entry per user, field and week: many time frames, and entryKey tells them apart.
      const entryKeys = new Set(
        expected.entries!.map(e => [e.timePeriodId, e.timeFrameId, e.userId, e.fieldId].join('|'))
      )
      expect(entryKeys.size).toBe(expected.entries!.length)
      expect(expected.timeFrames!.length).toBeGreaterThanOrEqual(13)
    }
  )
})

describe('writeTables: a payload read in many chunks', () => {
  it('gives every entry its row, whatever chunk boundary it crosses', async () => {
    const parts: Buffer[] = []
    for await (const part of generatedPayloadStream(PERIOD, 1024 * 1024)) parts.push(part as Buffer)
    const text = Buffer.concat(parts).toString('utf8')
    const { text: tables, written } = await tablesOf(text, 'ndjson')
    const entries = (JSON.parse(text) as { entries: Record<string, unknown>[] }).entries
    expect(written.entries.rows).toBe(entries.length)
    expect(
      tables.entries
        .split('\n')
        .filter(Boolean)
        .map(line => JSON.parse(line) as unknown)
    ).toEqual(
      entries.map(e => ({
        forecastId: 'net_arr',
        exportPeriod: PERIOD,
        entryKey: [e.timePeriodId, e.timeFrameId, e.userId, e.fieldId].join('|'),
        ...e
      }))
    )
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
    for (const format of ['ndjson', 'csv'] as const) {
      // Tables of an earlier run of this period would not match the payload: they go too.
      const stale = path.join(dir, 'tables', 'users', `net_arr_2026_Q1.${format}`)
      await mkdir(path.dirname(stale), { recursive: true })
      await writeFile(stale, 'stale')
      const error = await tablesOf(text, format).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TablesError)
      expect((error as TablesError).message).toBe(message)
      const left = await readdir(path.join(dir, 'tables'), { recursive: true, withFileTypes: true })
      expect(left.filter(e => e.isFile()).map(e => e.name)).toEqual([])
    }
  })

  it('refuses a symlink in place of the tables folder and writes nothing through it', async () => {
    const elsewhere = path.join(dir, 'elsewhere')
    await mkdir(elsewhere)
    await symlink(elsewhere, path.join(dir, 'tables'))
    await expect(tablesOf(payload({}), 'ndjson')).rejects.toThrow(
      'tables: tables in the output folder is not a folder (a symlink?)'
    )
    expect(await readdir(elsewhere)).toEqual([])
  })

  it('replaces a symlink at a table’s name instead of writing through it', async () => {
    const target = path.join(dir, 'target.txt')
    await writeFile(target, 'keep me')
    await mkdir(path.join(dir, 'tables', 'users'), { recursive: true })
    await symlink(target, path.join(dir, 'tables', 'users', 'net_arr_2026_Q1.ndjson'))
    const { text } = await tablesOf(payload({ users: [{ userId: 'u' }] }), 'ndjson')
    expect(text.users).toBe(`{${OURS},"userId":"u"}\n`)
    expect(await readFile(target, 'utf8')).toBe('keep me')
  })

  it('stops when the signal is aborted and leaves no table behind', async () => {
    await writeFile(path.join(dir, PAYLOAD), forecastPayload(PERIOD, 'net_arr'))
    const controller = new AbortController()
    controller.abort(new Error('cancelled'))
    await expect(
      writeTables(path.join(dir, PAYLOAD), {
        outputDir: dir,
        forecastId: 'net_arr',
        period: PERIOD,
        format: 'ndjson',
        signal: controller.signal
      })
    ).rejects.toThrow('cancelled')
    const left = await readdir(path.join(dir, 'tables'), { recursive: true, withFileTypes: true })
    expect(left.filter(e => e.isFile())).toEqual([])
  })
})
