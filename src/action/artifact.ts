import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'
import * as github from '@actions/github'
import type { UploadSettings } from '../settings/parse-settings.js'

export interface UploadedArtifact {
  id: number
  /** `sha256:<hex>` of the zip, as GitHub reports an artifact's digest. */
  digest?: string
  /** Page of the artifact on GitHub; needs the repository context. */
  url?: string
}

/** What became of the upload: shown in the job summary and, on failure, in the step's error. */
export interface ArtifactResult {
  name: string
  uploaded?: UploadedArtifact
  /** Why the upload failed; the files stay in the output folder. */
  error?: string
}

/**
 * Uploads the run's files as one artifact, mirroring actions/upload-artifact: `overwrite`
 * deletes an artifact of the same name first (GitHub rejects duplicate names within a run).
 */
export async function uploadArtifact(
  files: string[],
  rootDirectory: string,
  settings: UploadSettings
): Promise<UploadedArtifact> {
  const client = new DefaultArtifactClient()
  if (settings.overwrite) {
    await client.deleteArtifact(settings.name).catch((error: unknown) => {
      if (!(error instanceof ArtifactNotFoundError)) throw error
    })
  }
  const result = await client
    .uploadArtifact(settings.name, files, rootDirectory, {
      retentionDays: settings.retentionDays,
      compressionLevel: settings.compressionLevel
    })
    .catch((error: unknown) => {
      throw nameClashHint(error, settings)
    })
  if (result.id === undefined)
    throw new Error(`artifact ${settings.name}: the upload returned no id`)
  return {
    id: result.id,
    digest: result.digest ? `sha256:${result.digest}` : undefined,
    url: artifactUrl(result.id)
  }
}

// The toolkit reports a duplicate name only as a 409 in its message; re-runs are the usual cause.
const NAME_CLASH = /\(409\) Conflict/

function nameClashHint(error: unknown, settings: UploadSettings): unknown {
  if (settings.overwrite || !(error instanceof Error) || !NAME_CLASH.test(error.message)) {
    return error
  }
  return new Error(
    `${error.message}. Set overwrite: true to replace it, or put {run-attempt} in artifact-name so that each re-run uploads its own`
  )
}

function artifactUrl(id: number): string | undefined {
  const { serverUrl, runId } = github.context
  const repository = process.env.GITHUB_REPOSITORY
  if (!repository || !runId) return undefined
  return `${serverUrl}/${repository}/actions/runs/${runId}/artifacts/${id}`
}
