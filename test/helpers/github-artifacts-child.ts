/**
 * Runs one findEarlierAttempt in a process of its own, so a test can see how long the process
 * lives on after the answer: nothing the lookup leaves behind may keep it alive.
 * Input: the lookup as JSON in EARLIER_ATTEMPT_LOOKUP (plus the runner's variables).
 * Output: one line `RESULT <json>` on stderr (stdout carries the workflow commands).
 */
import { findEarlierAttempt, type EarlierAttemptLookup } from '../../src/action/earlier-attempt.js'

const lookup = JSON.parse(process.env.EARLIER_ATTEMPT_LOOKUP ?? '') as EarlierAttemptLookup
const startedAt = performance.now()
const result = await findEarlierAttempt(lookup)
process.stderr.write(
  `RESULT ${JSON.stringify({ result, elapsedMs: Math.round(performance.now() - startedAt) })}\n`
)
