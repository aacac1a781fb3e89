import { describe, expect, it } from 'vitest'
import { JsonStreamCheck } from '../../../src/engine/checks/json-tokenizer.js'
import { TABLE_NAMES, type TableFormat, type TableName } from '../../../src/engine/table-layout.js'
import { CsvRows } from '../../../src/engine/tables/csv-rows.js'
import { DuplicateKeys } from '../../../src/engine/tables/duplicate-keys.js'
import { NdjsonRows } from '../../../src/engine/tables/ndjson-rows.js'
import { ParquetRows } from '../../../src/engine/tables/parquet-rows.js'
import type { ComputedColumn } from '../../../src/engine/tables/derived-columns.js'
import { RowEngine } from '../../../src/engine/tables/row-engine.js'
import type { RowsWriter } from '../../../src/engine/tables/rows-writer.js'
import { readCsv } from '../../helpers/csv.js'
import { CONTEXT, csvRecords } from '../../helpers/table-rows.js'
import { generatedPayloadStream } from '../../simulators/clari/generated-payload.js'
import { forecastPayload } from '../../simulators/clari/index.js'

/** Every table's bytes, reading `payload` in chunks of `size` bytes. */
async function tablesInChunks(
  payload: Buffer,
  format: TableFormat,
  size: number,
  /** Each chunk in the same buffer, overwritten by the next (as fileChunks reuses its own). */
  reused = false,
  /** Set to the bytes of each table written before finish (by the flush after each chunk). */
  flushed?: Map<TableName, number>
): Promise<string[]> {
  const engine = new RowEngine(CONTEXT)
  const writer: RowsWriter =
    format === 'ndjson'
      ? new NdjsonRows(engine)
      : format === 'csv'
        ? new CsvRows(engine, true)
        : new ParquetRows(engine)
  engine.startPass(writer, { observe: true, freeze: false })
  const out = new Map<TableName, Buffer[]>(TABLE_NAMES.map(table => [table, []]))
  // Kept as copies, as the files would (the writers reuse their buffers).
  const write = async (table: TableName, bytes: Buffer): Promise<void> =>
    void out.get(table)!.push(Buffer.from(bytes))
  const check = new JsonStreamCheck(engine)
  const duplicates = new DuplicateKeys(engine.tables.get('entries')!)
  engine.addObserver(duplicates)
  const buffer = Buffer.alloc(size)
  for (let at = 0; at < payload.length; at += size) {
    const chunk = payload.subarray(at, at + size)
    if (reused) {
      buffer.fill(0x7b) // what a read in flight would leave in it
      chunk.copy(buffer)
    }
    check.update(reused ? buffer.subarray(0, chunk.length) : chunk)
    // Written after every chunk, as the writer does.
    await writer.flush(write)
  }
  expect(check.finish()).toMatchObject({ valid: true })
  expect(engine.failure).toBeUndefined()
  for (const [table, parts] of out) flushed?.set(table, Buffer.concat(parts).length)
  await writer.finish(write)
  expect(writer.redo.size).toBe(0)
  return [
    ...TABLE_NAMES.map(table => Buffer.concat(out.get(table)!).toString('latin1')),
    `duplicate keys: ${duplicates.count}`
  ]
}

// Long strings, escapes, multi-byte characters, nested values, whitespace and numbers that
// cross chunk boundaries somewhere for every chunk size below.
const MIXED = Buffer.from(
  '{"entries":[{"userId":"u1","fieldId":"fc","timePeriodId":"2026_Q1","timeFrameId":"TF:2026-01-05",' +
    '"forecastValue":123456789012345678901234567890,"currency":{"code":"EUR","rate":1.0850},' +
    '"note":"Sam \\"The Closer\\" Lee, \\u00e9 日本 😀","tags":["a",{"b":[1,-0.5e3]}],"ok":true,"bad":"\\ud800"},\n' +
    '  { "userId" : "u2" , "fieldId" : "quota", "quotaValue" : 1e21, "updatedBy" : null } ,' +
    '{"userId":"u1","userId":"u3","forecastId":"x","bad":"x\\udc00"}],' +
    '"users":[{"userId":"u1","name":"' +
    'Ö'.repeat(300) +
    '"}],"timePeriods":[{"timePeriodId":"2026_Q1"}],' +
    '"timeFrames":null}'
)

