import { describe, it, expect } from 'vitest'
import {
  JsonStreamCheck,
  MAX_DEPTH,
  MAX_TAPPED_TOKEN,
  type JsonCheckResult
} from '../../../src/engine/checks/json-tokenizer.js'
import { mulberry32 } from '../../simulators/clari/prng.js'
import { checkChunks, checkEverySplit } from '../../helpers/json-check.js'
import { RecordingTap } from '../../helpers/recording-tap.js'

const bytes = (input: string | Uint8Array): Uint8Array =>
  typeof input === 'string' ? Buffer.from(input, 'utf8') : input

const checkWhole = (input: string | Uint8Array): JsonCheckResult => checkChunks([bytes(input)])

function checkSplitAt(input: Uint8Array, at: number): JsonCheckResult {
  return checkChunks([input.subarray(0, at), input.subarray(at)])
}

function checkByteByByte(input: Uint8Array): JsonCheckResult {
  return checkChunks(Array.from({ length: input.length }, (_, i) => input.subarray(i, i + 1)))
}

/** What JSON.parse says about timePeriods[0].timePeriodId, the reference for the extraction. */
function referenceTimePeriodId(text: string): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
  const root: unknown = JSON.parse(text)
  if (!isObject(root) || !Object.hasOwn(root, 'timePeriods')) return undefined
  const periods = root['timePeriods']
  if (!Array.isArray(periods) || !isObject(periods[0])) return undefined
  const id = Object.hasOwn(periods[0], 'timePeriodId') ? periods[0]['timePeriodId'] : undefined
  return typeof id === 'string' ? id : undefined
}

function isValidForJsonParse(input: Uint8Array): boolean {
  try {
    JSON.parse(Buffer.from(input).toString('utf8'))
    return true
  } catch {
    return false
  }
}

