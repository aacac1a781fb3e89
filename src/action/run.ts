import os from 'node:os'
import path from 'node:path'
import * as core from '@actions/core'
import * as github from '@actions/github'
import {
  attemptName,
  notResumingLine,
  planLines,
  rerunScope,
  resumeLine
} from '../engine/run/format.js'
import { CancelledError } from '../base/abort.js'
import { systemClock, type Clock } from '../base/clock.js'
import { errorMessage } from '../base/error-message.js'
import { describeError, Transport } from '../engine/index.js'
import { MANIFEST_FILE, outputFiles } from '../engine/manifest.js'
import { planExport } from '../engine/run/plan.js'
import { earlierAttemptSource } from '../engine/reruns/earlier-artifacts.js'
import type { ResumeSource } from '../engine/reruns/earlier-run.js'
import {
  ledgerKeys,
  ledgerObservations,
  ledgerOf,
  ledgerTakeOvers,
  type Ledger,
  type LedgerTakeOver
} from '../engine/reruns/ledger.js'
import { resumeFromLedger } from '../engine/reruns/resume-earlier.js'
import { requestParameters } from '../engine/reruns/resume.js'
import { periodProblems } from '../engine/run/problems.js'
import { runExport, type RunReport } from '../engine/run/run-export.js'
import { plural } from '../engine/units.js'
import { InputError } from '../settings/input-error.js'
import { checkOutputDir } from '../settings/output-dir.js'
import { parseSettings, type RunSettings } from '../settings/parse-settings.js'
import type { ArtifactResult } from './artifact.js'
import { gitHubArtifactSources } from './github-artifacts.js'
import { enterpriseHost, enterpriseUploadProblem } from './github-platform.js'
import { actionsLedgerCache } from './ledger-cache.js'
import { createEventLogger } from './log-events.js'
import { setOutput } from './outputs.js'
import { writePlanSummary, writeSummary } from './summary.js'
import { withToolkitLogAsDebug } from './toolkit-log.js'

/** What `run()` takes from its surroundings; each has the production default. */
export interface ActionDeps {
  /**
   * The run's one timeline: every wait of the export, Clari's times it compares with (the
   * ledger's ages), the periods resolved against today, the ledger's save time.
   */
  clock?: Clock
}

