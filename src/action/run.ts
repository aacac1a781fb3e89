import { rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import * as github from '@actions/github'
import { notResumingLine, planLines, resumeLine } from '../engine/run/format.js'
import { CancelledError } from '../base/abort.js'
import { errorMessage } from '../base/error-message.js'
import { describeError } from '../engine/index.js'
import { MANIFEST_FILE, outputFiles } from '../engine/manifest.js'
import { planExport } from '../engine/run/plan.js'
import type { EarlierRun } from '../engine/reruns/resume.js'
import { periodProblems } from '../engine/run/problems.js'
import { runExport, type RunReport } from '../engine/run/run-export.js'
import { InputError } from '../settings/input-error.js'
import { checkOutputDir } from '../settings/output-dir.js'
import { parseSettings, type RunSettings } from '../settings/parse-settings.js'
import type { ArtifactResult } from './artifact.js'
import { createEventLogger } from './log-events.js'
import { setOutput } from './outputs.js'
import { writeSummary } from './summary.js'

/** The action's entry point: inputs → export run → artifact → summary, outputs and exit code. */
export async function run(): Promise<void> {
  // Mask the key and the token before anything can print them.
  for (const secret of ['api-key', 'github-token']) {
    const value = core.getInput(secret).trim()
    if (value) core.setSecret(value)
  }

  const runAttempt = github.context.runAttempt || 1
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd()
  let settings: RunSettings
  try {
    settings = parseSettings(name => core.getInput(name), {
      workspace,
      now: new Date(),
      runAttempt,
      runId: github.context.runId ? String(github.context.runId) : undefined
    })
    await checkOutputDir(settings.config.outputDir, workspace, {
      allowOutside: settings.allowOutputOutsideWorkspace,
      forecastId: settings.config.forecastId
    })
  } catch (error) {
    if (error instanceof InputError) return core.setFailed(error.message)
    throw error
  }
  const { config } = settings
  setOutput('periods', JSON.stringify(config.periods))

  // The runner sends SIGINT on cancellation (SIGTERM 7.5 s later): stop waiting at once.
  const cancel = new AbortController()
  const onSignal = (): void => cancel.abort(new CancelledError())
  // `on`, not `once`: a second signal must not fall back to Node's default (exit at once,
  // without the manifest) while the jobs in flight are being cancelled.
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    if (settings.dryRun) return await dryRun(settings, cancel.signal)
    await exportAndUpload(settings, runAttempt, cancel.signal)
  } catch (error) {
    core.setFailed(describeError(error, config.apiKey, 2_000))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

async function dryRun({ config }: RunSettings, signal: AbortSignal): Promise<void> {
  const plan = await planExport(config, { signal })
  for (const line of planLines(plan)) core.info(line)
  if (plan.problem) core.setFailed(`Dry run: ${plan.problem}`)
}

async function exportAndUpload(
  settings: RunSettings,
  runAttempt: number,
  signal: AbortSignal
): Promise<void> {
  const { config, upload } = settings
  setOutput('output-dir', config.outputDir)
  // Scheduled runs start together at the top of the hour: spread them by up to 10 s
  // (docs/retry-policy.md#the-shared-pace).
  const startDelayMs = github.context.eventName === 'schedule' ? Math.random() * 10_000 : 0
  const earlier = await earlierAttempt(settings, runAttempt, signal)
  const report = await runExport(
    config,
    { signal, startDelayMs, onEvent: createEventLogger() },
    earlier
  ).finally(() => earlier && rm(earlier.dir, { recursive: true, force: true }).catch(() => {}))
  setRunOutputs(report)
  const resumed = resumeLine(report)
  if (resumed) core.info(resumed)

  let artifact: ArtifactResult | undefined
  if (upload.enabled && !signal.aborted) {
    const files = [
      ...outputFiles(report.manifest).map(f => path.join(config.outputDir, f)),
      report.manifestPath
    ]
    try {
      // Loaded only when needed: the artifact client is the heaviest part of the bundle.
      const { uploadArtifact } = await import('./artifact.js')
      const uploaded = await uploadArtifact(files, config.outputDir, upload, runAttempt)
      artifact = { uploaded, name: uploaded.name }
      setOutput('artifact-id', uploaded.id)
      setOutput('artifact-name', uploaded.name)
      setOutput('artifact-digest', uploaded.digest ?? '')
      setOutput('artifact-url', uploaded.url ?? '')
      const renamed =
        uploaded.name === upload.name
          ? ''
          : ` (the run already holds ${upload.name}, usually an earlier attempt's)`
      core.info(
        `Uploaded artifact ${uploaded.name} (id ${uploaded.id}) with ${files.length} files${renamed}`
      )
    } catch (error) {
      // GitHub's own answer text is in the toolkit's message: cleaned like any server text.
      artifact = { name: upload.name, error: describeError(error, config.apiKey, 2_000) }
    }
  }
  await writeSummary(report, artifact).catch((error: unknown) =>
    core.warning(`Could not write the job summary: ${errorMessage(error)}`)
  )

  // Checked after the upload: a truncated export is kept and uploaded, then fails the step.
  const problems = periodProblems(report.manifest.exports, config.allowTruncated)
  if (artifact?.error) {
    problems.push(
      `artifact ${upload.name}: upload failed: ${artifact.error} (files kept in ${config.outputDir})`
    )
  }
  if (problems.length > 0) {
    core.setFailed(
      `${problems.length} problem(s); ${report.exported.length} of ${report.manifest.exports.length} periods exported, kept in ${config.outputDir} with ${MANIFEST_FILE}:\n${problems.join('\n')}`
    )
  }
}

/**
 * On a re-run (GITHUB_RUN_ATTEMPT > 1, resume not false), what an earlier attempt of the run
 * uploaded, downloaded into RUNNER_TEMP for the engine to check and take over; undefined, with
 * one notice saying why, when there is nothing to resume from.
 */
async function earlierAttempt(
  settings: RunSettings,
  runAttempt: number,
  signal: AbortSignal
): Promise<EarlierRun | undefined> {
  if (settings.resume.mode === 'off' || runAttempt <= 1) return undefined
  // Loaded only when needed: it brings the artifact client.
  const { findEarlierAttempt } = await import('./earlier-attempt.js')
  const found = await findEarlierAttempt({
    forecastId: settings.config.forecastId,
    runAttempt,
    artifactNames: settings.upload.earlierAttemptNames,
    runId: settings.config.run?.id ?? '',
    repository: process.env.GITHUB_REPOSITORY ?? '',
    githubToken: settings.resume.githubToken,
    tempDir: process.env.RUNNER_TEMP || os.tmpdir(),
    signal
  })
  if ('reason' in found) {
    // A cancelled run says so once, when it ends; "not resuming" would only mislead.
    if (!signal.aborted) core.notice(notResumingLine('an earlier attempt', found.reason))
    return undefined
  }
  return {
    manifest: found.manifest,
    dir: found.dir,
    source: `artifact ${found.artifactName} of attempt ${found.attempt}`
  }
}

function setRunOutputs(report: RunReport): void {
  const { exports } = report.manifest
  setOutput('manifest', report.manifestPath)
  setOutput('exported', JSON.stringify(report.exported.map(o => o.period)))
  setOutput('failed', JSON.stringify(report.failed.map(o => o.period)))
  const jobIds = Object.fromEntries(exports.filter(o => o.jobId).map(o => [o.period, o.jobId]))
  setOutput('job-ids', JSON.stringify(jobIds))
}