describe('JsonStreamCheck validity', () => {
  const valid: string[] = [
    '0',
    '-0',
    '1e5',
    '1.5E-3',
    '-12.5e+10',
    '123456789012345678901234567890',
    '0.0',
    '1E0',
    'true',
    'false',
    'null',
    '""',
    '"plain"',
    '"\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00"',
    '"\\uABCDef"',
    '"é ü 日本 😀"',
    '{}',
    '[]',
    ' \t\r\n{ "a" : [ 1 , 2 , { } , [ ] ] , "b" : null } \n',
    '{"a":{"b":{"c":[true,false,null,"x",-1.5e-7]}}}',
    '[[[[[[]]]]]]',
    '{"":""}',
    '{"a":1,"a":2}',
    '\ufeff{"bom":true}',
    '\ufeff 7 '
  ]
  it.each(valid)('accepts %j', input => {
    expect(checkWhole(input)).toEqual({ valid: true })
  })

  const invalid: Array<[input: string, offset: number]> = [
    ['', 0],
    ['   ', 3],
    ['\ufeff', 3],
    ['01', 1],
    ['-01', 2],
    ['1.', 2],
    ['.5', 0],
    ['+1', 0],
    ['-', 1],
    ['1e', 2],
    ['1e+', 3],
    ['1.e5', 2],
    ['NaN', 0],
    ['Infinity', 0],
    ['-Infinity', 1],
    ['0x10', 1],
    ['"unterminated', 13],
    ['"unterminated \\', 15],
    ['"\\u12', 5],
    ['[1, 2', 5],
    ['{"a": 1', 7],
    ['{"a"', 4],
    ['{"a":', 5],
    ['[1,]', 3],
    ['{"a":1,}', 7],
    ['[,1]', 1],
    ['{,}', 1],
    ['[1 2]', 3],
    ['{"a" 1}', 5],
    ['{"a":1 "b":2}', 7],
    ['{1:2}', 1],
    ["{'a':1}", 1],
    ['["a",]', 5],
    ['[1]]', 3],
    ['{"a":1}}', 7],
    ['[1}', 2],
    ['{"a":1]', 6],
    ['{} x', 3],
    ['1 2', 2],
    ['"a" "b"', 4],
    ['truex', 4],
    ['tru', 3],
    ['trUe', 2],
    ['nul', 3],
    ['fals', 4],
    ['"tab\there"', 4],
    ['"new\nline"', 4],
    ['"nul\u0000"', 4],
    ['"\\x41"', 2],
    ['"\\U0041"', 2],
    ['"\\u00G1"', 5],
    ['"\\\'"', 2],
    ['\u00a0 1', 0],
    ['\ufeff\ufeff1', 3]
  ]
  it.each(invalid)('rejects %j at offset %i', (input, offset) => {
    const result = checkWhole(input)
    expect(result.valid).toBe(false)
    if (!result.valid) {
      expect(result.offset).toBe(offset)
      expect(result.reason).not.toBe('')
    }
  })

  it('rejects a BOM that does not start the stream and a broken BOM', () => {
    expect(checkChunks([bytes(' '), Buffer.from([0xef, 0xbb, 0xbf]), bytes('1')]).valid).toBe(false)
    expect(checkWhole(Buffer.from([0xef, 0xbb, 0x31])).valid).toBe(false)
  })

  it('names the unterminated construct at end of input', () => {
    const reasonOf = (input: string): string => {
      const result = checkWhole(input)
      return result.valid ? '' : result.reason
    }
    expect(reasonOf('')).toMatch(/no JSON value/)
    expect(reasonOf('{"a":"b')).toMatch(/unterminated string/)
    expect(reasonOf('{"a":[1')).toMatch(/unterminated array/)
    expect(reasonOf('{"a":1')).toMatch(/unterminated object/)
    expect(reasonOf('[1e')).toMatch(/incomplete number/)
    expect(reasonOf('[nu')).toMatch(/incomplete literal 'null'/)
  })

  it('keeps the first error and ignores everything after it', () => {
    const check = new JsonStreamCheck()
    check.update(bytes('[1,'))
    check.update(bytes(']'))
    check.update(bytes('] this would be another error'))
    expect(check.finish()).toEqual({
      valid: false,
      reason: "unexpected ']' (0x5d) where a value was expected",
      offset: 3
    })
  })

  it('does not validate UTF-8 inside strings (documented limit)', () => {
    expect(checkWhole(Buffer.from([0x22, 0xff, 0xc3, 0x22])).valid).toBe(true)
  })

  it('rejects bytes outside ASCII where JSON structure is expected', () => {
    expect(checkWhole(Buffer.from([0x5b, 0xc3, 0xa9, 0x5d])).valid).toBe(false)
  })

  it(`accepts nesting up to ${MAX_DEPTH} levels and rejects deeper nesting without recursion`, () => {
    const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth)
    expect(checkWhole(nested(MAX_DEPTH))).toEqual({ valid: true })
    expect(checkWhole(nested(MAX_DEPTH + 1))).toMatchObject({ valid: false, offset: MAX_DEPTH })
    const deepObjects = '{"a":'.repeat(MAX_DEPTH) + '1' + '}'.repeat(MAX_DEPTH)
    expect(checkWhole(deepObjects)).toEqual({ valid: true })
    expect(checkWhole('['.repeat(1_000_000))).toMatchObject({ valid: false, offset: MAX_DEPTH })
  })

  it('reads chunks that are views into a larger buffer', () => {
    const backing = Buffer.from('xxxx{"timePeriods":[{"timePeriodId":"2026_Q1"}]}yyyy')
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, backing.length - 8)
    expect(checkChunks([view.subarray(0, 7), view.subarray(7)])).toEqual({
      valid: true,
      firstTimePeriodId: '2026_Q1'
    })
  })
})