describe('RowEngine across chunk boundaries', () => {
  it.each(['ndjson', 'csv', 'parquet'] as const)(
    '%s: the same tables whatever the chunk size',
    async format => {
      const whole = await tablesInChunks(MIXED, format, MIXED.length)
      expect(whole[0]!.length).toBeGreaterThan(300)
      for (const size of [1, 2, 3, 5, 7, 16, 64, 333]) {
        expect(await tablesInChunks(MIXED, format, size), `chunks of ${size}`).toEqual(whole)
      }
    }
  )

  it.each(['ndjson', 'csv', 'parquet'] as const)(
    '%s: the simulator’s payload in odd-sized chunks',
    async format => {
      const payload = Buffer.from(forecastPayload('2026_Q1', 'net_arr'))
      const whole = await tablesInChunks(payload, format, payload.length)
      for (const size of [97, 4093])
        expect(await tablesInChunks(payload, format, size)).toEqual(whole)
    }
  )

  it.each(['ndjson', 'csv', 'parquet'] as const)(
    '%s: the same tables when every chunk comes in one buffer, overwritten by the next',
    async format => {
      for (const payload of [MIXED, Buffer.from(forecastPayload('2026_Q1', 'net_arr'))]) {
        const whole = await tablesInChunks(payload, format, payload.length)
        for (const size of [7, 97, 4093])
          expect(await tablesInChunks(payload, format, size, true), `chunks of ${size}`).toEqual(
            whole
          )
      }
      // Key parts that recur in many chunks (the simulator's keys are unique: no duplicate).
      const parts: Buffer[] = []
      for await (const part of generatedPayloadStream('2026_Q1', 4 * 1024 * 1024)) parts.push(part)
      const generated = Buffer.concat(parts)
      const whole = await tablesInChunks(generated, format, generated.length)
      expect(whole.at(-1)).toBe('duplicate keys: 0')
      expect(await tablesInChunks(generated, format, 64 * 1024, true)).toEqual(whole)
    }
  )
})

/** The users table as CSV records, its columns learnt by a pass before the one that writes. */
async function usersCsv(payload: Buffer, columns?: ComputedColumn[]): Promise<string[][]> {
  const engine = new RowEngine(CONTEXT, columns)
  const csv = new CsvRows(engine, true)
  for (const sink of [undefined, csv]) {
    engine.startPass(sink, { observe: sink === undefined, freeze: sink !== undefined })
    const check = new JsonStreamCheck(engine)
    check.update(payload)
    expect(check.finish()).toMatchObject({ valid: true })
  }
  expect(engine.failure).toBeUndefined()
  let text = ''
  await csv.finish(async (table, bytes) => void (table === 'users' && (text += bytes.toString())))
  return readCsv(text)
}

