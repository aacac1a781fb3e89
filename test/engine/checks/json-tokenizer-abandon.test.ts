import { describe, it, expect } from 'vitest'
import { MAX_TAPPED_TOKEN } from '../../../src/engine/checks/json-tokenizer.js'
import { checkChunks } from '../../helpers/json-check.js'
import { RecordingTap } from '../../helpers/recording-tap.js'

const MiB = 1024 * 1024

/** Feeds `input` in 1 MiB chunks, also cut at `cuts`. */
function tapIn(
  input: string,
  cuts: number[],
  lists = ['entries', 'users']
): { result: unknown; calls: string[] } {
  const all = Buffer.from(input, 'latin1')
  const edges = new Set([...cuts, all.length])
  for (let at = MiB; at < all.length; at += MiB) edges.add(at)
  const ends = [...edges].sort((a, b) => a - b)
  const chunks = ends.map((to, i) => all.subarray(ends[i - 1] ?? 0, to))
  const tap = new RecordingTap(lists, 2)
  return { result: checkChunks(chunks, tap), calls: tap.calls }
}

const ABANDON = `abandon: a value longer than ${MAX_TAPPED_TOKEN} bytes`
const USERS_TAPPED = [
  ABANDON,
  'select users',
  '[',
  '{',
  'key "c"',
  'value 3',
  'close {"c":3}',
  'close',
  'end'
]

describe('JsonStreamCheck tap: after a value too long to hold, the next list is read whole', () => {
  it('after a too-long string, even with the next key cut across chunks', () => {
    const input = `{"entries":["${'x'.repeat(MAX_TAPPED_TOKEN + 2 * MiB)}"],"users":[{"c":3}]}`
    const tapped = tapIn(input, [input.indexOf('"users"') + 3])
    expect(tapped.result).toStrictEqual({ valid: true })
    expect(tapped.calls).toStrictEqual(['select entries', '[', ...USERS_TAPPED])
  })

  it('after a too-long element whose text was asked for, even with the next key cut', () => {
    const element = `{"a":1,"b":"${'y'.repeat(MAX_TAPPED_TOKEN - 1024)}","c":"${'z'.repeat(2 * MiB)}"}`
    const input = `{"entries":[${element}],"users":[{"c":3}]}`
    const tapped = tapIn(input, [input.indexOf('"users"') + 3])
    expect(tapped.result).toStrictEqual({ valid: true })
    expect(tapped.calls.slice(0, 5)).toStrictEqual([
      'select entries',
      '[',
      '{',
      'key "a"',
      'value 1'
    ])
    expect(tapped.calls.slice(-USERS_TAPPED.length)).toStrictEqual(USERS_TAPPED)
  })

  it(`still reads a string of which exactly ${MAX_TAPPED_TOKEN} bytes were held`, () => {
    const input = `{"entries":["${'x'.repeat(MAX_TAPPED_TOKEN + 10)}"]}`
    const quote = input.indexOf('["') + 1
    const tapped = tapIn(input, [quote + MAX_TAPPED_TOKEN])
    expect(tapped.result).toStrictEqual({ valid: true })
    expect(tapped.calls).toStrictEqual([
      'select entries',
      '[',
      `value "xxxxxxx…${MAX_TAPPED_TOKEN + 12}…xxxxxxx"`,
      'close',
      'end'
    ])
  })

  it(`still gives the text of an element of which exactly ${MAX_TAPPED_TOKEN} bytes were held`, () => {
    const input = `{"entries":[{"a":"${'x'.repeat(MAX_TAPPED_TOKEN)}"}]}`
    const open = input.indexOf('[{') + 1
    const tapped = tapIn(input, [open + MAX_TAPPED_TOKEN])
    expect(tapped.result).toStrictEqual({ valid: true })
    expect(tapped.calls.at(-3)).toBe(`close {"a":"xx…${MAX_TAPPED_TOKEN + 8}…xxxxxx"}`)
    expect(tapped.calls.at(-1)).toBe('end')
  })

  it('reports a period id too long to hold as absent, not its tail, when the tables read the periods', () => {
    // The element's text overflows first (tap abandoned), then the id ends 100 bytes later.
    const head = '{"timePeriods":[{"timePeriodId":"'
    const element = head.indexOf('[{') + 1
    const id = 'Q'.repeat(element + MAX_TAPPED_TOKEN + 100 - head.length)
    const input = `${head}${id}"}]}`
    const tapped = tapIn(input, [element + MAX_TAPPED_TOKEN + 1], ['timePeriods'])
    expect(tapped.result).toStrictEqual({ valid: true })
    expect(tapped.calls.at(-1)).toBe(ABANDON)
  })
})