describe('JsonStreamCheck timePeriods[0].timePeriodId extraction', () => {
  const cases: Array<[name: string, input: string, expected: string | undefined]> = [
    [
      'Clari-shaped payload',
      '{"entries":[],"timePeriods":[{"timePeriodId":"2026_Q1"}]}',
      '2026_Q1'
    ],
    [
      'key order varies',
      '{"timePeriods":[{"label":"Q1","year":2026,"timePeriodId":"2025_Q4","x":{}}],"entries":[1]}',
      '2025_Q4'
    ],
    [
      'only the first element counts',
      '{"timePeriods":[{"label":"no id"},{"timePeriodId":"2026_Q2"}]}',
      undefined
    ],
    ['timePeriods missing', '{"entries":[{"timePeriodId":"2026_Q1"}]}', undefined],
    ['timePeriods not an array', '{"timePeriods":{"timePeriodId":"2026_Q1"}}', undefined],
    ['timePeriods empty', '{"timePeriods":[]}', undefined],
    ['first element not an object', '{"timePeriods":["2026_Q1",{"timePeriodId":"x"}]}', undefined],
    ['first element nested array', '{"timePeriods":[[{"timePeriodId":"2026_Q1"}]]}', undefined],
    ['first element without the key', '{"timePeriods":[{"id":"2026_Q1"}]}', undefined],
    ['timePeriodId not a string', '{"timePeriods":[{"timePeriodId":20261}]}', undefined],
    ['timePeriodId null', '{"timePeriods":[{"timePeriodId":null}]}', undefined],
    [
      'timePeriodId nested deeper inside the first element',
      '{"timePeriods":[{"meta":{"timePeriodId":"2026_Q1"}}]}',
      undefined
    ],
    [
      'timePeriods nested deeper in the document',
      '{"data":{"timePeriods":[{"timePeriodId":"2026_Q1"}]}}',
      undefined
    ],
    [
      'nested timePeriods before the real one',
      '{"x":{"timePeriods":[{"timePeriodId":"wrong"}]},"timePeriods":[{"timePeriodId":"right"}]}',
      'right'
    ],
    ['top-level array', '[{"timePeriods":[{"timePeriodId":"2026_Q1"}]}]', undefined],
    [
      'escapes in the value',
      '{"timePeriods":[{"timePeriodId":"20\\u00326_Q1\\n\\"x\\""}]}',
      '2026_Q1\n"x"'
    ],
    ['non-ASCII value', '{"timePeriods":[{"timePeriodId":"Q1 – 日本"}]}', 'Q1 – 日本'],
    ['escaped keys', '{"time\\u0050eriods":[{"timePeriod\\u0049d":"2026_Q1"}]}', '2026_Q1'],
    ['escaped key that differs', '{"timePeriods":[{"timePeriod\\u0069d":"2026_Q1"}]}', undefined],
    ['similar keys', '{"timePeriods2":[{"timePeriodId":"a"}],"timePeriod":[]}', undefined],
    ['duplicate key: last wins', '{"timePeriods":[{"timePeriodId":"a","timePeriodId":"b"}]}', 'b'],
    [
      'duplicate key: later non-string wins',
      '{"timePeriods":[{"timePeriodId":"a","timePeriodId":1}]}',
      undefined
    ],
    [
      'duplicate timePeriods: last wins',
      '{"timePeriods":[{"timePeriodId":"a"}],"timePeriods":[]}',
      undefined
    ],
    [
      'whitespace everywhere',
      ' { "timePeriods" : [ { "timePeriodId" : "2026_Q1" } ] } ',
      '2026_Q1'
    ],
    [
      'an object inside the first period before its id',
      '{"timePeriods":[{"x":{"a":1},"timePeriodId":"2026_Q1"}]}',
      '2026_Q1'
    ],
    [
      'an empty object inside the first period before its id',
      '{"timePeriods":[{"x":{},"timePeriodId":"2026_Q1"}]}',
      '2026_Q1'
    ],
    [
      'an empty first period, then one with an id',
      '{"timePeriods":[{},{"timePeriodId":"2026_Q2"}]}',
      undefined
    ]
  ]
  it.each(cases)('%s', (_name, input, expected) => {
    expect(referenceTimePeriodId(input)).toBe(expected)
    expect(checkEverySplit(bytes(input))).toStrictEqual(
      expected === undefined ? { valid: true } : { valid: true, firstTimePeriodId: expected }
    )
  })

  it('reports no id for an invalid document', () => {
    expect(checkWhole('{"timePeriods":[{"timePeriodId":"2026_Q1"}]')).toMatchObject({
      valid: false
    })
  })

  it('reports an overlong value as absent rather than truncated', () => {
    const long = 'Q'.repeat(5000)
    expect(checkWhole(`{"timePeriods":[{"timePeriodId":"${long}"}]}`)).toEqual({ valid: true })
    const almost = 'Q'.repeat(4000)
    expect(checkWhole(`{"timePeriods":[{"timePeriodId":"${almost}"}]}`)).toEqual({
      valid: true,
      firstTimePeriodId: almost
    })
  })

  it('never matches an overlong key', () => {
    const padded = `{"${'x'.repeat(5000)}timePeriods":[{"timePeriodId":"a"}]}`
    expect(checkWhole(padded)).toEqual({ valid: true })
  })
})

