import path from 'node:path'
import * as core from '@actions/core'
import * as github from '@actions/github'
import { failureLine, planLines } from '../engine/format.js'
import { MANIFEST_FILE, outputFiles } from '../engine/manifest.js'
import { planExport } from '../engine/plan.js'
import { runExport, type RunReport } from '../engine/run-export.js'
import { CancelledError } from '../retry/abort.js'
import { InputError } from '../settings/input-error.js'
import { parseSettings, type RunSettings } from '../settings/parse-settings.js'
import type { UploadedArtifact } from './artifact.js'
import { createEventLogger } from './log-events.js'
import { writeSummary } from './summary.js'

/** The action's entry point: inputs → export run → artifact → summary, outputs and exit code. */
export async function run(): Promise<void> {
  // Mask the key before anything can print it.
  const apiKey = core.getInput('api-key').trim()
  if (apiKey) core.setSecret(apiKey)

  let settings: RunSettings
  try {
    settings = parseSettings(name => core.getInput(name), {
      workspace: process.env.GITHUB_WORKSPACE || process.cwd(),
      now: new Date(),
      runAttempt: github.context.runAttempt || 1
    })
  } catch (error) {
    if (error instanceof InputError) return core.setFailed(error.message)
    throw error
  }
  const { config } = settings
  core.setOutput('periods', JSON.stringify(config.periods))

  // The runner sends SIGINT on cancellation (SIGTERM 7.5 s later): stop waiting at once.
  const cancel = new AbortController()
  const onSignal = (): void => cancel.abort(new CancelledError())
  // `on`, not `once`: a second signal must not fall back to Node's default (exit at once,
  // without the manifest) while the job in flight is being cancelled.
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    if (settings.dryRun) return await dryRun(settings, cancel.signal)
    await exportAndUpload(settings, cancel.signal)
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
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

async function exportAndUpload(settings: RunSettings, signal: AbortSignal): Promise<void> {
  const { config, upload } = settings
  core.setOutput('output-dir', config.outputDir)
  // Scheduled runs start together at the top of the hour: spread them by up to 10 s (policy R).
  const startDelayMs = github.context.eventName === 'schedule' ? Math.random() * 10_000 : 0
  const report = await runExport(config, { signal, startDelayMs, onEvent: createEventLogger() })
  setRunOutputs(report)

  let artifact: { uploaded?: UploadedArtifact; name: string; error?: string } | undefined
  if (upload.enabled && !signal.aborted) {
    const files = [
      ...outputFiles(report.manifest).map(f => path.join(config.outputDir, f)),
      report.manifestPath
    ]
    try {
      // Loaded only when needed: the artifact client is the heaviest part of the bundle.
      const { uploadArtifact } = await import('./artifact.js')
      const uploaded = await uploadArtifact(files, config.outputDir, upload)
      artifact = { uploaded, name: upload.name }
      core.setOutput('artifact-id', uploaded.id)
      core.setOutput('artifact-digest', uploaded.digest ?? '')
      core.setOutput('artifact-url', uploaded.url ?? '')
      core.info(`Uploaded artifact ${upload.name} (id ${uploaded.id}) with ${files.length} files`)
    } catch (error) {
      artifact = {
        name: upload.name,
        error: error instanceof Error ? error.message : String(error)
      }
    }
  }
  await writeSummary(report, artifact).catch((error: unknown) =>
    core.warning(
      `Could not write the job summary: ${error instanceof Error ? error.message : error}`
    )
  )

  const problems = report.failed.map(failureLine)
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

function setRunOutputs(report: RunReport): void {
  const { exports } = report.manifest
  core.setOutput('manifest', report.manifestPath)
  core.setOutput('exported', JSON.stringify(report.exported.map(o => o.period)))
  core.setOutput('failed', JSON.stringify(report.failed.map(o => o.period)))
  const jobIds = Object.fromEntries(exports.filter(o => o.jobId).map(o => [o.period, o.jobId]))
  core.setOutput('job-ids', JSON.stringify(jobIds))
}
