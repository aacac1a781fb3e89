import { describe, expect, it } from 'vitest'
import { JsonStreamCheck } from '../../../src/engine/checks/json-tokenizer.js'
import { TABLE_NAMES, type TableFormat } from '../../../src/engine/table-layout.js'
import { RowCollector } from '../../../src/engine/tables/row-collector.js'
import { forecastPayload } from '../../simulators/clari/index.js'

/** Every table's text, reading `payload` in chunks of `size` bytes. */
function tablesInChunks(payload: Buffer, format: TableFormat, size: number): string[] {
  const rows = new RowCollector({ format, forecastId: 'net_arr', period: '2026_Q1' })
  const out: Buffer[][] = TABLE_NAMES.map(() => [])
  const pass = (): void => {
    const check = new JsonStreamCheck(rows)
    for (let at = 0; at < payload.length; at += size) {
      check.update(payload.subarray(at, at + size))
      // Taken after every chunk, as the writer does; kept as copies (the buffers are reused).
      TABLE_NAMES.forEach((table, i) => out[i]!.push(Buffer.from(rows.take(table))))
    }
    expect(check.finish()).toMatchObject({ valid: true })
  }
  if (format === 'csv') {
    pass()
    rows.startWriting()
    // The first pass wrote nothing: the files start with the header.
    TABLE_NAMES.forEach((table, i) => (out[i] = [Buffer.from(rows.header(table))]))
  }
  pass()
  return out.map(parts => Buffer.concat(parts).toString('utf8'))
}

// Long strings, escapes, multi-byte characters, nested values, whitespace and numbers that
// cross chunk boundaries somewhere for every chunk size below.
const MIXED = Buffer.from(
  '{"entries":[{"userId":"u1","fieldId":"fc","timePeriodId":"2026_Q1","timeFrameId":"TF:2026-01-05",' +
    '"forecastValue":123456789012345678901234567890,"currency":{"code":"EUR","rate":1.0850},' +
    '"note":"Sam \\"The Closer\\" Lee, \\u00e9 日本 😀","tags":["a",{"b":[1,-0.5e3]}],"ok":true},\n' +
    '  { "userId" : "u2" , "fieldId" : "quota", "quotaValue" : 1e21, "updatedBy" : null } ,' +
    '{"userId":"u1","userId":"u3","forecastId":"x"}],' +
    '"users":[{"userId":"u1","name":"' +
    'Ö'.repeat(300) +
    '"}],"timePeriods":[{"timePeriodId":"2026_Q1"}],' +
    '"timeFrames":null}'
)

describe('RowCollector across chunk boundaries', () => {
  it.each(['ndjson', 'csv'] as const)('%s: the same tables whatever the chunk size', format => {
    const whole = tablesInChunks(MIXED, format, MIXED.length)
    expect(whole[0]!.split(format === 'csv' ? '\r\n' : '\n').length).toBeGreaterThan(3)
    for (const size of [1, 2, 3, 5, 7, 16, 64, 333]) {
      expect(tablesInChunks(MIXED, format, size), `chunks of ${size}`).toEqual(whole)
    }
  })

  it.each(['ndjson', 'csv'] as const)('%s: the simulator’s payload in odd-sized chunks', format => {
    const payload = Buffer.from(forecastPayload('2026_Q1', 'net_arr'))
    const whole = tablesInChunks(payload, format, payload.length)
    for (const size of [97, 4093]) expect(tablesInChunks(payload, format, size)).toEqual(whole)
  })
})
