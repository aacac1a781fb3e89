import { describe, expect, it } from 'vitest'
import { JsonStreamCheck } from '../../../src/engine/checks/json-tokenizer.js'
import { TABLE_NAMES, type TableFormat, type TableName } from '../../../src/engine/table-layout.js'
import { CsvRows } from '../../../src/engine/tables/csv-rows.js'
import { DuplicateKeys } from '../../../src/engine/tables/duplicate-keys.js'
import { NdjsonRows } from '../../../src/engine/tables/ndjson-rows.js'
import { ParquetRows } from '../../../src/engine/tables/parquet-rows.js'
import { RowEngine } from '../../../src/engine/tables/row-engine.js'
import type { RowsWriter } from '../../../src/engine/tables/rows-writer.js'
import { CONTEXT } from '../../helpers/table-rows.js'
import { generatedPayloadStream } from '../../simulators/clari/generated-payload.js'
import { forecastPayload } from '../../simulators/clari/index.js'

/** Every table's bytes, reading `payload` in chunks of `size` bytes. */
async function tablesInChunks(
  payload: Buffer,
  format: TableFormat,
  size: number,
  /** Each chunk in the same buffer, overwritten by the next (as fileChunks reuses its own). */
  reused = false
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
