import type * as Artifact from '@actions/artifact'
import { currentRun } from './state.js'

/** The calls of the artifact client the action makes; any other is not there to call. */
type Client = Pick<Artifact.ArtifactClient, 'uploadArtifact' | 'deleteArtifact'>

export type ArtifactFake = Omit<typeof Artifact, 'DefaultArtifactClient'> & {
  DefaultArtifactClient: new () => Client
}

/**
 * `@actions/artifact` with its client recording every call and answering as the test says
 * (ArtifactAnswers); a call the test does not answer goes to the real client. Everything else,
 * the error classes included, is the real module's.
 */
export function fakeArtifact(actual: typeof Artifact): ArtifactFake {
  class DefaultArtifactClient implements Client {
    private readonly real = new actual.DefaultArtifactClient()

    uploadArtifact(
      name: string,
      files: string[],
      rootDirectory: string,
      options?: Artifact.UploadArtifactOptions
    ): Promise<Artifact.UploadArtifactResponse> {
      const run = currentRun()
      const call = { name, files, rootDirectory, options }
      run.uploads.push(call)
      return run.artifact.upload
        ? run.artifact.upload(call)
        : this.real.uploadArtifact(name, files, rootDirectory, options)
    }

    deleteArtifact(
      name: string,
      options?: Artifact.FindOptions
    ): Promise<Artifact.DeleteArtifactResponse> {
      const run = currentRun()
      run.deletes.push(name)
      return run.artifact.delete
        ? run.artifact.delete(name)
        : this.real.deleteArtifact(name, options)
    }
  }
  return { ...actual, DefaultArtifactClient }
}
