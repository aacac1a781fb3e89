import { describe, expect, it } from 'vitest'
import { firstOf, formatBytes, formatDuration, plural } from '../../src/engine/units.js'

describe('formatBytes: sizes as the summary and the messages print them', () => {
  it.each<[number | undefined, string]>([
    [undefined, ''],
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024, '10 KiB'],
    [1024 ** 2 - 1, '1024 KiB'],
    [1024 ** 2, '1.0 MiB'],
    [37 * 1024 ** 2, '37 MiB'],
    [5 * 1024 ** 3, '5.0 GiB'],
    [1024 ** 4, '1.0 TiB'],
    // TiB is the largest unit: a larger size counts on in it.
    [2048 * 1024 ** 4, '2048 TiB']
  ])('%j bytes read "%s"', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text)
  })
})

describe('formatDuration: durations to the second, in the largest units that fit', () => {
  it.each<[number, string]>([
    [0, '0 s'],
    [1_499, '1 s'],
    [1_500, '2 s'],
    [59_000, '59 s'],
    [59_500, '1 min 0 s'],
    [65_000, '1 min 5 s'],
    [3_599_000, '59 min 59 s'],
    [3_600_000, '1 h 0 min'],
    [7_380_000, '2 h 3 min']
  ])('%j ms read "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text)
  })
})

describe('plural: a count and its word', () => {
  it.each<[number, string]>([
    [0, '0 periods'],
    [1, '1 period'],
    [2, '2 periods']
  ])('%j reads "%s"', (n, text) => {
    expect(plural(n, 'period')).toBe(text)
  })
})

describe('firstOf: the first few of a list a message names, and "…" for more', () => {
  it.each<[string[], string]>([
    [[], ''],
    [['a'], 'a'],
    [['a', 'b', 'c'], 'a, b, c'],
    [['a', 'b', 'c', 'd'], 'a, b, c, …']
  ])('%j, three shown, reads "%s"', (items, text) => {
    expect(firstOf(items, 3)).toBe(text)
  })
})
