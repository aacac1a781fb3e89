/**
 * Runs one lookup of the earlier attempt (the engine's search over the action's GitHub ports) in
 * a process of its own, so a test can see how long the process lives on after the answer:
 * nothing the lookup leaves behind may keep it alive.
 * Input: GITHUB_ARTIFACTS_LOOKUP, JSON of the run, the search and the config's inputs.
 * Output: one line `RESULT <json>` on stderr.
 */
import { gitHubArtifactSources, type GitHubRun } from '../../src/action/github-artifacts.js'
import { Transport } from '../../src/engine/index.js'
import { earlierAttemptSource } from '../../src/engine/reruns/earlier-artifacts.js'
import type { SettingName } from '../../src/settings/definitions.js'
import { shippedConfig } from './shipped-config.js'

const lookup = JSON.parse(process.env.GITHUB_ARTIFACTS_LOOKUP ?? '') as {
  run: GitHubRun
  runAttempt: number
  artifactNames: string[]
  tempDir: string
  timeoutMs: number
  inputs: Partial<Record<SettingName, string>>
}
const transport = new Transport()
const source = earlierAttemptSource({
  sources: gitHubArtifactSources(lookup.run, transport),
  runAttempt: lookup.runAttempt,
  artifactNames: lookup.artifactNames,
  tempDir: lookup.tempDir,
  timeoutMs: lookup.timeoutMs
})
const startedAt = performance.now()
const found = await source.find(shippedConfig(lookup.inputs), new AbortController().signal)
const elapsedMs = Math.round(performance.now() - startedAt)
// The transport is left open on purpose: the lookup's own ends must let the process go.
const result = 'reason' in found ? found : { attempt: found.manifest.runAttempt }
if ('dispose' in found) await found.dispose()
process.stderr.write(`RESULT ${JSON.stringify({ result, elapsedMs })}\n`)