/** The action's entry point: inputs → export run → artifact → summary, outputs and exit code. */
export async function run({ clock = systemClock }: ActionDeps = {}): Promise<void> {
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
      now: new Date(clock.wallNow()),
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
  // Decided before any request to Clari: an upload that cannot work spends no export job.
  const enterprise = enterpriseHost(github.context.serverUrl)
  if (enterprise && settings.upload.enabled) {
    const problem = enterpriseUploadProblem(enterprise)
    if (!settings.dryRun) return core.setFailed(problem)
    core.warning(problem)
  }
  setOutput('periods', JSON.stringify(config.periods))

  // The runner sends SIGINT on cancellation (SIGTERM 7.5 s later): stop waiting at once.
  const cancel = new AbortController()
  const onSignal = (): void => cancel.abort(new CancelledError())
  // `on`, not `once`: a second signal must not fall back to Node's default (exit at once,
  // without the manifest) while the jobs in flight are being cancelled.
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  try {
    if (settings.dryRun) return await dryRun(settings, { clock, signal: cancel.signal })
    await exportAndUpload(settings, runAttempt, enterprise, { clock, signal: cancel.signal })
  } catch (error) {
    core.setFailed(describeError(error, config.clari.apiKey, 2_000))
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** The clock, and the signal that cancels the run's waits and requests. */
interface RunDeps {
  clock: Clock
  signal: AbortSignal
}

async function dryRun({ config }: RunSettings, deps: RunDeps): Promise<void> {
  const plan = await planExport(config, deps)
  for (const line of planLines(plan)) core.info(line)
  await writePlanSummary(plan).catch((error: unknown) =>
    core.warning(`Could not write the job summary: ${errorMessage(error)}`)
  )
  if (plan.problem) core.setFailed(`Dry run: ${plan.problem}`)
}

async function exportAndUpload(
  settings: RunSettings,
  runAttempt: number,
  enterprise: string | undefined,
  { clock, signal }: RunDeps
): Promise<void> {
  const { config, upload } = settings
  setOutput('output-dir', config.outputDir)
  // Scheduled runs start together at the top of the hour: spread them by up to 10 s
  // (docs/retry-policy.md#the-shared-pace).
  const startDelayMs = github.context.eventName === 'schedule' ? Math.random() * 10_000 : 0
  const resume = earlierAttempt(settings, runAttempt, enterprise)
  const ledger = await ledgerOfEarlierRuns(settings, runAttempt, clock)
  const report = await runExport(
    config,
    { clock, signal, startDelayMs, onEvent: createEventLogger(), history: ledger?.history },
    resume?.source,
    ledger?.resumed
  ).finally(() => resume?.transport.close())
  setRunOutputs(report)
  const resumed = resumeLine(report, attemptName)
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
      // The toolkit narrates every step of the upload: in debug, the outcome below says it all.
      const uploaded = await withToolkitLogAsDebug(() =>
        uploadArtifact(files, config.outputDir, upload, runAttempt)
      )
      artifact = { uploaded, name: uploaded.name }
      setOutput('artifact-id', uploaded.id)
      setOutput('artifact-name', uploaded.name)
      setOutput('artifact-digest', uploaded.digest ?? '')
      setOutput('artifact-url', uploaded.url ?? '')
      const renamed =
        uploaded.name === upload.name
          ? ''
          : ` (the run already holds ${upload.name}, another job's or a retried create's)`
      core.info(
        `Uploaded artifact ${uploaded.name} (id ${uploaded.id}) with ${files.length} files${renamed}`
      )
    } catch (error) {
      // GitHub's own answer text is in the toolkit's message: cleaned like any server text.
      artifact = { name: upload.name, error: describeError(error, config.clari.apiKey, 2_000) }
    }
  }
  const advice = rerunAdvice(report, settings, artifact)
  await writeSummary(report, artifact, advice).catch((error: unknown) =>
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
      [
        `${plural(problems.length, 'problem')}; ${report.exported.length} of ${report.manifest.exports.length} periods exported, kept in ${config.outputDir} with ${MANIFEST_FILE}:`,
        ...problems,
        ...(advice ? [advice] : [])
      ].join('\n')
    )
  }
  // Last, and also for a failed or cancelled run: a re-run that sees no artifact starts from it.
  if (ledger) {
    const saved = await ledger.cache.save(
      ledger.keys.save,
      ledgerOf(report.manifest, new Date(clock.wallNow())),
      signal.aborted
    )
    if (saved)
      core.info(
        `Kept the ledger of this run's Clari jobs in the Actions cache (${ledger.keys.save})`
      )
  }
}

/**
 * The ledger in the Actions cache (on a workflow run only, whose id keys it): its keys, the
 * store, the durations the newest ledger of this export teaches the duration model, and the jobs
 * it lets this run take over where no earlier artifact is usable: on a re-run (resume not false)
 * every job of its own run's earlier attempt, and with `reuse-within` another run's DONE jobs
 * younger than that. Looked up when any of these may use it.
 */
async function ledgerOfEarlierRuns(settings: RunSettings, runAttempt: number, clock: Clock) {
  const { config } = settings
  if (!config.run?.id) return undefined
  const rerun = settings.resume.mode !== 'off' && runAttempt > 1
  const wanted = {
    forecastId: config.forecastId,
    request: requestParameters(config),
    periods: config.periods
  }
  const keys = ledgerKeys(wanted, { id: config.run.id, attempt: config.run.attempt ?? 1 })
  const cache = actionsLedgerCache()
  const lookUp = config.history !== 'none' || rerun || settings.resume.reuseWithinMs > 0
  const restored = lookUp ? await cache.restore(keys.restore, wanted) : undefined
  if (restored && 'unusable' in restored) {
    core.info(`Not using the ledger in the Actions cache: ${restored.unusable}`)
  }
  const found = restored && 'ledger' in restored ? restored.ledger : undefined
  const history = found && config.history !== 'none' ? ledgerObservations(found) : undefined
  const takeOvers = found
    ? ledgerTakeOvers(found, config.periods, {
        ...(rerun ? { runId: config.run.id } : {}),
        // Clari's clock wrote the snapshot times the ages are reckoned from.
        now: clock.wallNow(),
        reuseWithinMs: settings.resume.reuseWithinMs
      })
    : new Map<string, LedgerTakeOver>()
  const resumed =
    found && takeOvers.size > 0
      ? resumeFromLedger(found, takeOvers, ledgerSource(found, config.run.id))
      : undefined
  return { keys, cache, history, resumed }
}