function randomDocument(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const keys = ['timePeriods', 'timePeriodId', 'time\\u0050eriods', 'a', '', 'é', 'k\\n', 'x y']
  const strings = ['', '2026_Q1', 'a\\"b', '\\u00e9', '\\ud83d\\ude00', 'tab\\tx', '日本', '\\/']
  const numbers = ['0', '-0', '12', '-3.25', '1e9', '2.5E-3', '1E+2', '123456789.125']
  const ws = ['', '', '', ' ', '\n', '\t', '\r\n  ']
  const value = (depth: number): string => {
    const r = random()
    if (depth < 5 && r < 0.25) {
      const items = Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1))
      return `[${items.map(v => pick(ws) + v + pick(ws)).join(',')}]`
    }
    if (depth < 5 && r < 0.5) {
      const members = Array.from(
        { length: Math.floor(random() * 4) },
        () => `${pick(ws)}"${pick(keys)}"${pick(ws)}:${pick(ws)}${value(depth + 1)}${pick(ws)}`
      )
      return `{${members.join(',')}}`
    }
    if (r < 0.7) return `"${pick(strings)}"`
    if (r < 0.9) return pick(numbers)
    return pick(['true', 'false', 'null'])
  }
  return pick(ws) + value(0) + pick(ws)
}

/** Damages a document with a byte-level edit that usually, but not always, breaks it. */
function mutate(doc: Uint8Array, random: () => number): Uint8Array {
  const alphabet = Buffer.from('{}[]":,\\ 0123456789.eE+-tfnulrasx\n\t')
  const at = Math.floor(random() * (doc.length + 1))
  const byte = alphabet[Math.floor(random() * alphabet.length)]!
  const head = doc.subarray(0, at)
  const kind = random()
  if (kind < 0.33) return Buffer.concat([head, Buffer.from([byte]), doc.subarray(at)])
  if (kind < 0.66) return Buffer.concat([head, doc.subarray(at + 1)])
  return Buffer.concat([head, Buffer.from([byte]), doc.subarray(at + 1)])
}

function buildCorpus(): Uint8Array[] {
  const random = mulberry32(20260401)
  const corpus: Uint8Array[] = [
    '{"entries":[{"userId":"1:x","forecastValue":-1.5e3,"isUpdated":true,"updatedBy":null}],' +
      '"users":[],"fields":[{"fieldId":"fc"}],"timePeriods":[{"timePeriodId":"2026_Q1",' +
      '"startDate":"2026-02-01"}],"timeFrames":[{"timeFrameId":"TF:2026-02-07"}]}',
    '{"time\\u0050eriods":[{"timePeriod\\u0049d":"\\u00e9\\ud83d\\ude00 日本"}]}',
    '[1.5E-3, -0, true, false, null, "\\"\\\\\\/\\b\\f\\n\\r\\t"]',
    '"é😀"',
    '\ufeff{"timePeriods":[]}',
    '{"a":[1,]}',
    '{"a":"b\u0001"}',
    '[tru]',
    '-01.5'
  ].map(bytes)
  for (let n = 0; n < 150; n++) {
    const doc = bytes(randomDocument(random))
    corpus.push(doc, mutate(doc, random))
  }
  return corpus
}

