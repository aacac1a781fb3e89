import { ArtifactNotFoundError, DefaultArtifactClient } from '@actions/artifact'
import * as github from '@actions/github'
import { attemptArtifactName } from '../engine/reruns/earlier-artifacts.js'
import type { UploadSettings } from '../settings/parse-settings.js'

export interface UploadedArtifact {
  id: number
  /** The name it was uploaded under: `UploadSettings.name`, or `attemptArtifactName` of it after a clash. */
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
 * Uploads the run's files as one artifact under `settings.name` (unique to the attempt after the
 * first), mirroring actions/upload-artifact: `overwrite` deletes an artifact of that name first.
 * Without it, a clash on the first attempt (a matrix leg's upload, or the client's own retry of
 * a create whose answer was lost) is not an error: the upload takes `attemptArtifactName` of it.
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
  const clash = (error: unknown, taken: string): unknown =>
    isNameClash(error)
      ? new Error(
          `${error.message}. The run already holds ${taken}: set overwrite: true to replace ${settings.name}, or give artifact-name a name of its own`
        )
      : error
  try {
    return await upload(settings.name)
  } catch (error) {
    // After the first attempt the name is already the attempt's own.
    if (!isNameClash(error) || runAttempt > 1) throw clash(error, settings.name)
  }
  const fallback = attemptArtifactName(settings.name, runAttempt)
  return upload(fallback).catch((error: unknown) => {
    throw clash(error, `both ${settings.name} and ${fallback}`)
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
