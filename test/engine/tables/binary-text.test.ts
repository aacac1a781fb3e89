import { describe, expect, it } from 'vitest'
import { csvField, toBinary } from '../../../src/engine/tables/binary-text.js'

describe('csvField (RFC 4180)', () => {
  it.each([
    ['a lone CR, which a reader takes for a line break', 'a\rb', '"a\rb"'],
    ['a lone LF', 'a\nb', '"a\nb"'],
    ['a comma', 'a,b', '"a,b"'],
    ['a quote, doubled', 'say "hi"', '"say ""hi"""'],
    ['an empty string, distinct from a missing value', '', '""']
  ])('quotes %s', (_, value, field) => {
    expect(csvField(toBinary(value))).toBe(toBinary(field))
  })

  it('leaves a plain value as it is', () => {
    expect(csvField(toBinary('Zoë Ångström'))).toBe(toBinary('Zoë Ångström'))
  })
})
