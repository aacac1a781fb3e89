import { describe, expect, it } from 'vitest'
import { closestName, editDistance } from '../../src/cli/did-you-mean.js'

const FLAGS = [
  '--periods',
  '--forecast-id',
  '--output-dir',
  '--max-poll-interval',
  '--max-retry-after',
  '--help'
]

describe('did you mean', () => {
  it.each([
    ['--period', '--periods'],
    ['--peroids', '--periods'],
    ['--forecast', '--forecast-id'],
    ['--ouput-dir', '--output-dir'],
    ['--hlep', '--help'],
    // Too far from anything, or as close to two: no guess.
    ['--zzz', undefined],
    ['--max', undefined],
    ['--x', undefined]
  ])('%s → %s', (given, expected) => {
    expect(closestName(given, FLAGS)).toBe(expected)
  })

  it.each([
    ['', 'abc', 3],
    ['period', 'periods', 1],
    ['kitten', 'sitting', 3],
    ['abc', 'abc', 0]
  ])('edit distance of %j and %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance)
  })
})
