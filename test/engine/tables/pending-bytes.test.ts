import { describe, expect, it } from 'vitest'
import { toBinary } from '../../../src/engine/tables/binary-text.js'
import {
  byteSet,
  PendingBytes,
  writePending,
  type WriteBytes
} from '../../../src/engine/tables/pending-bytes.js'
import type { TableName } from '../../../src/engine/table-layout.js'

const latin1 = (bytes: Buffer): string => bytes.toString('latin1')
const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'))
/** `bytes` lying inside a larger buffer, as a payload's chunk gives them. */
const amid = (bytes: Uint8Array): Uint8Array => {
  const padded = new Uint8Array(bytes.length + 8).fill(0x2a)
  padded.set(bytes, 3)
  return padded.subarray(3, 3 + bytes.length)
}
const int64Bytes = (value: number): string => {
  const bytes = Buffer.alloc(8)
  bytes.writeBigInt64LE(BigInt(value))
  return latin1(bytes)
}
const float64Bytes = (value: number): string => {
  const bytes = Buffer.alloc(8)
  bytes.writeDoubleLE(value)
  return latin1(bytes)
}
/** JSON text as a table file holds it: UTF-8, as binary text. */
const json = (value: string): string => toBinary(JSON.stringify(value))

const LONG = 'long text, past the native copy threshold: '
const ESCAPED = ['"', '\\', '\n', '\t', '\u0001', '\u001f', 'say "hi"', 'C:\\dir', 'a\r\nb']
const AS_IS = ['', ' ', '~', 'Zoë Ångström', '\u007f']

const cases: [string, (out: PendingBytes) => void, string][] = [
  ['short text', out => out.text(toBinary('Zoë')), toBinary('Zoë')],
  ['long text', out => out.text('x'.repeat(200)), 'x'.repeat(200)],
  ['a byte', out => out.byte(0x0a), '\n'],
  ['a slice of text', out => out.slice('before|kept|after', 7, 11), 'kept'],
  ['a short run of bytes', out => out.bytes(amid(bytesOf('abcdef')), 1, 4), 'bcd'],
  [
    'a long run of bytes',
    out => out.bytes(amid(bytesOf('<' + 'y'.repeat(100) + '>')), 1, 101),
    'y'.repeat(100)
  ],
  ['a uint32, little-endian', out => out.uint32(0x04030201), '\x01\x02\x03\x04'],
  ['the largest uint32', out => out.uint32(0xffffffff), '\xff\xff\xff\xff'],
  ...[0, 1, -1, 2 ** 32, 2 ** 32 + 5, -(2 ** 32) - 5, 2 ** 53, -(2 ** 53)]
    .concat(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER)
    .map((value): [string, (out: PendingBytes) => void, string] => [
      `the int64 ${value}`,
      out => out.int64(value),
      int64Bytes(value)
    ]),
  ...[1.5, -0, 2 ** -1074, -Infinity].map(
    (value): [string, (out: PendingBytes) => void, string] => [
      `the float64 ${value}`,
      out => out.float64(value),
      float64Bytes(value)
    ]
  ),
  ...[...ESCAPED, ...AS_IS].flatMap((value): [string, (out: PendingBytes) => void, string][] => [
    [
      `${JSON.stringify(value)} as a JSON string`,
      out => out.jsonString(toBinary(value)),
      json(value)
    ],
    [
      `${JSON.stringify(LONG + value)} as a JSON string`,
      out => out.jsonString(toBinary(LONG + value)),
      json(LONG + value)
    ],
    [
      `the bytes of ${JSON.stringify(value)} as a JSON string`,
      out => out.jsonBytes(amid(bytesOf(value))),
      json(value)
    ]
  ])
]

