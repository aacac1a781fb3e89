import { cleanServerText } from '../../clari/untrusted-text.js'
import type { ExportConfig } from '../config.js'
import type { DurationObservation } from '../durations.js'
import type { EventSink } from '../events.js'
import { takeOverPayload } from './earlier-files.js'
import { manifestDurations } from './earlier-manifest.js'
import type { EarlierRun, ResumeSource } from './earlier-run.js'
import { planResume, type ReusedFields } from './resume.js'

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
