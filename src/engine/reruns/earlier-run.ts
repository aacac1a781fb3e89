import type { ExportConfig } from '../config.js'
import type { EarlierManifest } from './earlier-manifest.js'

/**
 * What an earlier run left, found and checked: its manifest, read into the checked shape, and a
 * folder holding the payload files it names (only those).
 */
export interface EarlierRun {
  manifest: EarlierManifest
  /** The folder the payloads are in; a name the manifest lists may still be missing. */
  dir: string
  /** Payload files left out of `dir` on purpose, and why (e.g. larger than max-payload-size). */
  leftOut: ReadonlyMap<string, string>
  /** For the log: "artifact clari-forecast-net_arr of attempt 1", or the manifest's path. */
  source: string
  /** Removes what finding it downloaded (nothing, for a folder the user owns). */
  dispose(): Promise<void>
}

export type NoEarlierRunKind =
  'missing' | 'expired' | 'unreadable' | 'not-ours' | 'other-forecast' | 'lookup-failed'

/** Why there is nothing to resume from. */
export interface NoEarlierRun {
  kind: NoEarlierRunKind
  /** One clean line for the notice, e.g. `missing: no artifact named … on this run`. */
  reason: string
}

/**
 * Where a run looks for what an earlier one finished: an earlier attempt's artifact
 * (`earlierAttemptSource`, over the `EarlierArtifacts` ports the action implements), or the
 * manifest already in output-dir (`folderSource`, clari-export --resume). `runExport` asks it
 * inside the resume's boundary: whatever it throws only means "not resuming".
 */
export interface ResumeSource {
  /** For the notice when nothing is found: "an earlier attempt", "output-dir's manifest.json". */
  label: string
  find(config: ExportConfig, signal: AbortSignal): Promise<EarlierRun | NoEarlierRun>
}
