import { describe, expect, it } from 'vitest'
import { withoutControls } from '../../src/clari/untrusted-text.js'

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
