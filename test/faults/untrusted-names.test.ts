import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { payloadFileName } from '../../src/engine/manifest.js'
import { parseSettings, type SettingReader } from '../../src/settings/parse-settings.js'
import { InputError } from '../../src/settings/input-error.js'

const WORKSPACE = '/work/space'

function settings(values: Record<string, string>) {
  const all: Record<string, string> = {
    'api-key': 'k',
    'forecast-id': 'net_arr',
    periods: '2026_Q1',
    ...values
  }
  const read: SettingReader = name => all[name] ?? ''
  return parseSettings(read, { workspace: WORKSPACE, now: new Date('2026-05-01'), runAttempt: 1 })
}

describe('names that reach the file system or a URL come only from validated values', () => {
  it.each(['../x', 'a/b', '..', '.', 'a\\b', '/etc', 'x\ny', '%2e%2e', 'net arr', ''])(
    'rejects forecast-id %j',
    value => {
      expect(() => settings({ 'forecast-id': value })).toThrow(InputError)
      try {
        settings({ 'forecast-id': value })
      } catch (error) {
        expect((error as InputError).input).toBe('forecast-id')
      }
    }
  )

  it.each(['2026_Q1/../../x', '../2026_Q1', '2026_Q5', '2026-Q1'])('rejects period %j', value => {
    expect(() => settings({ periods: value })).toThrow(InputError)
  })

  it('keeps every payload file directly inside output-dir for the IDs it accepts', () => {
    for (const id of ['net_arr', 'a..b', 'x.y-z', 'A'.repeat(128)]) {
      const { config } = settings({ 'forecast-id': id, 'output-dir': 'out' })
      for (const period of config.periods) {
        const file = path.join(config.outputDir, payloadFileName(id, period, 'JSON'))
        expect(path.dirname(file)).toBe(path.join(WORKSPACE, 'out'))
      }
    }
  })

  it.each([
    ['http://api.clari.com/v4', false],
    ['http://127.0.0.1:8080/v4', true],
    ['http://localhost:8080/v4', true],
    ['https://api.clari.com/v4', true],
    ['ftp://api.clari.com/v4', false]
  ])('api-url %s accepted: %s (https, or http on loopback only)', (url, ok) => {
    const parse = () => settings({ 'api-url': url })
    if (ok) expect(parse().config.clari.apiUrl).toBe(url)
    else expect(parse).toThrow(InputError)
  })
})
