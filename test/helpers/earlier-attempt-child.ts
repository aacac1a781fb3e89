/**
 * Runs one findEarlierAttempt in a process of its own, so a test can see how long the process
 * lives on after the answer: nothing the lookup leaves behind may keep it alive.
 * Input: the lookup as JSON in EARLIER_ATTEMPT_LOOKUP (plus the runner's variables).
 * Output on stderr (stdout carries the workflow commands): a line `RESULT <json>`, then, once
 * nothing keeps the event loop alive, `IDLE <ms>`: how long that took after the answer,
 * measured here, so that how soon a busy machine schedules the parent, or tears this process
 * down, does not count.
 */
import { findEarlierAttempt, type EarlierAttemptLookup } from '../../src/action/earlier-attempt.js'

const lookup = JSON.parse(process.env.EARLIER_ATTEMPT_LOOKUP ?? '') as EarlierAttemptLookup
const startedAt = performance.now()
const result = await findEarlierAttempt(lookup)
process.stderr.write(
  `RESULT ${JSON.stringify({ result, elapsedMs: Math.round(performance.now() - startedAt) })}\n`
)
const answeredAt = performance.now()
process.once('beforeExit', () => {
  process.stderr.write(`IDLE ${Math.round(performance.now() - answeredAt)}\n`)
})
