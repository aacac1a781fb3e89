import { folderSource } from '../engine/reruns/earlier-files.js'
import { planLines, rerunScope, type EarlierRunName } from '../engine/run/format.js'
import { errorMessage } from '../base/error-message.js'
import { withoutControls, withoutSecret } from '../engine/index.js'
import { planExport } from '../engine/run/plan.js'
import { periodProblems } from '../engine/run/problems.js'
import { runExport, type RunReport } from '../engine/run/run-export.js'
import { plural } from '../engine/units.js'
import type { SettingName } from '../settings/definitions.js'
import { InputError } from '../settings/input-error.js'
import { parseSettings, type RunSettings } from '../settings/parse-settings.js'
import { parseCliArgs, UsageError } from './args.js'
import { API_KEY_ENV } from './flags.js'
import { helpText, usageText, versionText } from './help.js'
import { shownPath } from './shown-path.js'
import type { CliContext } from './context.js'
import { createProgress } from './progress.js'
import { summaryTable } from './summary-table.js'
import { convertPayloads } from './tables-command.js'

export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_INTERRUPTED = 130

/** `clari-export`: the action's engine on a terminal. Returns the process exit code. */
export async function runCli(ctx: CliContext): Promise<number> {
  const fail = (message: string): number => {
    ctx.stderr.write(`clari-export: ${withoutControls(message)}\n`)
    return EXIT_FAILED
  }

  let settings: RunSettings
  try {
    const command = parseCliArgs(ctx.argv)
    if (command.kind === 'help') {
      ctx.stdout.write(helpText(command.command))
      return EXIT_OK
    }
    if (command.kind === 'version') {
      ctx.stdout.write(versionText())
      return EXIT_OK
    }
    if (command.kind === 'usage') {
      // Nothing to run: the usage goes where errors go, and the exit says nothing was done.
      ctx.stderr.write(usageText())
      return EXIT_FAILED
    }
    if (command.kind === 'tables') {
      return await convertPayloads(command, ctx).then(
        failed => (failed > 0 ? EXIT_FAILED : EXIT_OK),
        (error: unknown) => {
          if (ctx.signal.aborted) return EXIT_INTERRUPTED
          throw error
        }
      )
    }
    const apiKey = ctx.env[API_KEY_ENV] ?? ''
    if (!apiKey.trim()) {
      return fail(
        `${API_KEY_ENV} is not set: export your Clari API token in the environment first (it is never a flag, so it stays out of your shell history).`
      )
    }
    const read = (name: SettingName): string =>
      name === 'api-key' ? apiKey : (command.inputs[name] ?? '')
    settings = parseSettings(read, { workspace: ctx.cwd, now: new Date(), runAttempt: 1 })
    // Clari's refusal of the key then names where this key comes from.
    settings.config.keySource = API_KEY_ENV
  } catch (error) {
    if (error instanceof UsageError) return fail(error.message)
    if (error instanceof InputError) {
      const source = error.input === 'api-key' ? API_KEY_ENV : `--${error.input}`
      return fail(`${source} ${error.problem}. Accepted: ${error.accepted}.`)
    }
    throw error
  }

  const { config } = settings
  const say = (line: string): void => void ctx.stdout.write(`${withoutControls(line)}\n`)
  const shownDir = shownPath(ctx.cwd, config.outputDir)
  const earlierRun: EarlierRunName = () => `the earlier run in ${shownDir}`
  try {
    if (settings.dryRun) {
      const plan = await planExport(config, { signal: ctx.signal })
      planLines(plan).forEach(say)
      return plan.problem ? fail(`dry run: ${plan.problem}`) : EXIT_OK
    }
    say(`Exporting ${config.forecastId} for ${config.periods.join(', ')} to ${shownDir}`)
    // --resume: finish what an interrupted run left in the same folder (Ctrl-C, a laptop asleep).
    const earlier = settings.resume.mode === 'on' ? folderSource(config.outputDir) : undefined
    const progress = createProgress(ctx.stdout, earlierRun)
    const report = await runExport(
      config,
      { signal: ctx.signal, onEvent: progress.onEvent },
      earlier
    ).finally(progress.stop)
    const problems = periodProblems(report.manifest.exports, config.allowTruncated)
    const interrupted = ctx.signal.aborted
    // After Ctrl-C each period's own line said what became of it: no "failed:" list again.
    const listed = interrupted ? [] : problems
    const where = { outputDir: shownDir, earlier: earlierRun }
    ctx.stdout.write(`\n${summaryTable(report, where, listed, resumeAdvice(report, ctx.argv))}`)
    if (interrupted) return EXIT_INTERRUPTED
    return problems.length > 0 ? EXIT_FAILED : EXIT_OK
  } catch (error) {
    if (ctx.signal.aborted) return EXIT_INTERRUPTED
    // Whatever the server said, the key is not printed back.
    return fail(withoutSecret(errorMessage(error), config.clari.apiKey))
  }
}

/**
 * After a run that exported some periods and not others: the same command with --resume
 * exports only the missing ones.
 */
function resumeAdvice(report: RunReport, argv: readonly string[]): string | undefined {
  const scope = rerunScope(report)
  if (!scope) return undefined
  const again = argv.includes('--resume') ? 'Run it again' : 'Add --resume to the same command'
  return `${again} to export only ${scope.again.join(', ')} and keep the ${plural(scope.kept, 'period')} exported.`
}
