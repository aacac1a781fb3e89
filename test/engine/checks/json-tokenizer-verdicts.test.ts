import { describe, it, expect } from 'vitest'
import type { JsonTap, TokenSource } from '../../../src/engine/checks/json-tap.js'
import { MAX_DEPTH, type JsonCheckResult } from '../../../src/engine/checks/json-tokenizer.js'
import { checkChunks, checkEverySplit } from '../../helpers/json-check.js'
import { RecordingTap } from '../../helpers/recording-tap.js'

const toBytes = (input: string | Uint8Array): Uint8Array =>
  typeof input === 'string' ? Buffer.from(input, 'latin1') : input

/** The verdict for the whole input in one chunk, checked equal for every two-chunk split. */
const verdict = (input: string | Uint8Array): JsonCheckResult => checkEverySplit(toBytes(input))

describe('JsonStreamCheck: why and where a garbled payload is refused', () => {
  // Inputs are latin1, one byte per character, so offsets count bytes.
  const refused: Array<[input: string, reason: string, offset: number]> = [
    ['"a\u0001"', 'control character 0x01 inside a string', 2],
    ['"a\u001f"', 'control character 0x1f inside a string', 2],
    ['\u007f', 'unexpected 0x7f where a value was expected', 0],
    ['~', "unexpected '~' (0x7e) where a value was expected", 0],
    ['\u00ef ', "unexpected ' ' (0x20) inside the UTF-8 byte order mark", 1],
    ['\u00ef\u00bb12', "unexpected '1' (0x31) inside the UTF-8 byte order mark", 2],
    ['1,2', "unexpected ',' (0x2c) after the end of the JSON value", 1],
    ['{} x', "unexpected 'x' (0x78) after the end of the JSON value", 3],
    ['[1\u0001]', "unexpected 0x01 where ',' or ']' was expected", 2],
    ['[1}', "unexpected '}' (0x7d) where ',' or ']' was expected", 2],
    ['{"a":1]', "unexpected ']' (0x5d) where ',' or '}' was expected", 6],
    ['{"a" 1}', "unexpected '1' (0x31) where ':' was expected", 5],
    ['{"a":1,}', "unexpected '}' (0x7d) where an object key was expected", 7],
    ['{1:2}', "unexpected '1' (0x31) where an object key or '}' was expected", 1],
    ['"\\x"', "unexpected 'x' (0x78) after a backslash in a string", 2],
    ['"\\u00g0"', "unexpected 'g' (0x67) inside a \\u escape", 5],
    ['-a', "unexpected 'a' (0x61) where a digit was expected", 1],
    ['1ex', "unexpected 'x' (0x78) in a number exponent", 2],
    ['01', 'number with a leading zero', 1],
    ['-00', 'number with a leading zero', 2],
    ['nulx', "unexpected 'x' (0x78) inside the literal 'null'", 3],
    ['1.5.2', "unexpected '.' (0x2e) after the end of the JSON value", 3],
    ['1e5.2', "unexpected '.' (0x2e) after the end of the JSON value", 3],
    ['1e5e2', "unexpected 'e' (0x65) after the end of the JSON value", 3],
    ['1e+5e2', "unexpected 'e' (0x65) after the end of the JSON value", 4],
    ['1E+5.2', "unexpected '.' (0x2e) after the end of the JSON value", 4],
    // Cut in transit: the reason names what was left open, at the end of the input.
    ['"abc', 'unterminated string at end of input', 4],
    ['"\\', 'unterminated string at end of input', 2],
    ['"\\u00', 'unterminated string at end of input', 5],
    ['-', 'incomplete number at end of input', 1],
    ['1.', 'incomplete number at end of input', 2],
    ['1e', 'incomplete number at end of input', 2],
    ['1e-', 'incomplete number at end of input', 3],
    ['tr', "incomplete literal 'true' at end of input", 2],
    ['{"a":[', 'unterminated array at end of input', 6],
    ['{"a":', 'unterminated object at end of input', 5],
    [' ', 'no JSON value in input', 1]
  ]
  it.each(refused)('refuses %j: %s, at byte %i', (input, reason, offset) => {
    expect(verdict(input)).toStrictEqual({ valid: false, reason, offset })
  })

  it('names the nesting limit when a payload nests deeper than it', () => {
    expect(checkChunks([toBytes('['.repeat(MAX_DEPTH + 1))])).toStrictEqual({
      valid: false,
      reason: `nesting deeper than ${MAX_DEPTH} levels`,
      offset: MAX_DEPTH
    })
  })

  const accepted = ['"\\u00Ff"', '"\\uFFFF"', '1e+05', '[1E-00,2e0]', '\u00ef\u00bb\u00bf[0.5e1]']
  it.each(accepted)('accepts %j, with no period reported', input => {
    expect(verdict(input)).toStrictEqual({ valid: true })
  })
})

