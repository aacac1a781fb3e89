import { describe, expect, it } from 'vitest'
import { jobPhase } from '../../src/clari/types.js'

/** Which job statuses end a poll: the loop stops on done or failed and keeps polling otherwise. */
describe('jobPhase: the statuses that end a poll', () => {
  it.each(['DONE', 'COMPLETED'])('%s: done, the results are downloaded', status => {
    expect(jobPhase(status)).toBe('done')
  })

  it.each(['FAILED', 'CANCELLED', 'ABORTED', 'ERROR'])('%s: failed, the period fails', status => {
    expect(jobPhase(status)).toBe('failed')
  })

  it.each([['PENDING'], ['RUNNING'], ['done'], [''], [undefined]])(
    '%s: still running, polled again, as is any other status (in lower case, empty or none)',
    status => {
      expect(jobPhase(status)).toBe('running')
    }
  )
})