/** The ledger, named for the log: of an earlier attempt of this run, or of another run. */
function ledgerSource(ledger: Ledger, runId: string): string {
  const run = ledger.runId === runId ? 'this run' : `run ${ledger.runId ?? 'unknown'}`
  return `the ledger of attempt ${ledger.runAttempt} of ${run} in the Actions cache`
}

// A test seam: the bundle tests bound the lookup in seconds rather than a minute.
const LOOKUP_TIMEOUT_VARIABLE = 'CLARI_EXPORT_LOOKUP_TIMEOUT_MS'

/**
 * Said once, at the end of a run that failed some periods and exported others: a re-run resumes
 * (resume not false) from the artifact just uploaded, so it exports only what is missing.
 */
function rerunAdvice(
  report: RunReport,
  settings: RunSettings,
  artifact: ArtifactResult | undefined
): string | undefined {
  const scope = rerunScope(report)
  if (!scope || settings.resume.mode === 'off' || !artifact?.uploaded) return undefined
  return `"Re-run failed jobs" exports only ${scope.again.join(', ')} again and keeps the ${plural(scope.kept, 'period')} exported now, with no request to Clari for them.`
}

/**
 * On a re-run (GITHUB_RUN_ATTEMPT > 1, resume not false), where the engine looks for what an
 * earlier attempt of the run uploaded: the run's artifacts through GitHub's runtime API, then
 * its REST API, downloaded into RUNNER_TEMP. The engine checks and takes over what it finds, or
 * says in one notice why there is nothing to resume from.
 */
function earlierAttempt(
  settings: RunSettings,
  runAttempt: number,
  enterprise: string | undefined
): { source: ResumeSource; transport: Transport } | undefined {
  if (settings.resume.mode === 'off' || runAttempt <= 1) return undefined
  if (enterprise) {
    // GHES has no artifact service this action can read: no lookup, and no failed step for it.
    core.notice(
      notResumingLine(
        'an earlier attempt',
        `GitHub Enterprise Server (${enterprise}) has no artifact service this action can read`
      )
    )
    return undefined
  }
  const env = process.env
  const transport = new Transport()
  const sources = gitHubArtifactSources(
    {
      runtimeToken: env.ACTIONS_RUNTIME_TOKEN ?? '',
      resultsUrl: env.ACTIONS_RESULTS_URL ?? '',
      apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
      repository: env.GITHUB_REPOSITORY ?? '',
      runId: settings.config.run?.id ?? '',
      githubToken: settings.resume.githubToken
    },
    transport
  )
  const bound = Number(env[LOOKUP_TIMEOUT_VARIABLE])
  core.info('Looking for what an earlier attempt of this run uploaded')
  const source = earlierAttemptSource({
    sources,
    runAttempt,
    artifactNames: settings.upload.earlierAttemptNames,
    tempDir: env.RUNNER_TEMP || os.tmpdir(),
    ...(Number.isSafeInteger(bound) && bound > 0 ? { timeoutMs: bound } : {})
  })
  return { source, transport }
}

function setRunOutputs(report: RunReport): void {
  const { exports } = report.manifest
  setOutput('manifest', report.manifestPath)
  setOutput('exported', JSON.stringify(report.exported.map(o => o.period)))
  setOutput('failed', JSON.stringify(report.failed.map(o => o.period)))
  const jobIds = Object.fromEntries(exports.filter(o => o.jobId).map(o => [o.period, o.jobId]))
  setOutput('job-ids', JSON.stringify(jobIds))
}