describe('JsonStreamCheck against JSON.parse and across chunk boundaries', () => {
  const corpus = buildCorpus()

  it('generates a corpus with both valid and invalid documents', () => {
    const validCount = corpus.filter(isValidForJsonParse).length
    expect(validCount).toBeGreaterThan(100)
    expect(corpus.length - validCount).toBeGreaterThan(30)
  })

  it('agrees with JSON.parse on validity and on the extracted id', () => {
    for (const doc of corpus) {
      const text = Buffer.from(doc).toString('utf8')
      const result = checkWhole(doc)
      // JSON.parse does not skip a byte order mark; the checker deliberately does.
      const hasBom = text.startsWith('\ufeff')
      const parseable = isValidForJsonParse(hasBom ? doc.subarray(3) : doc)
      expect({ text, valid: result.valid }).toEqual({ text, valid: parseable })
      if (result.valid) {
        expect(result.firstTimePeriodId).toBe(referenceTimePeriodId(hasBom ? text.slice(1) : text))
      }
    }
  })

  it('gives the one-chunk result for every two-chunk split and for 1-byte chunks', () => {
    for (const doc of corpus) {
      const whole = checkWhole(doc)
      const text = Buffer.from(doc).toString('utf8')
      for (let at = 0; at <= doc.length; at++) {
        expect(checkSplitAt(doc, at), `${JSON.stringify(text)} split at ${at}`).toEqual(whole)
      }
      expect(checkByteByByte(doc), `${JSON.stringify(text)} byte by byte`).toEqual(whole)
    }
  })

  it('handles every split of long strings, escapes and multi-byte characters', () => {
    const doc = bytes(
      `{"timePeriods":[{"timePeriodId":"${'0123456789'.repeat(5)}\\u00e9\\\\\\"é😀${'z'.repeat(37)}"}],` +
        `"n":[123456789.123456789e-12,${'7'.repeat(40)}],"s":"${'a'.repeat(70)}\\t"}`
    )
    const whole = checkWhole(doc)
    expect(whole).toMatchObject({ valid: true })
    for (let at = 0; at <= doc.length; at++) expect(checkSplitAt(doc, at)).toEqual(whole)
    expect(checkByteByByte(doc)).toEqual(whole)
  })
})

function tapChunks(
  chunks: Uint8Array[],
  lists: string[],
  spanDepth = 0
): { result: JsonCheckResult; calls: string[] } {
  const tap = new RecordingTap(lists, spanDepth)
  return { result: checkChunks(chunks, tap), calls: tap.calls }
}

