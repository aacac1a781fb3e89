import { describe, expect, it } from 'vitest'
import type { SettingName } from '../../src/settings/definitions.js'
import { InputError } from '../../src/settings/input-error.js'
import { parseSettings, type RunSettings } from '../../src/settings/parse-settings.js'

/**
 * Inputs at the edges of what each input accepts: the last value in, the first value out, and
 * text around a valid value (a pattern must match the whole input, not a part of it).
 */

type Inputs = Partial<Record<SettingName, string>>

const REQUIRED: Inputs = { 'api-key': 'ck_test_123', 'forecast-id': 'net_arr', periods: '2026_Q1' }

function parse(inputs: Inputs, runId?: string): RunSettings {
  const all: Inputs = { ...REQUIRED, ...inputs }
  return parseSettings(name => all[name] ?? '', {
    workspace: '/ws',
    now: new Date('2026-05-15T12:00:00Z'),
    runAttempt: 2,
    runId
  })
}

function refusal(inputs: Inputs): InputError {
  try {
    parse(inputs)
  } catch (error) {
    if (error instanceof InputError) return error
    throw error
  }
  throw new Error(`accepted ${JSON.stringify(inputs)}`)
}

describe('parseSettings at the edges', () => {
  it.each(['XUSD', 'USDX'])('refuses the currency %s: a code is three letters, no more', value => {
    expect(refusal({ currency: value })).toMatchObject({ input: 'currency' })
  })

  it('reads a number of seconds with more than one decimal', () => {
    expect(parse({ 'request-timeout': '1.25' }).config.clari.requestTimeoutMs).toBe(1_250)
  })

  it.each([
    ['http://127.0.0.10:9/v4', 'http://127.0.0.10:9/v4'],
    ['http://127.255.255.254/v4', 'http://127.255.255.254/v4']
  ])('accepts the loopback api-url %s over http', (value, apiUrl) => {
    expect(parse({ 'api-url': value }).config.clari.apiUrl).toBe(apiUrl)
  })

  it.each([
    'http://127.0.0.1.example.com/v4',
    'http://notlocalhost/v4',
    'http://my.localhost.example/v4'
  ])('refuses %s over http: a host that only contains a loopback name is none', value => {
    expect(refusal({ 'api-url': value })).toMatchObject({ input: 'api-url', problem: 'uses http' })
  })

  it.each(['https://user@api.clari.com/v4', 'https://:secret@api.clari.com/v4'])(
    'refuses the api-url %s, which holds credentials',
    value => {
      expect(refusal({ 'api-url': value })).toMatchObject({
        input: 'api-url',
        problem: 'holds credentials, a query or a fragment'
      })
    }
  )

  it('drops every trailing slash of the api-url', () => {
    expect(parse({ 'api-url': 'https://eu.api.clari.com/v4///' }).config.clari.apiUrl).toBe(
      'https://eu.api.clari.com/v4'
    )
  })

  it.each([
    ['1.5KiB', 1_536],
    ['1.25 KiB', 1_280],
    ['1024', 1_024],
    ['1024B', 1_024]
  ])('reads the max-payload-size %s as %i bytes', (value, bytes) => {
    expect(parse({ 'max-payload-size': value }).config.maxPayloadBytes).toBe(bytes)
  })

  it.each(['2048.5', '2048.5B', '1023', '1023B'])(
    'refuses the max-payload-size %s: whole bytes, 1 KiB at least',
    value => {
      expect(refusal({ 'max-payload-size': value })).toMatchObject({ input: 'max-payload-size' })
    }
  )

  it.each(['true', 'True', 'TRUE'])('reads %s as true', value => {
    expect(parse({ 'allow-truncated': value }).config.allowTruncated).toBe(true)
  })

  it('accepts a scope-id of 200 characters', () => {
    const scopeId = 'x'.repeat(200)
    expect(parse({ 'scope-id': scopeId }).config.request.scopeId).toBe(scopeId)
  })

  it("records the workflow run's id and attempt when it has one", () => {
    expect(parse({}, '98765').config.run).toEqual({ id: '98765', attempt: 2 })
    expect(parse({}).config.run).toBeUndefined()
  })

  it('raises errors named InputError', () => {
    expect(refusal({ currency: 'US$' }).name).toBe('InputError')
  })
})
