import { describe, expect, it } from 'vitest'
import { candidateNames, judgeManifest } from '../../src/action/earlier-attempt.js'

const FORECAST = 'net_arr'

describe('judgeManifest', () => {
  const expected = { forecastId: FORECAST, runAttempt: 3 }
  const ours = { tool: 'clari-forecast-export-action', manifestVersion: 2, forecastId: FORECAST }

  it.each<[string, unknown, object]>([
    ['attempt 2 of 3', { ...ours, runAttempt: 2 }, { attempt: 2 }],
    ['attempt 1 of 3', { ...ours, runAttempt: 1 }, { attempt: 1 }],
    ['null', null, { kind: 'unreadable' }],
    ['an array', [ours], { kind: 'unreadable' }],
    ['no tool', { forecastId: FORECAST, runAttempt: 1 }, { kind: 'not-ours' }],
    ['another tool', { ...ours, tool: 'other', runAttempt: 1 }, { kind: 'not-ours' }],
    [
      'an older manifest version',
      { ...ours, manifestVersion: 1, runAttempt: 1 },
      { kind: 'not-ours' }
    ],
    ['another forecast', { ...ours, forecastId: 'x', runAttempt: 1 }, { kind: 'other-forecast' }],
    [
      'a forecast id that is not text',
      { ...ours, forecastId: 7, runAttempt: 1 },
      { kind: 'other-forecast' }
    ],
    [
      'a forecast id nested too deep to print',
      { ...ours, forecastId: JSON.parse('['.repeat(1e6) + ']'.repeat(1e6)), runAttempt: 1 },
      { kind: 'other-forecast', reason: 'it holds forecast "(unprintable)", not net_arr' }
    ],
    ['this attempt', { ...ours, runAttempt: 3 }, { kind: 'not-ours' }],
    ['a later attempt', { ...ours, runAttempt: 4 }, { kind: 'not-ours' }],
    ['attempt 0', { ...ours, runAttempt: 0 }, { kind: 'not-ours' }],
    ['attempt as text', { ...ours, runAttempt: '2' }, { kind: 'not-ours' }],
    ['a fractional attempt', { ...ours, runAttempt: 1.5 }, { kind: 'not-ours' }],
    ['no attempt', { ...ours }, { kind: 'not-ours' }]
  ])('%s', (_, manifest, verdict) => {
    expect(judgeManifest(manifest, expected)).toMatchObject(verdict)
  })
})

describe('candidateNames', () => {
  it.each<[string, string[], number, string[]]>([
    ['the first attempt has none', [], 1, []],
    [
      'one template name: as is, or suffixed by the attempt that clashed',
      ['x', 'x'],
      3,
      ['x', 'x-attempt-1', 'x-attempt-2']
    ],
    ['{run-attempt} names', ['x-1', 'x-2'], 3, ['x-1', 'x-1-attempt-1', 'x-2', 'x-2-attempt-2']],
    ['only attempts before this one', ['x-1', 'x-2'], 2, ['x-1', 'x-1-attempt-1']]
  ])('%s', (_, artifactNames, runAttempt, names) => {
    expect([...candidateNames({ artifactNames, runAttempt })]).toEqual(names)
  })
})