describe('RowEngine: each member in its own column', () => {
  // Keys at one place of consecutive elements are mostly recognised by their bytes: a key that
  // only looks alike (same length, same first bytes, same bytes around it) is still its own.
  it.each<[name: string, users: string]>([
    ['a longer name that starts alike', '[{"ab":1},{"abc":2}]'],
    ['a name that differs only in its first bytes', '[{"abcdX":1},{"zzzdX":2}]'],
    ['a name that differs in its last byte', '[{"abcdX":1},{"abcdY":2}]'],
    // Four bytes at a time, both read in the same byte order.
    ['a name whose bytes are the other’s reversed', '[{"ab":1},{"ba":2}]'],
    [
      'a name whose last bytes appear just before it',
      '[{"p":"zzzz","abcdX":1},{"p":"Xd1","abcdY":2}]'
    ],
    ['a name met in a nested object, then at the top', '[{"p":{"x":1}},{"q":1,"x":2}]'],
    ['a nested member named like a top-level one', '[{"b":1,"a":{"b":2}}]'],
    [
      'a member of an object inside a list, which makes no column',
      '[{"l":[{"a.b":1}],"a":{"b":2}}]'
    ]
  ])('%s', async (_name, users) => {
    const elements = JSON.parse(users) as Record<string, unknown>[]
    expect(await usersCsv(Buffer.from(`{"users":${users}}`))).toEqual(csvRecords('users', elements))
  })

  // A key read from chunks of one byte is a joined token of its own bytes, nothing after them.
  it('a shorter name where a longer one that starts alike was, in chunks of one byte', async () => {
    const payload = Buffer.from('{"users":[{"abcdefgh":1},{"abcd":2}]}')
    const whole = await tablesInChunks(payload, 'ndjson', payload.length)
    expect(await tablesInChunks(payload, 'ndjson', 1)).toEqual(whole)
  })

  it('a computed column named like a declared field takes its place, once', async () => {
    const userId: ComputedColumn = {
      name: 'userId',
      tables: ['users'],
      type: 'string',
      reads: ['name'],
      separator: '|'
    }
    const records = await usersCsv(Buffer.from('{"users":[{"userId":"u1","name":"n1"}]}'), [userId])
    const [header, row] = records
    expect(header!.filter(name => name === 'userId')).toHaveLength(1)
    expect(row![header!.indexOf('userId')]).toBe('n1')
    expect(row).toHaveLength(header!.length)
  })

  it('numbers the names that flatten alike past any suffix already taken', async () => {
    const [header, row] = await usersCsv(Buffer.from('{"users":[{"a.b":1,"a.b_2":2,"a":{"b":3}}]}'))
    expect(header!.slice(-3)).toEqual(['a.b', 'a.b_2', 'a.b_3'])
    expect(row!.slice(-3)).toEqual(['1', '2', '3'])
  })
})

describe('RowEngine: a pass that must find the columns of the one before', () => {
  it('fails when the payload has a member the first pass did not see', () => {
    const engine = new RowEngine(CONTEXT)
    const read = (text: string): void => {
      const check = new JsonStreamCheck(engine)
      check.update(Buffer.from(text))
      expect(check.finish()).toMatchObject({ valid: true })
    }
    engine.startPass(undefined, { observe: true, freeze: false })
    read('{"users":[{"userId":"u1","team":"a"}]}')
    engine.startPass(undefined, { observe: false, freeze: true })
    read('{"users":[{"userId":"u1","team":"a"}]}')
    expect(engine.failure).toBeUndefined()
    engine.startPass(undefined, { observe: false, freeze: true })
    read('{"users":[{"userId":"u1","region":"b"}]}')
    expect(engine.failure).toMatchObject({
      message: 'tables: the payload changed while its tables were being written',
      table: 'users'
    })
  })
})

describe('RowEngine: a computed column that reads a number', () => {
  it('gets the member’s number, and nothing for a string, a list, null or a missing member', async () => {
    const amount: ComputedColumn = {
      name: 'amount',
      tables: ['users'],
      type: 'double',
      reads: ['n'],
      value: row => row.number(0)
    }
    const engine = new RowEngine(CONTEXT, [amount])
    const ndjson = new NdjsonRows(engine)
    engine.startPass(ndjson, { observe: true, freeze: false })
    const check = new JsonStreamCheck(engine)
    check.update(
      Buffer.from('{"users":[{"n":0},{"n":-2.5e3},{"n":9},{"n":"5"},{"n":[1]},{"n":null},{}]}')
    )
    expect(check.finish()).toMatchObject({ valid: true })
    let text = ''
    await ndjson.finish(async (table, bytes) => void (table === 'users' && (text += bytes)))
    const rows = text.split('\n').filter(Boolean)
    expect(rows.map(row => (JSON.parse(row) as { amount: unknown }).amount)).toEqual([
      0,
      -2500,
      9,
      null,
      null,
      null,
      null
    ])
  })
})

describe('ParquetRows: bounded memory', () => {
  it('hands a finished row group to its file at the next flush, not at the end', async () => {
    const entries = Array.from({ length: 70_000 }, (_, i) => `{"userId":"u${i}"}`)
    const payload = Buffer.from(`{"entries":[${entries.join(',')}]}`)
    const flushed = new Map<TableName, number>()
    const tables = await tablesInChunks(payload, 'parquet', 64 * 1024, false, flushed)
    // The first of two row groups (65,536 of the 70,000 rows) is most of the file.
    const file = tables[TABLE_NAMES.indexOf('entries')]!
    expect(flushed.get('entries')).toBeGreaterThan(file.length / 2)
  })
})