describe('PendingBytes: the bytes a table file gets', () => {
  // A 1-byte first buffer makes each write grow it; the '|' before makes each write start past 0.
  describe.each([
    ['a roomy first buffer', undefined],
    ['a 1-byte first buffer', 1]
  ])('with %s', (_, size) => {
    it.each(cases)('%s', (_, put, expected) => {
      const out = new PendingBytes(size)
      out.byte(0x7c)
      put(out)
      expect(latin1(out.contents())).toBe('|' + expected)
      expect(latin1(out.take())).toBe('|' + expected)
    })
  })

  it('adds up writes in order, growing past the first buffer', () => {
    const out = new PendingBytes(4)
    out.text('ab')
    out.jsonString('cd')
    out.uint32(0x65656565)
    out.slice('xfghx', 1, 4)
    expect(latin1(out.take())).toBe('ab"cd"eeeefgh')
  })
})

describe('PendingBytes.plainBytes: one pass that checks and copies', () => {
  it.each([
    ['bytes with no backslash', 'C:/dir', undefined, true, 'C:/dir'],
    ['no bytes', '', undefined, true, ''],
    ['a backslash, adding nothing', 'C:\\dir', undefined, false, ''],
    ['bytes with none of the stops given', 'a\\b', byteSet([0x2c]), true, 'a\\b'],
    ['one of the stops given, adding nothing', 'a,b', byteSet([0x2c]), false, '']
  ])('%s', (_, text, stops, plain, expected) => {
    const out = new PendingBytes()
    out.text('|')
    const bytes = amid(bytesOf(text))
    expect(out.plainBytes(bytes, 0, bytes.length, stops)).toBe(plain)
    expect(latin1(out.take())).toBe('|' + expected)
  })
})

describe('PendingBytes.take: two buffers taken in turn', () => {
  it('leaves what one take hands over untouched until the take after next', () => {
    const out = new PendingBytes(8)
    out.text('first')
    const first = out.take()
    out.text('second')
    const second = out.take()
    expect(latin1(first)).toBe('first')
    out.text('third')
    expect(latin1(second)).toBe('second')
    expect(latin1(out.take())).toBe('third')
  })

  it('counts a take with nothing to hand over: the bytes before it stay until the take after next', () => {
    const out = new PendingBytes(8)
    out.text('first')
    const first = out.take()
    expect(out.take().length).toBe(0)
    out.text('again')
    expect(latin1(first)).toBe('first')
    expect(latin1(out.take())).toBe('again')
  })

  it('starts again empty after a take, and after a clear', () => {
    const out = new PendingBytes()
    out.text('taken')
    out.take()
    out.text('cleared')
    out.clear()
    out.text('kept')
    expect(out.length).toBe(4)
    expect(latin1(out.take())).toBe('kept')
  })
})

describe('writePending: a table is written once it has `least` bytes or more', () => {
  const pendingOf = (texts: Partial<Record<TableName, string>>): Map<TableName, PendingBytes> =>
    new Map(
      Object.entries(texts).map(([table, text]) => {
        const out = new PendingBytes()
        out.text(text)
        return [table as TableName, out]
      })
    )
  const written = async (
    out: Map<TableName, PendingBytes>,
    least: number
  ): Promise<[TableName, string][]> => {
    const writes: [TableName, string][] = []
    const write: WriteBytes = async (table, bytes) => {
      writes.push([table, latin1(bytes)])
    }
    await writePending(out, write, least)
    return writes
  }

  it.each([
    [
      'those with `least` bytes and more, leaving the others pending',
      4,
      [
        ['users', 'four'],
        ['fields', 'fives']
      ]
    ],
    [
      'all that have bytes, with least 1',
      1,
      [
        ['entries', 'abc'],
        ['users', 'four'],
        ['fields', 'fives']
      ]
    ]
  ] as [string, number, [TableName, string][]][])('writes %s', async (_, least, expected) => {
    const out = pendingOf({ entries: 'abc', users: 'four', fields: 'fives', time_periods: '' })
    expect(await written(out, least)).toEqual(expected)
    const left = Object.fromEntries([...out].map(([table, bytes]) => [table, bytes.length]))
    const taken = new Set(expected.map(([table]) => table))
    expect(left).toEqual({
      entries: taken.has('entries') ? 0 : 3,
      users: 0,
      fields: 0,
      time_periods: 0
    })
  })
})
