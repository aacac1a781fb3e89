import { describe, expect, it } from 'vitest'
import {
  cleanServerText,
  MAX_DEPTH,
  SECRET_FRAGMENT_CHARS,
  withoutControls,
  withoutSecret
} from '../../src/clari/untrusted-text.js'

const KEY = 'ck_live_7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e'

/** Every run of SECRET_FRAGMENT_CHARS characters of the key. */
function fragments(key: string): string[] {
  return Array.from({ length: key.length - SECRET_FRAGMENT_CHARS + 1 }, (_, i) =>
    key.slice(i, i + SECRET_FRAGMENT_CHARS)
  )
}

/** What JSON.parse makes of a manifest field a hostile artifact nests a million levels deep. */
function deeplyNested(depth: number): unknown {
  return JSON.parse('['.repeat(depth) + ']'.repeat(depth))
}

function expectNoFragment(text: string): void {
  for (const fragment of fragments(KEY)) expect(text).not.toContain(fragment)
}

describe('withoutSecret', () => {
  it.each([
    ['the whole key in a value', { message: `bad key ${KEY}` }, { message: 'bad key ***' }],
    [
      'the key as an object key',
      { job: { status: { [KEY]: 1 } } },
      { job: { status: { '***': 1 } } }
    ],
    ['a leading part of the key', { message: KEY.slice(0, 20) }, { message: '***' }],
    ['a middle part of the key', { m: `x${KEY.slice(9, 30)}y` }, { m: 'x***y' }],
    ['a trailing part in a key', { [`k=${KEY.slice(-12)}`]: true }, { 'k=***': true }],
    ['a text that is exactly one fragment', { m: KEY.slice(10, 18) }, { m: '***' }],
    ['two parts apart', [`${KEY.slice(0, 9)}-${KEY.slice(20, 29)}`], ['***-***']],
    ['strings in nested arrays', [[['a', KEY]]], [[['a', '***']]]],
    [
      'a fragment shorter than the threshold',
      { m: KEY.slice(10, 10 + SECRET_FRAGMENT_CHARS - 1) },
      { m: KEY.slice(10, 10 + SECRET_FRAGMENT_CHARS - 1) }
    ],
    ['numbers, booleans and null', { a: 1, b: true, c: null }, { a: 1, b: true, c: null }]
  ])('masks %s', (_name, input, expected) => {
    expect(withoutSecret(input, KEY)).toEqual(expected)
    expectNoFragment(JSON.stringify(withoutSecret(input, KEY)))
  })

  it('leaves every text as it is when there is no key', () => {
    expect(withoutSecret({ a: 'abc', b: ['x'] }, '')).toEqual({ a: 'abc', b: ['x'] })
  })

  it('masks a short key only whole', () => {
    expect(withoutSecret({ m: 'a sim-key and sim-ke' }, 'sim-key')).toEqual({
      m: 'a *** and sim-ke'
    })
  })

  it('leaves its input untouched', () => {
    const input = { [KEY]: [KEY] }
    withoutSecret(input, KEY)
    expect(input).toEqual({ [KEY]: [KEY] })
  })

  it('replaces what is nested deeper than the limit instead of exhausting the stack', () => {
    const depth = 30_000
    const nested = JSON.parse(`{"message":${'['.repeat(depth)}"${KEY}"${']'.repeat(depth)}}`)
    const masked = withoutSecret(nested, KEY) as { message: unknown }
    let level = 1
    let node = masked.message
    while (Array.isArray(node)) {
      node = node[0]
      level++
    }
    expect(level).toBe(MAX_DEPTH)
    expect(node).toBe('(nested too deep)')
    expect(() => cleanServerText(masked)).not.toThrow()
  })
})

describe('cleanServerText', () => {
  it.each([
    ['a workflow command', '::set-output name=x::1', ': :set-output name=x: :1'],
    ['a run of colons', 'a:::b', 'a: : :b'],
    ['line breaks and escapes', 'a\r\n::error::x\u001b[31m', 'a : :error: :x [31m'],
    ['bidi overrides', 'a\u202eb', 'a b'],
    ['an object', { code: 'x' }, '{"code":"x"}'],
    ['nothing', undefined, ''],
    ['a BigInt', 10n, '(unprintable)'],
    ['a structure nested too deep to stringify', deeplyNested(1_000_000), '(unprintable)']
  ])('cleans %s', (_name, input, expected) => {
    expect(cleanServerText(input)).toBe(expected)
  })

  it.each([
    ['inside a mask', `${'a'.repeat(8)}***${'b'.repeat(8)}`, 10, 'aaaaaaaa…'],
    ['just after a mask', `${'a'.repeat(8)}***${'b'.repeat(8)}`, 11, 'aaaaaaaa***…'],
    ['inside a surrogate pair', `${'a'.repeat(4)}😀x`, 5, 'aaaa…'],
    // The first and last high surrogates: U+10000 and U+10FC00.
    ['inside the lowest surrogate pair', `${'a'.repeat(4)}\u{10000}x`, 5, 'aaaa…'],
    ['inside the highest surrogate pair', `${'a'.repeat(4)}\u{10fc00}x`, 5, 'aaaa…'],
    ['after a whole surrogate pair', '😀😀x', 4, '😀😀…'],
    ['before a character above the surrogates', '！'.repeat(6), 5, '！！！！！…']
  ])('never cuts %s', (_name, input, max, expected) => {
    expect(cleanServerText(input, max)).toBe(expected)
  })

  it('keeps a text of exactly the limit whole, and cuts one character more', () => {
    expect(cleanServerText('a'.repeat(300))).toBe('a'.repeat(300))
    expect(cleanServerText('a'.repeat(301))).toBe(`${'a'.repeat(300)}…`)
  })

  it('names a value JSON cannot write instead of throwing', () => {
    expect(cleanServerText(Symbol('s'))).toBe('Symbol(s)')
  })

  it('never shows part of a key that was an object key, however it is cut', () => {
    const body = withoutSecret({ job: { status: { [KEY]: 1, other: KEY.repeat(3) } } }, KEY)
    for (let max = 1; max < 120; max++) expectNoFragment(cleanServerText(body, max))
  })
})

describe('withoutControls', () => {
  it.each([
    ['a terminal colour', 'HTTP 429 \x1b[31mslow down\x1b[0m', 'HTTP 429  [31mslow down [0m'],
    ['a line rewrite', 'done\rFAILED', 'done FAILED'],
    ['a CRLF run, as one space', 'line one\r\nline two', 'line one line two'],
    ['a C1 control (CSI)', 'a\u009b2Jb', 'a 2Jb'],
    ['DEL and TAB', 'a\u007fb\tc', 'a b c'],
    ['bidi overrides', 'job \u202eexe.txt\u202c', 'job  exe.txt '],
    ['bidi isolates', '\u2066abc\u2069', ' abc ']
  ])('replaces %s', (_, text, shown) => {
    expect(withoutControls(text)).toBe(shown)
  })

  it('keeps printable text, accents and emoji as they are', () => {
    const text = 'Forecast Q3 — €1.2M, naïve ✅'
    expect(withoutControls(text)).toBe(text)
  })
})
