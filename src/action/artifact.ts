import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'
import * as github from '@actions/github'
import { attemptArtifactName } from '../engine/reruns/earlier-artifacts.js'
import type { UploadSettings } from '../settings/parse-settings.js'

export interface UploadedArtifact {
  id: number
  /** The name it was uploaded under: artifact-name, or `attemptArtifactName` of it after a clash. */
  name: string
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
 * Without it, a name the run already holds (an earlier attempt's, after a re-run) is not an
 * error: the upload takes `attemptArtifactName` of it instead.
 */
export async function uploadArtifact(
  files: string[],
  rootDirectory: string,
  settings: UploadSettings,
  runAttempt: number
): Promise<UploadedArtifact> {
  const client = new DefaultArtifactClient()
  const upload = async (name: string): Promise<UploadedArtifact> => {
    const result = await client.uploadArtifact(name, files, rootDirectory, {
      retentionDays: settings.retentionDays,
      compressionLevel: settings.compressionLevel
    })
    if (result.id === undefined) throw new Error(`artifact ${name}: the upload returned no id`)
    return {
      id: result.id,
      name,
      digest: result.digest ? `sha256:${result.digest}` : undefined,
      url: artifactUrl(result.id)
    }
  }

  if (settings.overwrite) {
    await client.deleteArtifact(settings.name).catch((error: unknown) => {
      if (!(error instanceof ArtifactNotFoundError)) throw error
    })
    return upload(settings.name)
  }
  try {
    return await upload(settings.name)
  } catch (error) {
    if (!isNameClash(error)) throw error
  }
  const fallback = attemptArtifactName(settings.name, runAttempt)
  return upload(fallback).catch((error: unknown) => {
    throw isNameClash(error)
      ? new Error(
          `${error.message}. The run already holds both ${settings.name} and ${fallback}: set overwrite: true to replace ${settings.name}, or give artifact-name a name of its own`
        )
      : error
  })
}

// The toolkit reports a duplicate name only as a 409 in its message (no typed error): a re-run
// (names are unique per run, not per attempt), or its own retry of a create whose answer was lost.
const NAME_CLASH = /\(409\) Conflict/

function isNameClash(error: unknown): error is Error {
  return error instanceof Error && NAME_CLASH.test(error.message)
}

function artifactUrl(id: number): string | undefined {
  const { serverUrl, runId } = github.context
  const repository = process.env.GITHUB_REPOSITORY
  if (!repository || !runId) return undefined
  return `${serverUrl}/${repository}/actions/runs/${runId}/artifacts/${id}`
}