describe('JsonStreamCheck tap: the tokens of chosen top-level values', () => {
  const doc =
    '{"a":1,"entries":[{"k":"v\\"\\u00e9","n":-0.5e3,"t":true,"z":{"y":[]}},[],null,"日本"],' +
    '"b":{"entries":2},"users":null,"entries2":[3]}'

  it('reports every token of the selected values as sent, and nothing else', () => {
    expect(tapChunks([bytes(doc)], ['entries', 'users']).calls).toEqual([
      'select entries',
      '[',
      '{',
      'key "k"',
      'value "v\\"\\u00e9" +\\u',
      'key "n"',
      'value -0.5e3',
      'key "t"',
      'value true',
      'key "z"',
      '{',
      'key "y"',
      '[',
      'close',
      'close',
      'close',
      '[',
      'close',
      'value null',
      'value "日本" +non-ascii',
      'close',
      'end',
      'select users',
      'value null',
      'end'
    ])
  })

  it('reports the same tokens for every two-chunk split and for 1-byte chunks', () => {
    const whole = bytes(doc)
    const expected = tapChunks([whole], ['entries', 'users'])
    for (let at = 0; at <= whole.length; at++) {
      expect(tapChunks([whole.subarray(0, at), whole.subarray(at)], ['entries', 'users'])).toEqual(
        expected
      )
    }
    expect(
      tapChunks(
        Array.from(whole, (_, i) => whole.subarray(i, i + 1)),
        ['entries', 'users']
      )
    ).toEqual(expected)
  })

  it('gives a container its text as sent, whitespace included, one container at a time', () => {
    const spaced = '{ "entries" : [ {"a" : [1, 2]} ,\n{ } ] }'
    const input = bytes(spaced)
    const expected = [
      'select entries',
      '[',
      '{',
      'key "a"',
      '[',
      'value 1',
      'value 2',
      'close',
      'close {"a" : [1, 2]}',
      '{',
      'close { }',
      'close',
      'end'
    ]
    expect(tapChunks([input], ['entries'], 2).calls).toEqual(expected)
    for (let at = 0; at <= input.length; at++) {
      expect(tapChunks([input.subarray(0, at), input.subarray(at)], ['entries'], 2).calls).toEqual(
        expected
      )
    }
  })

  it('changes neither validity nor the extracted period', () => {
    for (const doc of buildCorpus()) {
      expect(tapChunks([doc], ['timePeriods', 'entries']).result).toEqual(checkWhole(doc))
    }
  })

  it('flags string tokens with bytes beyond ASCII or \\u escapes, in keys and values, across chunks', () => {
    // A raw 0xFF (never UTF-8) passes the check: only the grammar is checked, the tap is told.
    const input = Buffer.concat([
      bytes('{"entries":[{"é":"\\ud800x","a":"'),
      Buffer.from([0xff]),
      bytes('","b":"plain","c\\u0041":1}]}')
    ])
    const whole = tapChunks([input], ['entries'])
    expect(whole.result).toEqual({ valid: true })
    expect(whole.calls).toEqual([
      'select entries',
      '[',
      '{',
      'key "é" +non-ascii',
      'value "\\ud800x" +\\u',
      'key "a"',
      'value "\ufffd" +non-ascii',
      'key "b"',
      'value "plain"',
      'key "c\\u0041" +\\u',
      'value 1',
      'close',
      'close',
      'end'
    ])
    for (let at = 0; at <= input.length; at++) {
      expect(tapChunks([input.subarray(0, at), input.subarray(at)], ['entries'])).toEqual(whole)
    }
  })

  it('tells the tap to abandon a value held across chunks beyond MAX_TAPPED_TOKEN; the check goes on', () => {
    // The part held from earlier chunks is what counts; the last chunk is read already.
    const long = Buffer.from(
      `{"entries":[{"a":1},"${'x'.repeat(MAX_TAPPED_TOKEN + 2 * 1024 * 1024)}",{"b":2}],"users":[{"c":3}]}`
    )
    const chunks: Uint8Array[] = []
    for (let at = 0; at < long.length; at += 1024 * 1024)
      chunks.push(long.subarray(at, at + 1024 * 1024))
    const tapped = tapChunks(chunks, ['entries', 'users'])
    expect(tapped.result).toEqual({ valid: true })
    expect(tapped.calls).toEqual([
      'select entries',
      '[',
      '{',
      'key "a"',
      'value 1',
      'close',
      `abandon: a value longer than ${MAX_TAPPED_TOKEN} bytes`,
      'select users',
      '[',
      '{',
      'key "c"',
      'value 3',
      'close',
      'close',
      'end'
    ])
    // An element whose text the tap asked for counts the same way.
    const big = Buffer.from(
      `{"entries":[{"a":1,"b":"${'y'.repeat(MAX_TAPPED_TOKEN - 1024)}","c":"${'z'.repeat(2 * 1024 * 1024)}"}]}`
    )
    const parts: Uint8Array[] = []
    for (let at = 0; at < big.length; at += 1024 * 1024)
      parts.push(big.subarray(at, at + 1024 * 1024))
    const spanned = tapChunks(parts, ['entries'], 2)
    expect(spanned.result).toEqual({ valid: true })
    expect(spanned.calls.at(-1)).toBe(`abandon: a value longer than ${MAX_TAPPED_TOKEN} bytes`)
  })
})
