import { afterEach, describe, expect, it } from 'vitest'
import type { ExportEvent } from '../../../src/engine/events.js'
import { startHarness, type Harness } from '../../helpers/engine-harness.js'

// A period's job holds one of Clari's slots from its create until Clari reports it ended, and
// only then: a DONE job is never cancelled, whatever happens to its download.

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

function flights(events: ExportEvent[]): string[] {
  return events.flatMap(e => (e.type === 'jobs-in-flight' ? [`${e.change} ${e.jobId}`] : []))
}

describe('a job in flight', () => {
  it('a DONE job whose download is refused is not cancelled, and ends in flight once', async () => {
    h = await startHarness({
      faults: [{ endpoint: 'results', fault: { kind: 'http', status: 403 } }]
    })
    const { report, events } = await h.run(h.config())

    expect(report.manifest.exports[0]!.status).toBe('ERROR')
    expect(h.sim.requests.filter(r => r.endpoint === 'cancel')).toEqual([])
    const jobId = h.sim.jobs[0]!.jobId
    expect(flights(events)).toEqual([`started ${jobId}`, `ended ${jobId}`])
  })

  it('a period whose create is refused never had a job in flight', async () => {
    h = await startHarness({
      faults: [{ endpoint: 'create', fault: { kind: 'http', status: 403 } }]
    })
    const { report, events } = await h.run(h.config())

    expect(report.manifest.exports[0]!.status).toBe('ERROR')
    expect(flights(events)).toEqual([])
  })
})
