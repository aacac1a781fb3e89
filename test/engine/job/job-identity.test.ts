import { describe, expect, it } from 'vitest'
import { exportIdentity } from '../../../src/engine/job/job-identity.js'

// Which job in Clari's answers counts as this period's export: the one rule for adopting a lost
// create's job and for downloading or cancelling a job an earlier attempt named.

const ourFile = 'clari_export_forecast_net_arr_2026_Q1.json'
const want = (owned: string[] = []) => ({
  forecastId: 'net_arr',
  period: '2026_Q1',
  owned: new Set(owned)
})

describe('exportIdentity', () => {
  it.each([undefined, 'FORECAST'])(
    'takes a job of module %s whose file names the period',
    module => {
      expect(exportIdentity({ jobId: 'job-1', module, fileName: ourFile }, want())).toBe('yes')
    }
  )

  it("refuses a job this run already owns for another period, whatever its file's name", () => {
    expect(exportIdentity({ jobId: 'job-1', fileName: ourFile }, want(['job-1']))).toBe('no')
    expect(exportIdentity({ jobId: 'job-2', fileName: ourFile }, want(['job-1']))).toBe('yes')
  })

  it('refuses an export of another module, whatever its file is called', () => {
    expect(exportIdentity({ jobId: 'job-1', module: 'PIPELINE', fileName: ourFile }, want())).toBe(
      'no'
    )
  })
})
