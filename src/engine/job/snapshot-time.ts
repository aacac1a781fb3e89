import type { ExportJob } from '../../clari/types.js'

// A Date header is cut to the second and stamped before the answer travelled: the server's clock
// may be this much further ahead than the offset measured from it.
const CLOCK_SLACK_MS = 2_000

export interface SnapshotClues {
  /** Our wall clock (epoch ms) when the job was seen DONE. */
  seenDoneAt: number
  /** Our wall clock before the create was sent (unknown for an earlier attempt's job). */
  createdAfter?: number
  /** The least the server's clock is ahead of ours (ClariClient.serverClockAheadMs). */
  serverAheadMs?: number
}

/**
 * When the snapshot was taken, ISO-8601 UTC. Clari's own `endTime` is the moment the data was
 * cut, free of our polling delay, so it is used when it is believable: measured against Clari's
 * clock (we need a `Date` header for that), after the create (or the job's own startTime), and
 * not after the moment we saw the job DONE. Anything else, or no endTime, gives the moment the
 * action saw the job DONE.
 */
export function snapshotTime(job: ExportJob, clues: SnapshotClues): string {
  const seen = new Date(clues.seenDoneAt).toISOString()
  const { endTime, startTime } = job
  const ahead = clues.serverAheadMs
  if (typeof endTime !== 'number' || !Number.isSafeInteger(endTime) || ahead === undefined) {
    return seen
  }
  const notBefore =
    clues.createdAfter !== undefined ? clues.createdAfter + ahead : (startTime ?? Infinity)
  const notAfter = clues.seenDoneAt + ahead + CLOCK_SLACK_MS
  if (endTime < notBefore || endTime > notAfter) return seen
  return new Date(endTime).toISOString()
}