describe('JsonStreamCheck: a period id at the capture limit (4096 characters)', () => {
  const payload = (id: string): string => `{"timePeriods":[{"timePeriodId":"${id}"}]}`
  const at = (input: string, ...cuts: number[]): Uint8Array[] => {
    const all = toBytes(input)
    const edges = [0, ...cuts, all.length]
    return edges.slice(1).map((to, k) => all.subarray(edges[k], to))
  }

  it('reads an id of exactly 4096 characters, in one chunk or cut just before its closing quote', () => {
    const id = 'Q'.repeat(4096)
    const input = payload(id)
    const close = input.lastIndexOf('"')
    expect(checkChunks(at(input))).toStrictEqual({ valid: true, firstTimePeriodId: id })
    expect(checkChunks(at(input, close))).toStrictEqual({ valid: true, firstTimePeriodId: id })
    expect(checkChunks(at(input, close - 2000, close))).toStrictEqual({
      valid: true,
      firstTimePeriodId: id
    })
  })

  it('reports an id of 4097 characters as absent, never a part of it, however it is cut', () => {
    const input = payload('Q'.repeat(4097) + 'tail')
    const close = input.lastIndexOf('"')
    expect(checkChunks(at(input))).toStrictEqual({ valid: true })
    expect(checkChunks(at(input, close))).toStrictEqual({ valid: true })
    expect(checkChunks(at(input, close - 10))).toStrictEqual({ valid: true })
    expect(checkChunks(at(input, close - 3000, close - 10))).toStrictEqual({ valid: true })
    // Dropped once too long, it stays dropped: the chunks after it are no id either.
    const longer = payload('Q'.repeat(5000) + 'tail')
    const end = longer.lastIndexOf('"')
    expect(checkChunks(at(longer, end - 100, end - 10))).toStrictEqual({ valid: true })
  })
})

/** Names the keys a tap is given, to see where its value ends. */
class KeyTap implements JsonTap {
  readonly keys: string[] = []
  readonly ends: number[] = []
  select(key: string): boolean {
    return key === 'users'
  }
  open(): boolean {
    return false
  }
  close(): void {}
  key(source: TokenSource, from: number, to: number): void {
    this.keys.push(source.text.slice(from, to))
  }
  value(): void {}
  end(): void {
    this.ends.push(this.keys.length)
  }
  abandon(): void {}
  chunkEnd(): void {}
}

describe('JsonStreamCheck tap: a top-level string or number value ends the tapped value', () => {
  it.each(['"x"', '5', '-0.5e3'])('users: %s, then the keys after it are not the tap’s', value => {
    const input = toBytes(`{"users":${value},"a":{"b":1}}`)
    for (let at = 0; at <= input.length; at++) {
      const tap = new KeyTap()
      expect(checkChunks([input.subarray(0, at), input.subarray(at)], tap)).toStrictEqual({
        valid: true
      })
      expect({ at, keys: tap.keys, ends: tap.ends }).toStrictEqual({ at, keys: [], ends: [0] })
    }
  })
})

/** Asks for the text of every container it sees. */
class GreedyTap extends RecordingTap {
  override open(isArray: boolean): boolean {
    super.open(isArray)
    return true
  }
}

describe('JsonStreamCheck tap: one container text at a time', () => {
  it('gives the outermost asked-for container its text, the ones inside it none', () => {
    const input = toBytes('{"entries":[{"a":[1]},{}],"b":2}')
    for (let at = 0; at <= input.length; at++) {
      const tap = new GreedyTap(['entries'])
      expect(checkChunks([input.subarray(0, at), input.subarray(at)], tap)).toStrictEqual({
        valid: true
      })
      expect({ at, calls: tap.calls }).toStrictEqual({
        at,
        calls: [
          'select entries',
          '[',
          '{',
          'key "a"',
          '[',
          'value 1',
          'close',
          'close',
          '{',
          'close',
          'close [{"a":[1]},{}]',
          'end'
        ]
      })
    }
  })
})
