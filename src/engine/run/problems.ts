import { failureLine, truncation } from './format.js'
import type { PeriodOutcome } from '../outcome.js'

/**
 * The one rule for which periods make a run fail, shared by the action and the terminal runner
 * for their exit status and messages: every period that did not finish, and every finished but
 * truncated one unless allow-truncated accepts it (incomplete data must not flow on silently).
 * One line per problem period, in input order.
 */
export function periodProblems(
  exports: readonly PeriodOutcome[],
  allowTruncated: boolean
): string[] {
  return exports.flatMap(outcome => {
    if (outcome.status !== 'DONE') return [failureLine(outcome)]
    const truncated = truncation(outcome)
    if (!truncated || allowTruncated) return []
    return [
      `${outcome.period}: DONE but incomplete (job ${outcome.jobId ?? '?'}): ${truncated}; the file ${outcome.file ?? ''} is kept. Set allow-truncated: true to accept truncated exports`
    ]
  })
}
