import { cleanServerText } from '../../clari/untrusted-text.js'
import type { ExportConfig } from '../config.js'
import type { DurationObservation } from '../durations.js'
import type { EventSink } from '../events.js'
import { takeOverPayload } from './earlier-files.js'
import type { Ledger, LedgerTakeOver } from './ledger.js'
import { manifestDurations } from './earlier-manifest.js'
import type { EarlierRun, ResumeSource } from './earlier-run.js'
import { planResume, type ReusedFields } from './resume.js'
import { formatDuration } from '../units.js'

/** A payload taken over: checked like a download, in the output folder under its name. */
export interface ReusedPayload {
  index: number
  period: string
  fields: ReusedFields & { file: string; bytes: number; sha256: string }
}

/** What a run takes over from an earlier one, or why nothing. */
export interface Resumed {
  /** What it came from, for the log: the artifact, the manifest's path, or where it was sought. */
  source: string
  /** Set when nothing is taken over: why (one clean line). */
  unusable?: string
  /** The attempt the earlier manifest records. */
  attempt?: number
  /** In input order. */
  reused: ReusedPayload[]
  /** Jobs of the earlier run to ask Clari about again, by period. */
  repoll: Map<string, string>
  /**
   * What a re-polled DONE job's download must hash to, by period (a ledger's record): a download
   * that does not is not taken, and the period is exported anew.
   */
  expected?: Map<string, string>
  /** Where a job of another run came from (`reuse-within`), by period: "run 123, 1 h old". */
  fromRun?: Map<string, string>
  /** How long the earlier run's jobs took, from its checked manifest (for the duration model). */
  durations: DurationObservation[]
}

/**
 * The whole of a resume, in one boundary: find what the earlier run left, plan each period from
 * its checked manifest, and take its payloads over. A payload that fails a check is exported
 * anew with a notice that says why; anything else that goes wrong only means "not resuming":
 * this never throws, and the run then exports every period as if there had been no earlier run.
 */
export async function resumeEarlier(
  from: ResumeSource,
  run: {
    config: ExportConfig
    signal: AbortSignal
    onEvent: EventSink
    describe(error: unknown): string
  }
): Promise<Resumed> {
  const { config, signal, onEvent } = run
  let source = from.label
  const nothing = (why: string): Resumed => ({
    source,
    unusable: why,
    reused: [],
    repoll: new Map(),
    durations
  })
  let earlier: EarlierRun | undefined
  // Learned from a manifest read whole, even one whose plan takes nothing over.
  let durations: DurationObservation[] = []
  try {
    const found = await from.find(config, signal)
    if ('reason' in found) return nothing(found.reason)
    earlier = found
    source = cleanServerText(found.source, 200)
    durations = manifestDurations(found.manifest)
    const plan = planResume(found.manifest, config)
    if (!plan.usable) return nothing(plan.reason)
    const resumed: Resumed = {
      source,
      attempt: plan.attempt,
      reused: [],
      repoll: new Map(),
      durations
    }
    for (const [index, period] of config.periods.entries()) {
      const resume = plan.periods.get(period)
      if (resume?.kind === 're-poll') resumed.repoll.set(period, resume.jobId)
      if (resume?.kind !== 'reuse') continue
      const taken = signal.aborted
        ? undefined
        : await takeOverPayload(found, config, period, resume, signal).catch((error: unknown) => {
            if (signal.aborted) return undefined
            throw error
          })
      if (taken === undefined) {
        // Cancelled before it was taken over: its DONE job stays recorded for the next attempt.
        if (resume.entry.jobId) resumed.repoll.set(period, resume.entry.jobId)
        continue
      }
      if ('problem' in taken) {
        onEvent({
          type: 'notice',
          period,
          message: `not reused: ${cleanServerText(taken.problem)}; exporting it anew`
        })
        continue
      }
      resumed.reused.push({
        index,
        period,
        fields: { ...resume.entry, file: resume.file, ...taken }
      })
    }
    return resumed
  } catch (error) {
    return nothing(run.describe(error))
  } finally {
    await earlier?.dispose()
  }
}

/**
 * What a run takes over from a checked ledger (the Actions cache's record of a run's Clari jobs,
 * used where no earlier artifact is): no payload, only jobs to ask Clari about again by their
 * ids. A DONE job's results are downloaded again (no create), through the checks of any download
 * and against the ledger's sha256; an unfinished one is polled; each only once Clari's answer
 * proves it this export's (the rule every re-polled job passes).
 */
export function resumeFromLedger(
  ledger: Ledger,
  takeOvers: ReadonlyMap<string, LedgerTakeOver>,
  source: string
): Resumed {
  const repoll = new Map<string, string>()
  const expected = new Map<string, string>()
  const fromRun = new Map<string, string>()
  for (const [period, takeOver] of takeOvers) {
    repoll.set(period, takeOver.jobId)
    if (takeOver.kind !== 'download') continue
    expected.set(period, takeOver.sha256)
    // Set only for another run's job (`reuse-within`): the summary names the run and the age.
    if (takeOver.ageMs !== undefined) {
      fromRun.set(
        period,
        `run ${ledger.runId ?? 'unknown'}, its snapshot ${formatDuration(takeOver.ageMs)} old`
      )
    }
  }
  return {
    source,
    attempt: ledger.runAttempt,
    reused: [],
    repoll,
    expected,
    ...(fromRun.size > 0 ? { fromRun } : {}),
    durations: []
  }
}
